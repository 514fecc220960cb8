import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codeOf, type Harness, newSigner, startHarness, WEBHOOK_SECRET } from "../http/test-harness.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ env: { FLOWORK_BILLING: "on" } });
});
afterAll(() => h.close());

const hmac = (body: string, secret = WEBHOOK_SECRET) =>
  `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;

function webhook(body: string, signature?: string) {
  return h.app.inject({
    method: "POST",
    url: "/api/v1/billing/webhook/manual",
    payload: body,
    headers: {
      "content-type": "application/json",
      ...(signature === undefined ? {} : { "x-flowork-webhook-signature": signature }),
    },
  });
}

describe("/billing", () => {
  it("lists plans, lowest tier first", async () => {
    const plans = (await h.app.inject("/api/v1/billing/plans")).json();
    expect(plans[0]).toMatchObject({ id: "free", limits: { engines: expect.any(Number) } });
    expect(plans.map((p: { id: string }) => p.id)).toContain("enterprise");
  });

  it("free by default; checkout 201 pending; a signed webhook completes it, once", async () => {
    const s = newSigner();
    const sub = (await h.signed(s, "GET", "/api/v1/billing/subscription")).json();
    expect(sub).toMatchObject({ plan_id: "free", tier: "free", status: "active" });

    const checkout = await h.signed(s, "POST", "/api/v1/billing/checkout", {
      plan_id: "builder",
      duration_months: 1,
    });
    expect(checkout.statusCode, checkout.body).toBe(201);
    const { checkout_id } = checkout.json();
    expect(checkout.json()).toMatchObject({
      status: "pending",
      provider: "manual",
      payment_url: expect.any(String),
    });

    const event = JSON.stringify({ event_id: "evt_1", type: "checkout.completed", checkout_id });
    const first = await webhook(event, hmac(event));
    expect([first.statusCode, first.json()]).toEqual([200, { event_id: "evt_1", duplicate: false }]);
    const dup = await webhook(event, hmac(event));
    expect(dup.json().duplicate).toBe(true);

    expect((await h.signed(s, "GET", "/api/v1/billing/subscription")).json()).toMatchObject({
      plan_id: "builder",
      status: "active",
    });
    const invoices = (await h.signed(s, "GET", "/api/v1/billing/invoices")).json();
    expect(invoices).toEqual([expect.objectContaining({ plan_id: "builder", amount: 9, currency: "USD" })]);
    const license = (await h.signed(s, "GET", "/api/v1/user/license")).json();
    expect(license.data.tier).toBe("builder");
  });

  it("webhook refuses a missing or wrong signature, and a tampered body", async () => {
    const event = JSON.stringify({ event_id: "evt_x", type: "checkout.completed", checkout_id: "chk_nope" });
    expect([(await webhook(event)).statusCode, codeOf(await webhook(event))]).toEqual([401, "AUTH_MISSING"]);
    expect(codeOf(await webhook(event, hmac(event, "wrong")))).toBe("AUTH_INVALID_SIGNATURE");
    expect(codeOf(await webhook(event.replace("evt_x", "evt_y"), hmac(event)))).toBe(
      "AUTH_INVALID_SIGNATURE",
    );
    expect(codeOf(await webhook(event, hmac(event)))).toBe("NOT_FOUND");
  });

  it("checkout refuses unknown plans, durations and fields", async () => {
    const s = newSigner();
    const url = "/api/v1/billing/checkout";
    expect(codeOf(await h.signed(s, "POST", url, { plan_id: "gold", duration_months: 1 }))).toBe("NOT_FOUND");
    expect(codeOf(await h.signed(s, "POST", url, { plan_id: "builder", duration_months: 7 }))).toBe(
      "VALIDATION_FAILED",
    );
    expect(
      codeOf(await h.signed(s, "POST", url, { plan_id: "builder", duration_months: 1, coupon: "x" })),
    ).toBe("VALIDATION_FAILED");
  });

  it("usage counts engines; the engine limit is enforced with QUOTA_EXCEEDED", async () => {
    const s = newSigner();
    const first = await h.signed(s, "POST", "/api/v1/user/engines", { name: "one" });
    expect(first.statusCode).toBe(201);
    const usage = (await h.signed(s, "GET", "/api/v1/billing/usage")).json();
    expect(usage).toMatchObject({
      period: expect.stringMatching(/^\d{4}-\d{2}$/),
      executions: 0,
      engines: 1,
    });
    const over = await h.signed(s, "POST", "/api/v1/user/engines", { name: "two" });
    expect([over.statusCode, codeOf(over), over.json().error.details.limit]).toEqual([
      402,
      "QUOTA_EXCEEDED",
      "engines",
    ]);
  });
});
