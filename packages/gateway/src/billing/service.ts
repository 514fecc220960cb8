import type { KeyObject } from "node:crypto";
import { randomUUID } from "node:crypto";
import { FloworkError } from "@flowork/protocol";
import { BillingRepo, type PlanRow } from "../repos/billing.js";
import { EnginesRepo } from "../repos/engines.js";
import { parseJson } from "../repos/errors.js";
import { SettingsRepo } from "../repos/settings.js";
import { UsageRepo } from "../repos/usage.js";
import { UsersRepo } from "../repos/users.js";
import { addMonths, invalid, normalizeAddress, nowIso, periodOf } from "../services/common.js";
import { DISABLED_COMPONENTS_KEY } from "../services/engines.js";
import { ensureUser } from "../services/identity.js";
import type {
  BillingService,
  CheckoutResult,
  Clock,
  InvoiceView,
  License,
  Plan,
  PlanLimits,
  PlanPatch,
  ServiceDeps,
  Subscription,
  Tier,
  UsageRecordResult,
  UsageView,
  WebhookResult,
} from "../services/types.js";
import { asTier, Entitlements } from "./entitlements.js";
import { loadOrCreateLicenseKey, publicKeyPem, signLicense } from "./license.js";
import { validatePlanPatch } from "./plan-patch.js";
import { ManualProvider, type PaymentProvider } from "./providers.js";
import { verifyWebhook } from "./webhook.js";

/** Licenses without a subscription end date (billing off, free tier) are valid this long. */
export const LICENSE_DEFAULT_VALIDITY_MS = 365 * 24 * 60 * 60 * 1000;
const PERIOD = /^\d{4}-(0[1-9]|1[0-2])$/;

/** {@link BillingService} dependencies: the common ones plus payment providers (default: `manual`). */
export interface BillingDeps extends ServiceDeps {
  providers?: PaymentProvider[];
}

/** {@link BillingService} on the gateway database. */
export class BillingServiceImpl implements BillingService {
  private readonly repo: BillingRepo;
  private readonly engines: EnginesRepo;
  private readonly usageRepo: UsageRepo;
  private readonly users: UsersRepo;
  private readonly settings: SettingsRepo;
  private readonly entitlements: Entitlements;
  private readonly providers: Map<string, PaymentProvider>;
  private readonly clock: Clock;
  private key: KeyObject | undefined;

  constructor(private readonly deps: BillingDeps) {
    this.repo = new BillingRepo(deps.db);
    this.engines = new EnginesRepo(deps.db);
    this.usageRepo = new UsageRepo(deps.db);
    this.users = new UsersRepo(deps.db);
    this.settings = new SettingsRepo(deps.db);
    this.entitlements = new Entitlements(deps);
    this.clock = deps.clock ?? Date.now;
    // Read at each checkout: with --port 0 the real port is only known once the server listens.
    const base = () => {
      if (deps.config.publicUrl !== undefined) return deps.config.publicUrl;
      const host = ["0.0.0.0", "::", ""].includes(deps.config.host) ? "localhost" : deps.config.host;
      return `http://${host.includes(":") ? `[${host}]` : host}:${deps.config.port}`;
    };
    const providers = deps.providers ?? [new ManualProvider(base)];
    this.providers = new Map(providers.map((p) => [p.id, p]));
  }

  async plans(): Promise<Plan[]> {
    return (await this.repo.plans()).map(toPlan);
  }

  subscription(address: string): Promise<Subscription> {
    return this.entitlements.subscription(normalizeAddress(address));
  }

  limitsOf(address: string): Promise<{ tier: Tier; limits: PlanLimits }> {
    return this.entitlements.limitsOf(normalizeAddress(address));
  }

  async checkout(address: string, planId: string, durationMonths: number): Promise<CheckoutResult> {
    const me = normalizeAddress(address);
    const plan = await this.repo.plan(planId);
    if (plan === undefined) throw new FloworkError("NOT_FOUND", "No such plan.");
    const price = toPlan(plan).prices.find((p) => p.duration_months === durationMonths);
    if (price === undefined) throw invalid("duration_months", "this plan has no price for that duration");
    const provider = this.providers.get("manual") ?? [...this.providers.values()][0];
    if (provider === undefined) throw new FloworkError("INTERNAL", "No payment provider is configured.");
    const at = nowIso(this.clock);
    await ensureUser(this.users, me, at);
    const id = `chk_${randomUUID()}`;
    const { payment_url } = await provider.createPayment({
      checkout_id: id,
      address: me,
      plan_id: plan.id,
      duration_months: durationMonths,
      amount: price.price,
      currency: price.currency,
    });
    await this.repo.insertCheckout({
      id,
      address: me,
      plan_id: plan.id,
      duration_months: durationMonths,
      status: "pending",
      provider: provider.id,
      amount: price.price,
      currency: price.currency,
      created_at: at,
      completed_at: null,
    });
    return { checkout_id: id, status: "pending", provider: provider.id, payment_url };
  }

