import type { Kysely, Selectable, Transaction } from "kysely";
import type {
  CheckoutsTable,
  GatewayDatabase,
  InvoicesTable,
  PlansTable,
  SubscriptionsTable,
} from "../db/schema.js";

/** Stored rows of the billing tables. */
export type PlanRow = Selectable<PlansTable>;
export type SubscriptionRow = Selectable<SubscriptionsTable>;
export type CheckoutRow = Selectable<CheckoutsTable>;
export type InvoiceRow = Selectable<InvoicesTable>;

type Db = Kysely<GatewayDatabase> | Transaction<GatewayDatabase>;

/** Plans, subscriptions, checkouts, invoices and webhook idempotency records. Pass a transaction to compose. */
export class BillingRepo {
  constructor(private readonly db: Db) {}

  /** The same repository on a transaction. */
  with(trx: Transaction<GatewayDatabase>): BillingRepo {
    return new BillingRepo(trx);
  }

  plans(): Promise<PlanRow[]> {
    return this.db.selectFrom("plans").selectAll().orderBy("position").execute();
  }

  plan(id: string): Promise<PlanRow | undefined> {
    return this.db.selectFrom("plans").selectAll().where("id", "=", id).executeTakeFirst();
  }

  async updatePlan(id: string, patch: Partial<Omit<PlanRow, "id" | "position">>): Promise<void> {
    if (Object.keys(patch).length === 0) return;
    await this.db.updateTable("plans").set(patch).where("id", "=", id).execute();
  }

  subscription(address: string): Promise<SubscriptionRow | undefined> {
    return this.db.selectFrom("subscriptions").selectAll().where("address", "=", address).executeTakeFirst();
  }

  async putSubscription(row: SubscriptionRow): Promise<void> {
    const { address: _, ...rest } = row;
    await this.db
      .insertInto("subscriptions")
      .values(row)
      .onConflict((oc) => oc.column("address").doUpdateSet(rest))
      .execute();
  }

  async insertCheckout(row: CheckoutRow): Promise<void> {
    await this.db.insertInto("checkouts").values(row).execute();
  }

  checkout(id: string): Promise<CheckoutRow | undefined> {
    return this.db.selectFrom("checkouts").selectAll().where("id", "=", id).executeTakeFirst();
  }

  /** The newest pending checkout of `address`, if any. */
  latestPendingCheckout(address: string): Promise<CheckoutRow | undefined> {
    return this.db
      .selectFrom("checkouts")
      .selectAll()
      .where("address", "=", address)
      .where("status", "=", "pending")
      .orderBy("created_at", "desc")
      .limit(1)
      .executeTakeFirst();
  }

  /** Marks a pending checkout completed; returns whether this call did it. */
  async completeCheckout(id: string, at: string): Promise<boolean> {
    const result = await this.db
      .updateTable("checkouts")
      .set({ status: "completed", completed_at: at })
      .where("id", "=", id)
      .where("status", "=", "pending")
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async insertInvoice(row: InvoiceRow): Promise<void> {
    await this.db.insertInto("invoices").values(row).execute();
  }

  invoices(address: string): Promise<InvoiceRow[]> {
    return this.db
      .selectFrom("invoices")
      .selectAll()
      .where("address", "=", address)
      .orderBy("created_at", "desc")
      .orderBy("id")
      .execute();
  }

  /** Records a webhook event; `false` when `(provider, event_id)` was already recorded. */
  async recordWebhookEvent(provider: string, eventId: string, type: string, at: string): Promise<boolean> {
    const result = await this.db
      .insertInto("webhook_events")
      .values({ provider, event_id: eventId, type, received_at: at })
      .onConflict((oc) => oc.columns(["provider", "event_id"]).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }
}
