/** Shapes of the gateway's billing routes (SPEC section 2). `null` limits are unlimited. */
export interface Limits {
  engines: number | null;
  shares_per_engine: number | null;
  monthly_executions: number | null;
}

export interface Plan {
  id: string;
  name: string;
  description: string;
  prices: { duration_months: number; price: number; currency: string }[];
  limits: Limits;
}

export interface Subscription {
  plan_id: string;
  tier: string;
  status: "active" | "pending" | "expired";
  expires_at: string | null;
  provider: string | null;
}

export interface Usage {
  period: string;
  executions: number;
  limits: Limits;
  engines: number;
  per_engine: { engine_id: string; executions: number }[];
}

export interface Invoice {
  id: string;
  plan_id: string;
  amount: number;
  currency: string;
  status: string;
  created_at: string;
}

export interface Checkout {
  checkout_id: string;
  status: "pending";
  provider: string;
  payment_url: string;
}

export interface SystemInfo {
  version: string;
  billing_enabled: boolean;
  auth_window_ms: number;
}

/** Tiers, lowest first (SPEC section 2). */
export const TIERS = ["free", "builder", "creator", "architect", "enterprise"] as const;

export function tierRank(tier: string): number {
  return (TIERS as readonly string[]).indexOf(tier);
}

/** One usage bar: how much of a quota is used. */
export interface UsageBar {
  label: string;
  used: number;
  limit: number | null;
  /** 0..100, or null when there is no limit. */
  percent: number | null;
  over: boolean;
  text: string;
}

function bar(label: string, used: number, limit: number | null): UsageBar {
  const n = used.toLocaleString("en-US");
  if (limit === null) return { label, used, limit, percent: null, over: false, text: `${n} (no limit)` };
  const percent = limit === 0 ? 100 : Math.min(100, Math.round((used / limit) * 100));
  return {
    label,
    used,
    limit,
    percent,
    over: used >= limit,
    text: `${n} of ${limit.toLocaleString("en-US")}`,
  };
}

/** The bars of the billing page: executions this month and engines, against the plan's limits. */
export function usageBars(usage: Usage): UsageBar[] {
  return [
    bar(`Executions in ${usage.period}`, usage.executions, usage.limits.monthly_executions),
    bar("Engines", usage.engines, usage.limits.engines),
  ];
}

/** `9 USD` as a reader expects it: `$9.00`. Unknown currencies fall back to `9.00 XYZ`. */
export function formatMoney(amount: number, currency: string): string {
  try {
    return new Intl.NumberFormat("en-US", { style: "currency", currency }).format(amount);
  } catch {
    return `${amount.toFixed(2)} ${currency}`;
  }
}

/** `3 engines`, `1 engine`, `unlimited engines`: `one` is the singular, `many` the plural. */
export function formatLimit(n: number | null, one: string, many: string): string {
  if (n === null) return `unlimited ${many}`;
  return `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;
}

export function durationText(months: number): string {
  if (months === 12) return "year";
  return months === 1 ? "month" : `${months} months`;
}

/** Plans the user can buy: priced, and not below the tier they have now (their own tier renews it). */
export function purchasablePlans(plans: readonly Plan[], currentTier: string): Plan[] {
  const have = tierRank(currentTier);
  return plans.filter((p) => p.prices.length > 0 && tierRank(p.id) >= have);
}