  async webhook(
    provider: string,
    rawBody: string | Uint8Array,
    signatureHeader: string | undefined,
  ): Promise<WebhookResult> {
    if (!this.providers.has(provider)) throw new FloworkError("NOT_FOUND", "No such payment provider.");
    const event = verifyWebhook(rawBody, signatureHeader, this.deps.config.billingWebhookSecret);
    const at = nowIso(this.clock);
    // The idempotency record and the effect commit together: a failed effect leaves the event retryable.
    const affected = await this.deps.db.transaction().execute(async (trx) => {
      const repo = this.repo.with(trx);
      if (!(await repo.recordWebhookEvent(provider, event.event_id, event.type, at))) return undefined;
      const checkout = await repo.checkout(event.checkout_id);
      if (checkout === undefined || checkout.provider !== provider) {
        throw new FloworkError("NOT_FOUND", "No such checkout for this provider.");
      }
      if (event.type === "checkout.completed") await this.complete(repo, checkout.id, at);
      else await this.cancel(repo, checkout.address, checkout.plan_id, at);
      return checkout.address;
    });
    if (affected !== undefined) await this.announce(affected);
    return { event_id: event.event_id, duplicate: affected === undefined };
  }

  async completeCheckout(checkoutId: string): Promise<Subscription> {
    const at = nowIso(this.clock);
    const address = await this.deps.db.transaction().execute(async (trx) => {
      const repo = this.repo.with(trx);
      const checkout = await repo.checkout(checkoutId);
      if (checkout === undefined) throw new FloworkError("NOT_FOUND", "No such checkout.");
      await this.complete(repo, checkoutId, at);
      return checkout.address;
    });
    await this.announce(address);
    return this.entitlements.subscription(address);
  }

  async usage(address: string): Promise<UsageView> {
    const me = normalizeAddress(address);
    const period = periodOf(this.clock());
    const per_engine = await this.usageRepo.perEngine(me, period);
    return {
      period,
      executions: per_engine.reduce((sum, e) => sum + e.executions, 0),
      limits: (await this.entitlements.limitsOf(me)).limits,
      engines: await this.engines.countByOwner(me),
      per_engine,
    };
  }

  async recordUsage(engineId: string, period: string, executions: number): Promise<UsageRecordResult> {
    if (!PERIOD.test(period)) throw invalid("period", "YYYY-MM");
    if (!Number.isInteger(executions) || executions < 0 || executions > 1_000_000_000) {
      throw invalid("executions", "an integer from 0 to 1e9");
    }
    const engine = await this.engines.find(engineId);
    if (engine === undefined) throw new FloworkError("NOT_FOUND", "No such engine.");
    const owner = engine.owner_address;
    if (owner === null) {
      return { owner_address: null, period, executions: 0, limit: null, over_limit: false };
    }
    if (executions > 0) await this.usageRepo.add(period, engineId, owner, executions);
    const total = (await this.usageRepo.perEngine(owner, period)).reduce((sum, e) => sum + e.executions, 0);
    const limit = (await this.entitlements.limitsOf(owner)).limits.monthly_executions;
    return {
      owner_address: owner,
      period,
      executions: total,
      limit,
      over_limit: limit !== null && total > limit,
    };
  }

  async invoices(address: string): Promise<InvoiceView[]> {
    return (await this.repo.invoices(normalizeAddress(address))).map((i) => ({
      id: i.id,
      plan_id: asTier(i.plan_id),
      amount: Number(i.amount),
      currency: i.currency,
      status: "paid",
      created_at: i.created_at,
    }));
  }

  async license(address: string): Promise<License> {
    const me = normalizeAddress(address);
    const sub = await this.entitlements.subscription(me);
    const now = this.clock();
    const validUntil =
      sub.status === "active" && sub.expires_at !== null
        ? sub.expires_at
        : new Date(now + LICENSE_DEFAULT_VALIDITY_MS).toISOString();
    return signLicense(
      {
        license_id: `flw-lic-${randomUUID()}`,
        public_address: me,
        tier: sub.tier,
        issued_at: new Date(now).toISOString(),
        valid_until: validUntil,
      },
      this.signingKey(),
    );
  }

