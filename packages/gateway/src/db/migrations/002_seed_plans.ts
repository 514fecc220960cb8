import type { Kysely, Migration } from "kysely";
import { DEFAULT_PLANS } from "../../billing/default-plans.js";
import type { GatewayDatabase } from "../schema.js";

/** Seeds the default plans (an operator edits them afterwards; this never runs twice). */
export const migration002SeedPlans: Migration = {
  async up(raw: Kysely<unknown>): Promise<void> {
    const db = raw as Kysely<GatewayDatabase>;
    await db
      .insertInto("plans")
      .values(
        DEFAULT_PLANS.map((p, position) => ({
          id: p.id,
          name: p.name,
          description: p.description,
          prices: JSON.stringify(p.prices),
          limits: JSON.stringify(p.limits),
          position,
        })),
      )
      .execute();
  },
};
