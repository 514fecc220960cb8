import { describe, expect, it } from "vitest";
import { formatLimit, formatMoney, type Plan, purchasablePlans, type Usage, usageBars } from "./billing.js";
import { checkoutIdFromPath } from "./route.js";

const limits = { engines: 3, shares_per_engine: 5, monthly_executions: 10_000 };
const plan = (id: string, priced: boolean): Plan => ({
  id,
  name: id,
  description: "",
  prices: priced ? [{ duration_months: 1, price: 9, currency: "USD" }] : [],
  limits,
});

describe("billing helpers", () => {
  it("turns usage into bars against the plan's limits, unlimited ones without a bar", () => {
    const usage: Usage = {
      period: "2025-01",
      executions: 2500,
      limits,
      engines: 3,
      per_engine: [],
    };
    expect(usageBars(usage)).toEqual([
      {
        label: "Executions in 2025-01",
        used: 2500,
        limit: 10_000,
        percent: 25,
        over: false,
        text: "2,500 of 10,000",
      },
      { label: "Engines", used: 3, limit: 3, percent: 100, over: true, text: "3 of 3" },
    ]);
    const free = usageBars({ ...usage, executions: 5, limits: { ...limits, monthly_executions: null } });
    expect(free[0]).toMatchObject({ percent: null, over: false, text: "5 (no limit)" });
  });

  it("offers priced plans from the current tier up", () => {
    const plans = ["free", "builder", "creator", "enterprise"].map((id) => plan(id, id !== "free"));
    expect(purchasablePlans(plans, "free").map((p) => p.id)).toEqual(["builder", "creator", "enterprise"]);
    expect(purchasablePlans(plans, "creator").map((p) => p.id)).toEqual(["creator", "enterprise"]);
  });

  it("formats money and limits", () => {
    expect(formatMoney(9, "USD")).toBe("$9.00");
    expect(formatMoney(9, "NOPE1")).toBe("9.00 NOPE1");
    expect(formatLimit(null, "engine", "engines")).toBe("unlimited engines");
    expect(formatLimit(1, "engine", "engines")).toBe("1 engine");
    expect(formatLimit(1000, "execution", "executions")).toBe("1,000 executions");
  });

  it("reads the manual provider's payment URL path", () => {
    expect(checkoutIdFromPath("/billing/checkout/chk_1234-abcd")).toBe("chk_1234-abcd");
    expect(checkoutIdFromPath("/billing/checkout/")).toBeUndefined();
    expect(checkoutIdFromPath("/engines")).toBeUndefined();
  });
});
