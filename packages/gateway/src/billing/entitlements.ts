import { FloworkError } from "@flowork/protocol";
import { BillingRepo } from "../repos/billing.js";
import { parseJson } from "../repos/errors.js";
import { nowIso } from "../services/common.js";
import type { PlanLimits, ServiceDeps, Subscription, Tier } from "../services/types.js";
import { TIERS } from "./default-plans.js";

const UNLIMITED: PlanLimits = { engines: null, shares_per_engine: null, monthly_executions: null };

/** Narrows a stored plan id to a tier (unknown ids count as free). */
export function asTier(id: string): Tier {
  return (TIERS as readonly string[]).includes(id) ? (id as Tier) : "free";
}

/**
 * Who is on which plan, and the quota checks. Billing off: everyone is on `enterprise`, nothing is limited.
 * A subscription whose `expires_at` passed, or that was canceled, reads as `expired` and falls back to free.
 */
export class Entitlements {
  private readonly repo: BillingRepo;
  private readonly clock: () => number;

  constructor(private readonly deps: ServiceDeps) {
    this.repo = new BillingRepo(deps.db);
    this.clock = deps.clock ?? Date.now;
  }

  async subscription(address: string): Promise<Subscription> {
    if (!this.deps.config.billingEnabled) {
      return {
        plan_id: "enterprise",
        tier: "enterprise",
        status: "active",
        expires_at: null,
        provider: null,
      };
    }
    const row = await this.repo.subscription(address);
    if (row === undefined) {
      // A first paid plan being checked out reads as pending (free limits apply until it completes).
      const pending = await this.repo.latestPendingCheckout(address);
      if (pending !== undefined) {
        const plan = asTier(pending.plan_id);
        return {
          plan_id: plan,
          tier: "free",
          status: "pending",
          expires_at: null,
          provider: pending.provider,
        };
      }
      return { plan_id: "free", tier: "free", status: "active", expires_at: null, provider: null };
    }
    const plan = asTier(row.plan_id);
    const lapsed = row.expires_at !== null && row.expires_at <= nowIso(this.clock);
    if (row.status === "active" && !lapsed) {
      return {
        plan_id: plan,
        tier: plan,
        status: "active",
        expires_at: row.expires_at,
        provider: row.provider,
      };
    }
    return {
      plan_id: plan,
      tier: "free",
      status: "expired",
      expires_at: row.expires_at,
      provider: row.provider,
    };
  }

  /** The tier and limits that apply to `address` now. */
  async limitsOf(address: string | null): Promise<{ tier: Tier; limits: PlanLimits }> {
    if (!this.deps.config.billingEnabled) return { tier: "enterprise", limits: { ...UNLIMITED } };
    const tier = address === null ? "free" : (await this.subscription(address)).tier;
    return { tier, limits: await this.planLimits(tier) };
  }

  async planLimits(planId: string): Promise<PlanLimits> {
    const plan = await this.repo.plan(planId);
    return parseJson<PlanLimits>(plan?.limits ?? null, { ...UNLIMITED });
  }

  /**
   * @throws FloworkError QUOTA_EXCEEDED `{limit, max, current, tier}` when `current + 1` would pass the limit.
   */
  async assertBelow(address: string, limit: keyof PlanLimits, current: number): Promise<void> {
    if (!this.deps.config.billingEnabled) return;
    const { tier, limits } = await this.limitsOf(address);
    const max = limits[limit];
    if (max !== null && current >= max) {
      throw new FloworkError(
        "QUOTA_EXCEEDED",
        `Your ${tier} plan allows ${max} ${limit.replaceAll("_", " ")}.`,
        {
          details: { limit, max, current, tier },
        },
      );
    }
  }
}