  async licensePublicKey(): Promise<string> {
    return publicKeyPem(this.signingKey());
  }

  async setPlan(planId: string, patch: PlanPatch): Promise<Plan> {
    const plan = await this.repo.plan(planId);
    if (plan === undefined) throw new FloworkError("NOT_FOUND", "No such plan.");
    const current = toPlan(plan);
    const next = validatePlanPatch(current, patch);
    await this.repo.updatePlan(planId, {
      name: next.name,
      description: next.description,
      prices: JSON.stringify(next.prices),
      limits: JSON.stringify(next.limits),
    });
    return next;
  }

  async grantSubscription(address: string, planId: string, months: number): Promise<Subscription> {
    const me = normalizeAddress(address);
    if (!Number.isInteger(months) || months < 1 || months > 120)
      throw invalid("months", "an integer from 1 to 120");
    if ((await this.repo.plan(planId)) === undefined) throw new FloworkError("NOT_FOUND", "No such plan.");
    const at = nowIso(this.clock);
    await ensureUser(this.users, me, at);
    await this.repo.putSubscription({
      address: me,
      plan_id: planId,
      status: "active",
      expires_at: new Date(addMonths(this.clock(), months)).toISOString(),
      provider: "admin",
      updated_at: at,
    });
    await this.announce(me);
    return this.entitlements.subscription(me);
  }

  disabledComponents(): Promise<string[]> {
    return this.settings.get<string[]>(DISABLED_COMPONENTS_KEY, []);
  }

  async setDisabledComponents(moduleIds: string[]): Promise<string[]> {
    if (moduleIds.length > 1_000) throw invalid("", "at most 1000 module ids");
    for (const id of moduleIds) {
      if (typeof id !== "string" || id.length === 0 || id.length > 200)
        throw invalid("", "1 to 200 characters each");
    }
    const unique = [...new Set(moduleIds)];
    await this.settings.set(DISABLED_COMPONENTS_KEY, unique);
    for (const engine of await this.engines.listAll()) this.deps.events.refreshAuthList(engine.id);
    return unique;
  }

  /** Completes a pending checkout in `repo`'s transaction: extends or starts the subscription, writes an invoice. */
  private async complete(repo: BillingRepo, checkoutId: string, at: string): Promise<void> {
    if (!(await repo.completeCheckout(checkoutId, at))) return; // already completed: nothing to do
    const checkout = await repo.checkout(checkoutId);
    if (checkout === undefined) return;
    const current = await repo.subscription(checkout.address);
    const now = this.clock();
    const running =
      current !== undefined &&
      current.status === "active" &&
      current.plan_id === checkout.plan_id &&
      current.expires_at !== null &&
      Date.parse(current.expires_at) > now;
    const from = running && current.expires_at !== null ? Date.parse(current.expires_at) : now;
    await repo.putSubscription({
      address: checkout.address,
      plan_id: checkout.plan_id,
      status: "active",
      expires_at: new Date(addMonths(from, checkout.duration_months)).toISOString(),
      provider: checkout.provider,
      updated_at: at,
    });
    await repo.insertInvoice({
      id: `inv_${randomUUID()}`,
      address: checkout.address,
      plan_id: checkout.plan_id,
      checkout_id: checkout.id,
      amount: checkout.amount,
      currency: checkout.currency,
      status: "paid",
      created_at: at,
    });
  }

  /** Cancels the address's subscription to that plan at once (it reads as `expired`, limits fall to free). */
  private async cancel(repo: BillingRepo, address: string, planId: string, at: string): Promise<void> {
    const current = await repo.subscription(address);
    if (current === undefined || current.plan_id !== planId) return;
    await repo.putSubscription({ ...current, status: "canceled", expires_at: at, updated_at: at });
  }

  /** Tells every engine of `address` its new tier and quotas. */
  private async announce(address: string): Promise<void> {
    const { tier, limits } = await this.entitlements.limitsOf(address);
    for (const engine of await this.engines.listByOwner(address)) {
      this.deps.events.quotaChanged(engine.id, tier, { ...limits });
    }
  }

  private signingKey(): KeyObject {
    this.key ??= loadOrCreateLicenseKey(this.deps.config.dataDir);
    return this.key;
  }
}

/** The wire plan of a stored row. */
export function toPlan(row: PlanRow): Plan {
  return {
    id: asTier(row.id),
    name: row.name,
    description: row.description,
    prices: parseJson(row.prices, []),
    limits: parseJson(row.limits, { engines: null, shares_per_engine: null, monthly_executions: null }),
  };
}
