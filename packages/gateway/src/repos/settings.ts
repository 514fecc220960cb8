import type { Kysely } from "kysely";
import type { GatewayDatabase } from "../db/schema.js";

/** The `system_settings` table: JSON values by key. */
export class SettingsRepo {
  constructor(private readonly db: Kysely<GatewayDatabase>) {}

  async get<T>(key: string, fallback: T): Promise<T> {
    const row = await this.db
      .selectFrom("system_settings")
      .select("value")
      .where("key", "=", key)
      .executeTakeFirst();
    return row === undefined ? fallback : (JSON.parse(row.value) as T);
  }

  async set(key: string, value: unknown): Promise<void> {
    const text = JSON.stringify(value);
    await this.db
      .insertInto("system_settings")
      .values({ key, value: text })
      .onConflict((oc) => oc.column("key").doUpdateSet({ value: text }))
      .execute();
  }
}
