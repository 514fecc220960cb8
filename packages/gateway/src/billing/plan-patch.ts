import { invalid } from "../services/common.js";
import type { Plan, PlanLimits, PlanPatch } from "../services/types.js";

const LIMIT_KEYS = ["engines", "shares_per_engine", "monthly_executions"] as const;

/**
 * Applies an admin's plan patch, validating it: limits are non-negative integers or null (unlimited); prices have
 * a positive integer `duration_months`, a non-negative `price` and a 3-letter currency.
 * @throws FloworkError VALIDATION_FAILED
 */
export function validatePlanPatch(current: Plan, patch: PlanPatch): Plan {
  const limits: PlanLimits = { ...current.limits };
  for (const key of LIMIT_KEYS) {
    const value = patch.limits?.[key];
    if (value === undefined) continue;
    if (value !== null && (!Number.isInteger(value) || value < 0)) {
      throw invalid(`limits.${key}`, "a non-negative integer or null");
    }
    limits[key] = value;
  }
  const prices = patch.prices ?? current.prices;
  prices.forEach((p, i) => {
    if (!Number.isInteger(p.duration_months) || p.duration_months < 1) {
      throw invalid(`prices.${i}.duration_months`, "a positive integer");
    }
    if (typeof p.price !== "number" || !Number.isFinite(p.price) || p.price < 0) {
      throw invalid(`prices.${i}.price`, "a non-negative number");
    }
    if (!/^[A-Z]{3}$/.test(p.currency)) throw invalid(`prices.${i}.currency`, "an ISO 4217 code");
  });
  const name = patch.name ?? current.name;
  const description = patch.description ?? current.description;
  if (name.length === 0 || name.length > 100) throw invalid("name", "1 to 100 characters");
  if (description.length > 1_000) throw invalid("description", "at most 1000 characters");
  return { id: current.id, name, description, prices: prices.map((p) => ({ ...p })), limits };
}
