import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codeOf, type Harness, newSigner, SECRET, startHarness } from "../http/test-harness.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ env: { FLOWORK_BILLING: "on" } });
});
afterAll(() => h.close());

describe("/admin", () => {
  it("lists users", async () => {
    const s = newSigner();
    await h.signed(s, "POST", "/api/v1/auth/login");
    const users = (await h.signed(h.admin, "GET", "/api/v1/admin/users")).json();
    expect(users).toContainEqual(
      expect.objectContaining({ public_address: s.address.toLowerCase(), tier: "free", engines: 0 }),
    );
  });

  it("changes a plan; refuses unknown plans and fields", async () => {
    const res = await h.signed(h.admin, "PUT", "/api/v1/admin/plans/builder", {
      description: "Changed",
      limits: { engines: 4 },
    });
    expect([res.statusCode, res.json().description, res.json().limits.engines]).toEqual([200, "Changed", 4]);
    expect(codeOf(await h.signed(h.admin, "PUT", "/api/v1/admin/plans/gold", { name: "Gold" }))).toBe(
      "NOT_FOUND",
    );
    expect(codeOf(await h.signed(h.admin, "PUT", "/api/v1/admin/plans/builder", { colour: "red" }))).toBe(
      "VALIDATION_FAILED",
    );
  });

  it("grants a subscription and completes a manual checkout", async () => {
    const s = newSigner();
    const url = `/api/v1/admin/users/${s.address}/subscription`;
    const granted = await h.signed(h.admin, "POST", url, { plan_id: "creator", months: 2 });
    expect([granted.statusCode, granted.json().tier, granted.json().provider]).toEqual([
      200,
      "creator",
      "admin",
    ]);

    const buyer = newSigner();
    const checkout = await h.signed(buyer, "POST", "/api/v1/billing/checkout", {
      plan_id: "builder",
      duration_months: 1,
    });
    const done = await h.signed(
      h.admin,
      "POST",
      `/api/v1/admin/checkouts/${checkout.json().checkout_id}/complete`,
    );
    expect([done.statusCode, done.json().plan_id, done.json().status]).toEqual([200, "builder", "active"]);
  });

  it("every admin route refuses a non-operator", async () => {
    const s = newSigner();
    const routes: [string, string, unknown?][] = [
      ["GET", "/api/v1/admin/users"],
      ["PUT", "/api/v1/admin/plans/free", { name: "x" }],
      ["POST", `/api/v1/admin/users/${s.address}/subscription`, { plan_id: "creator", months: 1 }],
      ["POST", "/api/v1/admin/checkouts/chk_x/complete"],
      ["PUT", "/api/v1/system/disabled-components", []],
    ];
    for (const [method, url, body] of routes) {
      const res = await h.signed(s, method, url, body);
      expect([url, res.statusCode, codeOf(res)]).toEqual([url, 403, "AUTH_FORBIDDEN_ROLE"]);
    }
  });
});

describe("/internal", () => {
  it("notify pushes a notification to the user's GUIs", async () => {
    const s = newSigner();
    const body = { address: s.address, level: "success", title: "Done", text: "Your run finished" };
    const res = await h.app.inject({
      method: "POST",
      url: "/api/v1/internal/notify",
      payload: body,
      headers: { "x-api-key": SECRET },
    });
    expect([res.statusCode, res.json()]).toEqual([202, { accepted: true }]);
    expect(h.calls).toContainEqual({
      name: "notify",
      args: [s.address.toLowerCase(), { level: "success", title: "Done", text: "Your run finished" }],
    });
    const bad = await h.app.inject({
      method: "POST",
      url: "/api/v1/internal/notify",
      payload: { ...body, level: "loud" },
      headers: { "x-api-key": SECRET },
    });
    expect(codeOf(bad)).toBe("VALIDATION_FAILED");
  });

  it("lists every engine with its status", async () => {
    const owner = newSigner();
    const created = (await h.signed(owner, "POST", "/api/v1/user/engines", { name: "srv" })).json();
    const res = await h.app.inject({ url: "/api/v1/internal/engines", headers: { "x-api-key": SECRET } });
    expect(res.json()).toContainEqual(
      expect.objectContaining({
        id: created.id,
        owner_address: owner.address.toLowerCase(),
        status: "offline",
      }),
    );
  });
});
