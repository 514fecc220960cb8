import type { Kysely } from "kysely";
import type { GatewayDatabase } from "../db/schema.js";

/** The `usage` table: executions per period, engine and owner. */
export class UsageRepo {
  constructor(private readonly db: Kysely<GatewayDatabase>) {}

  /** Adds `executions` atomically (an upsert that increments). */
  async add(period: string, engineId: string, address: string, executions: number): Promise<void> {
    await this.db
      .insertInto("usage")
      .values({ period, engine_id: engineId, address, executions })
      .onConflict((oc) =>
        oc
          .columns(["period", "engine_id", "address"])
          .doUpdateSet((eb) => ({ executions: eb("usage.executions", "+", eb.ref("excluded.executions")) })),
      )
      .execute();
  }

  /** Per-engine totals of `address` for `period`, most executions first. */
  async perEngine(address: string, period: string): Promise<{ engine_id: string; executions: number }[]> {
    const rows = await this.db
      .selectFrom("usage")
      .select(["engine_id", "executions"])
      .where("address", "=", address)
      .where("period", "=", period)
      .orderBy("executions", "desc")
      .orderBy("engine_id")
      .execute();
    return rows.map((r) => ({ engine_id: r.engine_id, executions: Number(r.executions) }));
  }
}
