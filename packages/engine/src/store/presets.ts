import {
  FloworkError,
  type PresetListing,
  PresetNameSchema,
  type PresetVersion,
  type Workflow,
  WorkflowSchema,
} from "@flowork/protocol";
import type { Kysely } from "kysely";
import {
  isJsonObject,
  nowIso,
  parseOrThrow,
  readJson,
  type StoreContext,
  type StoreOptions,
  storeContext,
} from "./common.js";
import type { EngineDatabase } from "./schema.js";

/** Who saved a version: the signer's address and, when saved through a signed envelope, its message/signature. */
export interface PresetSaveMeta {
  updated_by: string;
  message?: string | null | undefined;
  signature?: string | null | undefined;
}

/** A preset version with its workflow. */
export interface StoredPreset {
  name: string;
  version: number;
  workflow_data: Workflow;
}

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

/**
 * Versioned presets. Every save is a new version (1, 2, 3...) kept with the signed message and signature that
 * saved it. Version numbers come from a per-name counter row bumped by an upsert in the same transaction as the
 * insert, so concurrent saves (on SQLite or PostgreSQL) never share a number.
 *
 * Delete removes every version (the workflow is gone, as a user deleting it expects) but keeps the counter row
 * as a tombstone: a preset re-created under the same name continues at the next number, so `(name, version)`
 * always names one content. Who saved and deleted what stays in the audit log.
 */
export class PresetStore {
  readonly #db: Kysely<EngineDatabase>;
  readonly #ctx: StoreContext;

  constructor(db: Kysely<EngineDatabase>, options?: StoreOptions) {
    this.#db = db;
    this.#ctx = storeContext(options);
  }

  /** The latest version of every preset, by name. */
  async list(): Promise<PresetListing[]> {
    const rows = await this.#latest()
      .select(["h.name", "v.version", "v.updated_at", "v.updated_by"])
      .execute();
    return rows.sort(byName);
  }

  /**
   * Saves `workflow_data` as the next version of `name` (exactly as given: what was signed is what is kept).
   * @throws FloworkError VALIDATION_FAILED for a bad name or workflow.
   */
  async save(
    name: string,
    workflow_data: Workflow,
    meta: PresetSaveMeta,
  ): Promise<{ name: string; version: number }> {
    parseOrThrow(PresetNameSchema, name, "invalid preset name");
    parseOrThrow(WorkflowSchema, workflow_data, "invalid workflow");
    const json = JSON.stringify(workflow_data);
    const updatedBy = ADDRESS.test(meta.updated_by) ? meta.updated_by.toLowerCase() : meta.updated_by;
    const updatedAt = nowIso(this.#ctx);
    return this.#db.transaction().execute(async (trx) => {
      const head = await trx
        .insertInto("preset_heads")
        .values({ name, latest_version: 1, deleted: 0 })
        .onConflict((oc) =>
          oc.column("name").doUpdateSet((eb) => ({
            latest_version: eb(eb.ref("preset_heads.latest_version"), "+", 1),
            deleted: 0,
          })),
        )
        .returning("latest_version")
        .executeTakeFirstOrThrow();
      await trx
        .insertInto("preset_versions")
        .values({
          name,
          version: head.latest_version,
          workflow_data: json,
          updated_at: updatedAt,
          updated_by: updatedBy,
          message: meta.message ?? null,
          signature: meta.signature ?? null,
        })
        .execute();
      return { name, version: head.latest_version };
    });
  }

  /**
   * One version of a preset (the latest when `version` is omitted), or undefined when there is none.
   * @throws FloworkError INTERNAL when the stored workflow is not readable JSON.
   */
  async load(name: string, version?: number): Promise<StoredPreset | undefined> {
    const row =
      version === undefined
        ? await this.#latest()
            .select(["h.name", "v.version", "v.workflow_data"])
            .where("h.name", "=", name)
            .executeTakeFirst()
        : await this.#db
            .selectFrom("preset_versions")
            .select(["name", "version", "workflow_data"])
            .where("name", "=", name)
            .where("version", "=", version)
            .executeTakeFirst();
    if (row === undefined) return undefined;
    const workflow = readWorkflow(row.workflow_data);
    if (workflow === undefined) {
      throw new FloworkError("INTERNAL", `stored preset "${name}" version ${row.version} is corrupted`);
    }
    return { name: row.name, version: row.version, workflow_data: workflow };
  }

  /** Every version of `name`, newest first, with the message and signature that saved it; [] when none. */
  async versions(name: string): Promise<PresetVersion[]> {
    const rows = await this.#db
      .selectFrom("preset_versions")
      .select(["version", "updated_at", "updated_by", "message", "signature"])
      .where("name", "=", name)
      .orderBy("version", "desc")
      .execute();
    return rows.map((r) => {
      const out: PresetVersion = { version: r.version, updated_at: r.updated_at, updated_by: r.updated_by };
      if (r.message !== null) out.message = r.message;
      if (r.signature !== null) out.signature = r.signature;
      return out;
    });
  }

  /** Deletes every version of `name`; false when there was no such preset. */
  async delete(name: string): Promise<boolean> {
    return this.#db.transaction().execute(async (trx) => {
      await trx.deleteFrom("preset_versions").where("name", "=", name).execute();
      const res = await trx
        .updateTable("preset_heads")
        .set({ deleted: 1 })
        .where("name", "=", name)
        .where("deleted", "=", 0)
        .executeTakeFirst();
      return Number(res.numUpdatedRows) > 0;
    });
  }

  /**
   * The latest version of every preset with its workflow (to find webhook and cron triggers). A version whose
   * stored JSON is unreadable is skipped and reported.
   */
  async listLatest(): Promise<StoredPreset[]> {
    const rows = await this.#latest().select(["h.name", "v.version", "v.workflow_data"]).execute();
    const out: StoredPreset[] = [];
    for (const row of rows.sort(byName)) {
      const workflow = readWorkflow(row.workflow_data);
      if (workflow === undefined) {
        this.#ctx.warn("skipped a corrupted preset", { name: row.name, version: row.version });
        continue;
      }
      out.push({ name: row.name, version: row.version, workflow_data: workflow });
    }
    return out;
  }

  #latest() {
    return this.#db
      .selectFrom("preset_heads as h")
      .innerJoin("preset_versions as v", (join) =>
        join.onRef("v.name", "=", "h.name").onRef("v.version", "=", "h.latest_version"),
      )
      .where("h.deleted", "=", 0);
  }
}

/** Stored workflows were validated on save; reading only checks the JSON is still an object. */
function readWorkflow(text: string): Workflow | undefined {
  const read = readJson(text);
  return read.ok && isJsonObject(read.value) ? (read.value as Workflow) : undefined;
}

function byName(a: { name: string }, b: { name: string }): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}
