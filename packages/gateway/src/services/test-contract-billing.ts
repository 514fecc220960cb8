import { statSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { verifyLicense } from "../billing/license.js";
import { webhookSignature } from "../billing/webhook.js";
import { addr, type OpenTestDb, openWorld, WEBHOOK_SECRET, type World } from "./test-harness.js";

function signed(body: unknown): [string, string] {
  const raw = JSON.stringify(body);
  return [raw, webhookSignature(raw, WEBHOOK_SECRET)];
}

/** Billing: plans, quotas, checkout, webhooks, usage, invoices, licenses, admin. */
export function billingContract(openDb: OpenTestDb): void {
  describe("billing off", () => {
    let w: World;
    beforeEach(async () => {
      w = await openWorld(openDb);
    });
    afterEach(async () => w.close());

    it("puts everyone on the top tier with no limits", async () => {
      const a = addr();
      expect(await w.services.billing.subscription(a)).toEqual({
        plan_id: "enterprise",
        tier: "enterprise",
        status: "active",
        expires_at: null,
        provider: null,
      });
      for (let i = 0; i < 3; i++) await w.services.engines.create(a, `e${i}`);
      expect(await w.services.engines.list(a)).toHaveLength(3);
    });

    it("seeds five plans in tier order", async () => {
      const plans = await w.services.billing.plans();
      expect(plans.map((p) => p.id)).toEqual(["free", "builder", "creator", "architect", "enterprise"]);
      expect(plans[0]?.limits).toEqual({ engines: 1, shares_per_engine: 2, monthly_executions: 1000 });
    });

    it("signs licenses verifiable with the published key, kept in a 0600 file", async () => {
      const a = addr();
      const license = await w.services.billing.license(a);
      expect(license.data.license_id).toMatch(/^flw-lic-[0-9a-f-]{36}$/);
      expect(license.data).toMatchObject({ public_address: a, tier: "enterprise" });
      const key = await w.services.billing.licensePublicKey();
      expect(key).toContain("BEGIN PUBLIC KEY");
      expect(verifyLicense(license, key)).toBe(true);
      expect(verifyLicense({ ...license, data: { ...license.data, tier: "free" } }, key)).toBe(false);
      expect(statSync(join(w.config.dataDir, "license-key.pem")).mode & 0o777).toBe(0o600);
    });

    it("manages disabled components", async () => {
      const e = await w.services.engines.create(addr(), "e");
      expect(await w.services.billing.disabledComponents()).toEqual([]);
      expect(await w.services.billing.setDisabledComponents(["a.b", "c", "a.b"])).toEqual(["a.b", "c"]);
      expect(await w.services.billing.disabledComponents()).toEqual(["a.b", "c"]);
      expect((await w.services.engines.authInfo(e.id)).disabled_components).toEqual(["a.b", "c"]);
      expect(w.events).toContainEqual({ name: "refreshAuthList", args: [e.id] });
    });
  });

  describe("billing on", () => {
    let w: World;
    beforeEach(async () => {
      w = await openWorld(openDb, { billing: true });
    });
    afterEach(async () => w.close());

    it("enforces the engines and shares quotas of the free plan", async () => {
      const a = addr();
      expect((await w.services.billing.subscription(a)).tier).toBe("free");
      const e = await w.services.engines.create(a, "one");
      await expect(w.services.engines.create(a, "two")).rejects.toMatchObject({
        code: "QUOTA_EXCEEDED",
        details: { limit: "engines", max: 1 },
      });
      await w.services.shares.share(e.id, a, { address: addr(), role: "reader" });
      const second = addr();
      await w.services.shares.share(e.id, a, { address: second, role: "reader" });
      await expect(
        w.services.shares.share(e.id, a, { address: addr(), role: "reader" }),
      ).rejects.toMatchObject({
        code: "QUOTA_EXCEEDED",
        details: { limit: "shares_per_engine" },
      });
      // Changing an existing share's role is not a new share.
      await w.services.shares.share(e.id, a, { address: second, role: "runner" });
      const u = await w.services.engines.createUnowned("local");
      const { code } = await w.services.pairing.createCode(u.id);
      await expect(w.services.pairing.claim(code, a)).rejects.toMatchObject({ code: "QUOTA_EXCEEDED" });
    });

    it("checks out, completes once via a signed webhook, and ignores a replay", async () => {
      const a = addr();
      await w.services.engines.create(a, "e");
      const checkout = await w.services.billing.checkout(a, "builder", 1);
      expect(checkout).toMatchObject({ status: "pending", provider: "manual" });
      expect(checkout.payment_url).toBe(`https://gw.example/billing/checkout/${checkout.checkout_id}`);
      expect(await w.services.billing.subscription(a)).toMatchObject({
        plan_id: "builder",
        tier: "free",
        status: "pending",
      });
      const [raw, sig] = signed({
        event_id: "evt_1",
        type: "checkout.completed",
        checkout_id: checkout.checkout_id,
      });
      expect(await w.services.billing.webhook("manual", raw, sig)).toEqual({
        event_id: "evt_1",
        duplicate: false,
      });
      const sub = await w.services.billing.subscription(a);
      expect(sub).toMatchObject({
        plan_id: "builder",
        tier: "builder",
        status: "active",
        provider: "manual",
      });
      expect(sub.expires_at).toBe("2030-02-15T12:00:00.000Z");
      expect(w.events.some((e) => e.name === "quotaChanged" && e.args[1] === "builder")).toBe(true);
      expect(await w.services.billing.webhook("manual", raw, sig)).toEqual({
        event_id: "evt_1",
        duplicate: true,
      });
      expect(await w.services.billing.invoices(a)).toEqual([
        {
          id: expect.stringMatching(/^inv_/),
          plan_id: "builder",
          amount: 9,
          currency: "USD",
          status: "paid",
          created_at: expect.any(String),
        },
      ]);
      expect((await w.services.billing.subscription(a)).expires_at).toBe(sub.expires_at);
      await w.services.engines.create(a, "second engine now allowed");
    });

    it("rejects bad webhook signatures, bodies and unknown checkouts", async () => {
      const [raw, sig] = signed({ event_id: "evt_x", type: "checkout.completed", checkout_id: "chk_nope" });
      await expect(w.services.billing.webhook("manual", raw, undefined)).rejects.toMatchObject({
        code: "AUTH_MISSING",
      });
      await expect(
        w.services.billing.webhook("manual", raw, "sha256=" + "0".repeat(64)),
      ).rejects.toMatchObject({
        code: "AUTH_INVALID_SIGNATURE",
      });
      await expect(w.services.billing.webhook("manual", `${raw} `, sig)).rejects.toMatchObject({
        code: "AUTH_INVALID_SIGNATURE",
      });
      await expect(w.services.billing.webhook("stripe", raw, sig)).rejects.toMatchObject({
        code: "NOT_FOUND",
      });
      await expect(w.services.billing.webhook("manual", raw, sig)).rejects.toMatchObject({
        code: "NOT_FOUND",
      });
      const notJson = "nope{";
      await expect(
        w.services.billing.webhook("manual", notJson, webhookSignature(notJson, WEBHOOK_SECRET)),
      ).rejects.toMatchObject({ code: "BAD_REQUEST" });
      const [badRaw, badSig] = signed({ event_id: "e", type: "refund", checkout_id: "c" });
      await expect(w.services.billing.webhook("manual", badRaw, badSig)).rejects.toMatchObject({
        code: "VALIDATION_FAILED",
      });
      // A failed event is not recorded: the same event id works once the checkout exists.
      expect(await w.db.selectFrom("webhook_events").selectAll().execute()).toEqual([]);
    });

    it("cancels a subscription back to free", async () => {
      const a = addr();
      const checkout = await w.services.billing.checkout(a, "creator", 12);
      await w.services.billing.completeCheckout(checkout.checkout_id);
      expect((await w.services.billing.subscription(a)).tier).toBe("creator");
      const [raw, sig] = signed({
        event_id: "evt_c",
        type: "subscription.canceled",
        checkout_id: checkout.checkout_id,
      });
      await w.services.billing.webhook("manual", raw, sig);
      expect(await w.services.billing.subscription(a)).toMatchObject({ tier: "free", status: "expired" });
    });

    it("expires a subscription when its time passes", async () => {
      const a = addr();
      await w.services.billing.grantSubscription(a, "architect", 1);
      expect((await w.services.billing.subscription(a)).tier).toBe("architect");
      const license = await w.services.billing.license(a);
      expect(license.data.valid_until).toBe("2030-02-15T12:00:00.000Z");
      w.advance(40 * 24 * 3600 * 1000);
      expect(await w.services.billing.subscription(a)).toMatchObject({ tier: "free", status: "expired" });
    });

    it("validates checkouts", async () => {
      await expect(w.services.billing.checkout(addr(), "gold", 1)).rejects.toMatchObject({
        code: "NOT_FOUND",
      });
      await expect(w.services.billing.checkout(addr(), "builder", 7)).rejects.toMatchObject({
        code: "VALIDATION_FAILED",
      });
      await expect(w.services.billing.checkout(addr(), "free", 1)).rejects.toMatchObject({
        code: "VALIDATION_FAILED",
      });
    });

    it("records usage per period and engine against the monthly quota", async () => {
      const a = addr();
      const e = await w.services.engines.create(a, "e");
      expect(await w.services.billing.recordUsage(e.id, "2030-01", 600)).toMatchObject({
        owner_address: a,
        executions: 600,
        limit: 1000,
        over_limit: false,
      });
      expect(await w.services.billing.recordUsage(e.id, "2030-01", 500)).toMatchObject({
        executions: 1100,
        over_limit: true,
      });
      await w.services.billing.recordUsage(e.id, "2029-12", 5);
      expect(await w.services.billing.usage(a)).toEqual({
        period: "2030-01",
        executions: 1100,
        limits: { engines: 1, shares_per_engine: 2, monthly_executions: 1000 },
        engines: 1,
        per_engine: [{ engine_id: e.id, executions: 1100 }],
      });
      await expect(w.services.billing.recordUsage(e.id, "2030-13", 1)).rejects.toMatchObject({
        code: "VALIDATION_FAILED",
      });
      await expect(w.services.billing.recordUsage(e.id, "2030-01", -1)).rejects.toMatchObject({
        code: "VALIDATION_FAILED",
      });
      await expect(w.services.billing.recordUsage("nope", "2030-01", 1)).rejects.toMatchObject({
        code: "NOT_FOUND",
      });
    });

    it("lets an admin edit plans and grant subscriptions", async () => {
      const plan = await w.services.billing.setPlan("free", { limits: { engines: 2 }, name: "Starter" });
      expect(plan).toMatchObject({ name: "Starter", limits: { engines: 2, shares_per_engine: 2 } });
      expect((await w.services.billing.plans())[0]).toEqual(plan);
      await expect(w.services.billing.setPlan("free", { limits: { engines: -1 } })).rejects.toMatchObject({
        code: "VALIDATION_FAILED",
      });
      await expect(w.services.billing.setPlan("gold", {})).rejects.toMatchObject({ code: "NOT_FOUND" });
      const a = addr();
      const sub = await w.services.billing.grantSubscription(a, "enterprise", 3);
      expect(sub).toMatchObject({ tier: "enterprise", status: "active", provider: "admin" });
      expect((await w.services.engines.authInfo((await w.services.engines.create(a, "e")).id)).tier).toBe(
        "enterprise",
      );
    });
  });
}
