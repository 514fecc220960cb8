import {
  FloworkError,
  type VariableData,
  VariableDataSchema,
  VariableNameSchema,
  type VariableView,
} from "@flowork/protocol";
import type { Kysely } from "kysely";
import type { VariableDefinition } from "../variables/definition.js";
import {
  nowIso,
  parseOrThrow,
  readJson,
  type StoreContext,
  type StoreOptions,
  storeContext,
} from "./common.js";
import type { SecretBox } from "./crypto.js";
import { dialectOf } from "./migrations/dialect.js";
import type { EngineDatabase, VariablesTable } from "./schema.js";

/** The AAD binding a ciphertext to one field of one variable. */
export function variableAad(name: string, field: "value" | "values"): string {
  return `flowork:variable:${name}:${field}`;
}

/**
 * Variables, secrets encrypted at rest with the install's {@link SecretBox}: when `is_secret`, both `value` and
 * `values` are sealed (AAD = variable name and field), so no secret byte is written in clear.
 *
 * `upsert` keeps the stored `value`/`values` when they are omitted, so a secret can be toggled without
 * resending it. Turning a secret into a plain variable requires new values (`value` and/or `values`; an omitted
 * one becomes empty): a flag flip alone would reveal the secret to every reader, so it is refused.
 */
export class VariableStore {
  readonly #db: Kysely<EngineDatabase>;
  readonly #box: SecretBox;
  readonly #ctx: StoreContext;
  /** PostgreSQL: lock the row read by `upsert` (SQLite transactions already serialise writers). */
  readonly #lockRows: boolean;

  constructor(db: Kysely<EngineDatabase>, box: SecretBox, options?: StoreOptions) {
    this.#db = db;
    this.#box = box;
    this.#ctx = storeContext(options);
    this.#lockRows = dialectOf(db) === "postgres";
  }

  /** Every variable as clients see it, by name; secrets show `""`/`[]` and are never decrypted here. */
  async list(): Promise<VariableView[]> {
    const rows = await this.#db.selectFrom("variables").selectAll().orderBy("name").execute();
    const out: VariableView[] = [];
    for (const row of rows) {
      if (row.is_secret === 1) {
        out.push(view(row.name, row, "", []));
        continue;
      }
      const values = readList(row.value_list);
      if (values === undefined) {
        this.#ctx.warn("skipped a corrupted variable", { name: row.name });
        continue;
      }
      out.push(view(row.name, row, row.value, values));
    }
    return out;
  }

