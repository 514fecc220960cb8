import type { Plan } from "../services/types.js";

/**
 * The plans seeded on a new gateway (an operator changes them with `PUT /admin/plans/:id`). Prices are in USD;
 * `null` limits are unlimited. Order is the tier order, lowest first.
 */
export const DEFAULT_PLANS: readonly Plan[] = Object.freeze([
  {
    id: "free",
    name: "Free",
    description: "One engine for personal automations.",
    prices: [],
    limits: { engines: 1, shares_per_engine: 2, monthly_executions: 1_000 },
  },
  {
    id: "builder",
    name: "Builder",
    description: "A few engines and collaborators.",
    prices: [
      { duration_months: 1, price: 9, currency: "USD" },
      { duration_months: 12, price: 90, currency: "USD" },
    ],
    limits: { engines: 3, shares_per_engine: 5, monthly_executions: 10_000 },
  },
  {
    id: "creator",
    name: "Creator",
    description: "For teams running automations every day.",
    prices: [
      { duration_months: 1, price: 29, currency: "USD" },
      { duration_months: 12, price: 290, currency: "USD" },
    ],
    limits: { engines: 10, shares_per_engine: 20, monthly_executions: 100_000 },
  },
  {
    id: "architect",
    name: "Architect",
    description: "Many engines, many people, high volume.",
    prices: [
      { duration_months: 1, price: 99, currency: "USD" },
      { duration_months: 12, price: 990, currency: "USD" },
    ],
    limits: { engines: 50, shares_per_engine: 100, monthly_executions: 1_000_000 },
  },
  {
    id: "enterprise",
    name: "Enterprise",
    description: "No limits.",
    prices: [
      { duration_months: 1, price: 499, currency: "USD" },
      { duration_months: 12, price: 4_990, currency: "USD" },
    ],
    limits: { engines: null, shares_per_engine: null, monthly_executions: null },
  },
]);

/** Tiers, lowest first. */
export const TIERS = ["free", "builder", "creator", "architect", "enterprise"] as const;
