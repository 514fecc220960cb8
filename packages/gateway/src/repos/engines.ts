import { type Insertable, type Kysely, type Selectable, sql, type Updateable } from "kysely";
import type { EnginesTable, GatewayDatabase } from "../db/schema.js";

/** A stored engine. */
export type EngineRow = Selectable<EnginesTable>;

/** The `engines` table. */
export class EnginesRepo {
  constructor(private readonly db: Kysely<GatewayDatabase>) {}

  find(id: string): Promise<EngineRow | undefined> {
    return this.db.selectFrom("engines").selectAll().where("id", "=", id).executeTakeFirst();
  }

  /** Indexed (UNIQUE) lookup by SHA-256 hex of the token. */
  findByTokenHash(tokenHash: string): Promise<EngineRow | undefined> {
    return this.db.selectFrom("engines").selectAll().where("token_hash", "=", tokenHash).executeTakeFirst();
  }

  listByOwner(owner: string): Promise<EngineRow[]> {
    return this.db
      .selectFrom("engines")
      .selectAll()
      .where("owner_address", "=", owner)
      .orderBy("created_at")
      .orderBy("id")
      .execute();
  }

  async countByOwner(owner: string): Promise<number> {
    const row = await this.db
      .selectFrom("engines")
      .select((eb) => eb.fn.countAll().as("n"))
      .where("owner_address", "=", owner)
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  listAll(): Promise<EngineRow[]> {
    return this.db.selectFrom("engines").selectAll().orderBy("created_at").orderBy("id").execute();
  }

  async insert(row: Insertable<EnginesTable>): Promise<void> {
    await this.db.insertInto("engines").values(row).execute();
  }

  /** Updates; returns whether a row matched. */
  async update(id: string, patch: Updateable<EnginesTable>): Promise<boolean> {
    const result = await this.db.updateTable("engines").set(patch).where("id", "=", id).executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /**
   * Sets `vitals` and `last_seen` of many engines in one statement (`CASE id WHEN ... END`, the same SQL on SQLite
   * and PostgreSQL). Ids must be distinct; callers keep a chunk to a few hundred rows.
   */
  async updateVitalsMany(rows: readonly { id: string; vitals: string; last_seen: string }[]): Promise<void> {
    if (rows.length === 0) return;
    const byId = (value: (r: (typeof rows)[number]) => string) =>
      sql<string>`case ${sql.ref("id")} ${sql.join(
        rows.map((r) => sql`when ${r.id} then ${value(r)}`),
        sql` `,
      )} end`;
    await this.db
      .updateTable("engines")
      .set({ vitals: byId((r) => r.vitals), last_seen: byId((r) => r.last_seen) })
      .where(
        "id",
        "in",
        rows.map((r) => r.id),
      )
      .execute();
  }

  async delete(id: string): Promise<void> {
    await this.db.deleteFrom("engines").where("id", "=", id).execute();
  }
}
