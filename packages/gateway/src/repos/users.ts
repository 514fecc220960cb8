import type { Kysely, Selectable, Updateable } from "kysely";
import type { GatewayDatabase, UsersTable } from "../db/schema.js";

/** A stored user. */
export type UserRow = Selectable<UsersTable>;

/** The `users` and `preferences` tables. Addresses passed in must already be lowercase. */
export class UsersRepo {
  constructor(private readonly db: Kysely<GatewayDatabase>) {}

  find(address: string): Promise<UserRow | undefined> {
    return this.db.selectFrom("users").selectAll().where("public_address", "=", address).executeTakeFirst();
  }

  findByUsername(username: string): Promise<UserRow | undefined> {
    return this.db.selectFrom("users").selectAll().where("username", "=", username).executeTakeFirst();
  }

  /** Inserts; `false` when the address already exists (nothing changed). Throws on a username clash. */
  async insert(row: UserRow): Promise<boolean> {
    const result = await this.db
      .insertInto("users")
      .values(row)
      .onConflict((oc) => oc.column("public_address").doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async update(address: string, patch: Updateable<UsersTable>): Promise<void> {
    if (Object.keys(patch).length === 0) return;
    await this.db.updateTable("users").set(patch).where("public_address", "=", address).execute();
  }

  list(): Promise<UserRow[]> {
    return this.db.selectFrom("users").selectAll().orderBy("created_at").orderBy("public_address").execute();
  }

  async preferences(address: string): Promise<string | undefined> {
    const row = await this.db
      .selectFrom("preferences")
      .select("data")
      .where("address", "=", address)
      .executeTakeFirst();
    return row?.data;
  }

  async putPreferences(address: string, data: string, at: string): Promise<void> {
    await this.db
      .insertInto("preferences")
      .values({ address, data, updated_at: at })
      .onConflict((oc) => oc.column("address").doUpdateSet({ data, updated_at: at }))
      .execute();
  }
}
