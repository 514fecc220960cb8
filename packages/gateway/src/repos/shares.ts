import type { Role } from "@flowork/protocol";
import type { Kysely } from "kysely";
import type { GatewayDatabase } from "../db/schema.js";
import type { EngineRow } from "./engines.js";

/** A share joined with the guest's username. */
export interface ShareRow {
  engine_id: string;
  address: string;
  username: string;
  role: Role;
  shared_at: string;
}

/** An engine shared with someone, with the share and the owner's username. */
export interface SharedEngineRow {
  engine: EngineRow;
  role: Role;
  shared_at: string;
  owner_username: string | null;
}

/** The `shares` table. */
export class SharesRepo {
  constructor(private readonly db: Kysely<GatewayDatabase>) {}

  async list(engineId: string): Promise<ShareRow[]> {
    const rows = await this.db
      .selectFrom("shares")
      .innerJoin("users", "users.public_address", "shares.address")
      .select(["shares.engine_id", "shares.address", "users.username", "shares.role", "shares.shared_at"])
      .where("shares.engine_id", "=", engineId)
      .orderBy("shares.shared_at")
      .orderBy("shares.address")
      .execute();
    return rows.map((r) => ({ ...r, role: r.role as Role }));
  }

  async find(engineId: string, address: string): Promise<{ role: Role; shared_at: string } | undefined> {
    const row = await this.db
      .selectFrom("shares")
      .select(["role", "shared_at"])
      .where("engine_id", "=", engineId)
      .where("address", "=", address)
      .executeTakeFirst();
    return row === undefined ? undefined : { role: row.role as Role, shared_at: row.shared_at };
  }

  async count(engineId: string): Promise<number> {
    const row = await this.db
      .selectFrom("shares")
      .select((eb) => eb.fn.countAll().as("n"))
      .where("engine_id", "=", engineId)
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  /** Insert or change the role (keeps the original `shared_at`). */
  async upsert(engineId: string, address: string, role: Role, at: string): Promise<void> {
    await this.db
      .insertInto("shares")
      .values({ engine_id: engineId, address, role, shared_at: at })
      .onConflict((oc) => oc.columns(["engine_id", "address"]).doUpdateSet({ role }))
      .execute();
  }

  /** Deletes; returns whether a share existed. */
  async delete(engineId: string, address: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom("shares")
      .where("engine_id", "=", engineId)
      .where("address", "=", address)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** Engines shared with `address`, oldest share first. */
  async sharedWith(address: string): Promise<SharedEngineRow[]> {
    const rows = await this.db
      .selectFrom("shares")
      .innerJoin("engines", "engines.id", "shares.engine_id")
      .leftJoin("users", "users.public_address", "engines.owner_address")
      .selectAll("engines")
      .select(["shares.role", "shares.shared_at", "users.username as owner_username"])
      .where("shares.address", "=", address)
      .orderBy("shares.shared_at")
      .orderBy("engines.id")
      .execute();
    return rows.map(({ role, shared_at, owner_username, ...engine }) => ({
      engine,
      role: role as Role,
      shared_at,
      owner_username,
    }));
  }
}
