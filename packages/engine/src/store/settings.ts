import {
  type EngineSettings,
  type EngineSettingsPatch,
  EngineSettingsPatchSchema,
  settingsWith,
} from "@flowork/protocol";
import type { Kysely } from "kysely";
import {
  nowIso,
  parseOrThrow,
  readJson,
  type StoreContext,
  type StoreOptions,
  storeContext,
} from "./common.js";
import type { EngineDatabase } from "./schema.js";

/**
 * Engine settings (SPEC section 4), one row per saved key holding its JSON value; a key never saved takes its
 * default. A stored key this engine does not know (written by a newer one) or a value that no longer validates
 * is ignored and reported, never fatal.
 */
export class SettingsStore {
  readonly #db: Kysely<EngineDatabase>;
  readonly #ctx: StoreContext;

  constructor(db: Kysely<EngineDatabase>, options?: StoreOptions) {
    this.#db = db;
    this.#ctx = storeContext(options);
  }

  /** Full settings: the saved keys over the defaults. */
  async get(): Promise<EngineSettings> {
    const rows = await this.#db.selectFrom("settings").select(["key", "value"]).execute();
    const patch: Record<string, unknown> = {};
    for (const row of rows) {
      const read = readJson(row.value);
      const one = read.ok ? EngineSettingsPatchSchema.safeParse({ [row.key]: read.value }) : undefined;
      if (one?.success) Object.assign(patch, one.data);
      else this.#ctx.warn("ignored an unreadable or unknown stored setting", { key: row.key });
    }
    return settingsWith(patch as EngineSettingsPatch);
  }

  /**
   * Merges `patch` into the saved settings in one transaction.
   * @returns the full settings after the save.
   * @throws FloworkError VALIDATION_FAILED (with `details.issues`) for an unknown key or a bad value; nothing
   * is saved then.
   */
  async save(patch: unknown): Promise<EngineSettings> {
    const valid = parseOrThrow(EngineSettingsPatchSchema, patch, "invalid settings");
    const updatedAt = nowIso(this.#ctx);
    const entries = Object.entries(valid).filter(([, v]) => v !== undefined);
    if (entries.length > 0) {
      await this.#db.transaction().execute(async (trx) => {
        for (const [key, value] of entries) {
          const json = JSON.stringify(value);
          await trx
            .insertInto("settings")
            .values({ key, value: json, updated_at: updatedAt })
            .onConflict((oc) => oc.column("key").doUpdateSet({ value: json, updated_at: updatedAt }))
            .execute();
        }
      });
    }
    return this.get();
  }
}