  /**
   * Every variable with secrets decrypted (engine-internal: never send this to a client). A variable that cannot
   * be decrypted or read is skipped and reported, so one bad row does not stop every run.
   */
  async loadAll(): Promise<Map<string, VariableDefinition>> {
    const rows = await this.#db.selectFrom("variables").selectAll().orderBy("name").execute();
    const out = new Map<string, VariableDefinition>();
    for (const row of rows) {
      try {
        out.set(row.name, this.#decode(row));
      } catch (err) {
        this.#ctx.warn("skipped a variable that could not be read", {
          name: row.name,
          reason: err instanceof Error ? err.message : String(err),
        });
      }
    }
    return out;
  }

  /**
   * One variable, decrypted (engine-internal), or undefined.
   * @throws FloworkError INTERNAL when it cannot be decrypted or read.
   */
  async get(name: string): Promise<VariableDefinition | undefined> {
    const row = await this.#db
      .selectFrom("variables")
      .selectAll()
      .where("name", "=", name)
      .executeTakeFirst();
    return row === undefined ? undefined : this.#decode(row);
  }

  /**
   * Creates or replaces `name`; an omitted `value`/`values` keeps the stored one (empty for a new variable).
   * Read-modify-write in one transaction; on PostgreSQL the stored row is read `FOR UPDATE`, so a concurrent
   * writer of the same variable is waited for rather than overwritten with stale values (a lost update).
   * @returns the client view of the stored variable.
   * @throws FloworkError VALIDATION_FAILED for a bad name or data, or a secret made plain without new values.
   */
  async upsert(name: string, data: VariableData): Promise<VariableView> {
    parseOrThrow(VariableNameSchema, name, "invalid variable name");
    const d = parseOrThrow(VariableDataSchema, data, "invalid variable data");
    return this.#db.transaction().execute(async (trx) => {
      const row = await trx
        .selectFrom("variables")
        .selectAll()
        .where("name", "=", name)
        .$if(this.#lockRows, (qb) => qb.forUpdate())
        .executeTakeFirst();
      let value = d.value;
      let values = d.values;
      if (row !== undefined && row.is_secret === 1 && !d.is_secret) {
        if (value === undefined && values === undefined) {
          throw new FloworkError(
            "VALIDATION_FAILED",
            `send a new value to make the secret variable ${name} plain (its secret value is never revealed)`,
            { details: { issues: [{ path: ["data", "value"], code: "custom", message: "required" }] } },
          );
        }
      } else if (row !== undefined && (value === undefined || values === undefined)) {
        const stored = this.#decode(row);
        value ??= stored.value;
        values ??= stored.values;
      }
      const def: VariableDefinition = {
        value: value ?? "",
        values: values ?? [],
        mode: d.mode,
        is_secret: d.is_secret,
        is_enabled: d.is_enabled,
      };
      const encoded = this.#encode(name, def);
      await trx
        .insertInto("variables")
        .values(encoded)
        .onConflict((oc) => oc.column("name").doUpdateSet(withoutName(encoded)))
        .execute();
      return def.is_secret ? view(name, encoded, "", []) : view(name, encoded, def.value, def.values);
    });
  }

  /** Deletes `name`; false when there was none. */
  async delete(name: string): Promise<boolean> {
    const res = await this.#db.deleteFrom("variables").where("name", "=", name).executeTakeFirst();
    return Number(res.numDeletedRows) > 0;
  }

  /** How many secret variables are stored. */
  async countSecrets(): Promise<number> {
    const row = await this.#db
      .selectFrom("variables")
      .select((eb) => eb.fn.countAll<number | string>().as("n"))
      .where("is_secret", "=", 1)
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  #encode(name: string, def: VariableDefinition): VariablesTable {
    const list = JSON.stringify(def.values);
    return {
      name,
      value: def.is_secret ? this.#box.encrypt(def.value, variableAad(name, "value")) : def.value,
      value_list: def.is_secret ? this.#box.encrypt(list, variableAad(name, "values")) : list,
      mode: def.mode,
      is_secret: def.is_secret ? 1 : 0,
      is_enabled: def.is_enabled ? 1 : 0,
      updated_at: nowIso(this.#ctx),
    };
  }

  #decode(row: VariablesTable): VariableDefinition {
    const secret = row.is_secret === 1;
    const value = secret ? this.#box.decrypt(row.value, variableAad(row.name, "value")) : row.value;
    const list = secret ? this.#box.decrypt(row.value_list, variableAad(row.name, "values")) : row.value_list;
    const values = readList(list);
    if (values === undefined) throw new FloworkError("INTERNAL", `stored variable ${row.name} is corrupted`);
    return { value, values, mode: row.mode, is_secret: secret, is_enabled: row.is_enabled === 1 };
  }
}

function view(
  name: string,
  row: Pick<VariablesTable, "mode" | "is_secret" | "is_enabled">,
  value: string,
  values: string[],
): VariableView {
  return {
    name,
    value,
    values,
    mode: row.mode,
    is_secret: row.is_secret === 1,
    is_enabled: row.is_enabled === 1,
  };
}

function readList(text: string): string[] | undefined {
  const read = readJson(text);
  if (!read.ok || !Array.isArray(read.value)) return undefined;
  return read.value.every((v): v is string => typeof v === "string") ? read.value : undefined;
}

function withoutName(row: VariablesTable): Omit<VariablesTable, "name"> {
  const { name: _name, ...rest } = row;
  return rest;
}
