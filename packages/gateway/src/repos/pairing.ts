import type { Kysely, Selectable } from "kysely";
import type { GatewayDatabase, PairingCodesTable } from "../db/schema.js";

/** A stored pairing code (hashed). */
export type PairingRow = Selectable<PairingCodesTable>;

/** The `pairing_codes` table. */
export class PairingRepo {
  constructor(private readonly db: Kysely<GatewayDatabase>) {}

  async insert(row: PairingRow): Promise<void> {
    await this.db.insertInto("pairing_codes").values(row).execute();
  }

  find(codeHash: string): Promise<PairingRow | undefined> {
    return this.db
      .selectFrom("pairing_codes")
      .selectAll()
      .where("code_hash", "=", codeHash)
      .executeTakeFirst();
  }

  /**
   * Marks the code used if it is unused and unexpired; returns whether this call won (a concurrent second claim
   * of the same code loses, because the update is conditional).
   */
  async consume(codeHash: string, now: string): Promise<boolean> {
    const result = await this.db
      .updateTable("pairing_codes")
      .set({ used: 1 })
      .where("code_hash", "=", codeHash)
      .where("used", "=", 0)
      .where("expires_at", ">", now)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Drops codes that expired before `now`. */
  async purgeExpired(now: string): Promise<void> {
    await this.db.deleteFrom("pairing_codes").where("expires_at", "<=", now).execute();
  }
}
