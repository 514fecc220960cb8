import type { Kysely, Migration } from "kysely";

/** The first gateway schema. Only portable column types, so the same code runs on SQLite and PostgreSQL. */
export const migration001Initial: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    const s = db.schema;
    await s
      .createTable("users")
      .addColumn("public_address", "text", (c) => c.primaryKey())
      .addColumn("username", "text", (c) => c.notNull().unique())
      .addColumn("email", "text")
      .addColumn("name", "text")
      .addColumn("bio", "text")
      .addColumn("avatar", "text")
      .addColumn("created_at", "text", (c) => c.notNull())
      .execute();
    await s
      .createTable("preferences")
      .addColumn("address", "text", (c) =>
        c.primaryKey().references("users.public_address").onDelete("cascade"),
      )
      .addColumn("data", "text", (c) => c.notNull())
      .addColumn("updated_at", "text", (c) => c.notNull())
      .execute();
    await s
      .createTable("engines")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("name", "text", (c) => c.notNull())
      .addColumn("owner_address", "text", (c) => c.references("users.public_address"))
      .addColumn("token_hash", "text", (c) => c.notNull().unique())
      .addColumn("status", "text", (c) => c.notNull())
      .addColumn("last_seen", "text")
      .addColumn("vitals", "text")
      .addColumn("created_at", "text", (c) => c.notNull())
      .execute();
    await s.createIndex("engines_owner").on("engines").column("owner_address").execute();
    await s
      .createTable("shares")
      .addColumn("engine_id", "text", (c) => c.notNull().references("engines.id").onDelete("cascade"))
      .addColumn("address", "text", (c) => c.notNull().references("users.public_address"))
      .addColumn("role", "text", (c) => c.notNull())
      .addColumn("shared_at", "text", (c) => c.notNull())
      .addPrimaryKeyConstraint("shares_pk", ["engine_id", "address"])
      .execute();
    await s.createIndex("shares_address").on("shares").column("address").execute();
    await s
      .createTable("pairing_codes")
      .addColumn("code_hash", "text", (c) => c.primaryKey())
      .addColumn("engine_id", "text", (c) => c.notNull().references("engines.id").onDelete("cascade"))
      .addColumn("expires_at", "text", (c) => c.notNull())
      .addColumn("used", "integer", (c) => c.notNull().defaultTo(0))
      .addColumn("created_at", "text", (c) => c.notNull())
      .execute();
    await s
      .createTable("plans")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("name", "text", (c) => c.notNull())
      .addColumn("description", "text", (c) => c.notNull())
      .addColumn("prices", "text", (c) => c.notNull())
      .addColumn("limits", "text", (c) => c.notNull())
      .addColumn("position", "integer", (c) => c.notNull())
      .execute();
    await s
      .createTable("subscriptions")
      .addColumn("address", "text", (c) => c.primaryKey())
      .addColumn("plan_id", "text", (c) => c.notNull())
      .addColumn("status", "text", (c) => c.notNull())
      .addColumn("expires_at", "text")
      .addColumn("provider", "text", (c) => c.notNull())
      .addColumn("updated_at", "text", (c) => c.notNull())
      .execute();
    await s
      .createTable("checkouts")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("address", "text", (c) => c.notNull())
      .addColumn("plan_id", "text", (c) => c.notNull())
      .addColumn("duration_months", "integer", (c) => c.notNull())
      .addColumn("status", "text", (c) => c.notNull())
      .addColumn("provider", "text", (c) => c.notNull())
      .addColumn("amount", "double precision", (c) => c.notNull())
      .addColumn("currency", "text", (c) => c.notNull())
      .addColumn("created_at", "text", (c) => c.notNull())
      .addColumn("completed_at", "text")
      .execute();
    await s
      .createTable("invoices")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("address", "text", (c) => c.notNull())
      .addColumn("plan_id", "text", (c) => c.notNull())
      .addColumn("checkout_id", "text")
      .addColumn("amount", "double precision", (c) => c.notNull())
      .addColumn("currency", "text", (c) => c.notNull())
      .addColumn("status", "text", (c) => c.notNull())
      .addColumn("created_at", "text", (c) => c.notNull())
      .execute();
    await s.createIndex("invoices_address").on("invoices").column("address").execute();
    await s
      .createTable("webhook_events")
      .addColumn("provider", "text", (c) => c.notNull())
      .addColumn("event_id", "text", (c) => c.notNull())
      .addColumn("type", "text", (c) => c.notNull())
      .addColumn("received_at", "text", (c) => c.notNull())
      .addPrimaryKeyConstraint("webhook_events_pk", ["provider", "event_id"])
      .execute();
    await s
      .createTable("usage")
      .addColumn("period", "text", (c) => c.notNull())
      .addColumn("engine_id", "text", (c) => c.notNull())
      .addColumn("address", "text", (c) => c.notNull())
      .addColumn("executions", "integer", (c) => c.notNull())
      .addPrimaryKeyConstraint("usage_pk", ["period", "engine_id", "address"])
      .execute();
    await s.createIndex("usage_address").on("usage").columns(["address", "period"]).execute();
    await s
      .createTable("system_settings")
      .addColumn("key", "text", (c) => c.primaryKey())
      .addColumn("value", "text", (c) => c.notNull())
      .execute();
  },
};
