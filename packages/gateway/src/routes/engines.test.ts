import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codeOf, type Harness, newSigner, startHarness } from "../http/test-harness.js";

let h: Harness;
const live = new Map<string, Record<string, unknown>>();
beforeAll(async () => {
  h = await startHarness({ deps: { engineHealth: async (id) => live.get(id) } });
});
afterAll(() => h.close());

async function createEngine(owner = newSigner(), name = "laptop") {
  const res = await h.signed(owner, "POST", "/api/v1/user/engines", { name });
  expect(res.statusCode, res.body).toBe(201);
  return { owner, engine: res.json() as { id: string; name: string; raw_token: string; status: string } };
}

describe("/user/engines", () => {
  it("creates (201, token once), lists, gets, renames and deletes", async () => {
    const { owner, engine } = await createEngine();
    expect(engine).toEqual({
      id: expect.any(String),
      name: "laptop",
      status: "offline",
      raw_token: expect.any(String),
    });
    expect(engine.raw_token).toMatch(/^dev_engine_[0-9a-f]{32}$/);

    const list = (await h.signed(owner, "GET", "/api/v1/user/engines")).json();
    expect(list).toEqual([
      {
        id: engine.id,
        name: "laptop",
        status: "offline",
        last_seen: null,
        vitals: null,
        role: "owner",
        created_at: expect.any(String),
      },
    ]);
    expect(JSON.stringify(list)).not.toContain("token");

    const got = await h.signed(owner, "GET", `/api/v1/user/engines/${engine.id}`);
    expect(got.json()).toMatchObject({ id: engine.id, role: "owner" });

    const renamed = await h.signed(owner, "PATCH", `/api/v1/user/engines/${engine.id}`, { name: "desk" });
    expect([renamed.statusCode, renamed.json().name]).toEqual([200, "desk"]);
    expect(h.calls).toContainEqual({ name: "engineChanged", args: [engine.id] });

    const del = await h.signed(owner, "DELETE", `/api/v1/user/engines/${engine.id}`);
    expect([del.statusCode, del.body]).toEqual([204, ""]);
    expect(h.calls.some((c) => c.name === "engineDeleted" && c.args[0] === engine.id)).toBe(true);
    expect(codeOf(await h.signed(owner, "GET", `/api/v1/user/engines/${engine.id}`))).toBe(
      "AUTH_NOT_AUTHORIZED",
    );
  });

  it("refuses bad names and unknown fields", async () => {
    const s = newSigner();
    for (const body of [{ name: "" }, { name: "x".repeat(101) }, { name: "ok", token: "x" }, {}]) {
      const res = await h.signed(s, "POST", "/api/v1/user/engines", body);
      expect([res.statusCode, codeOf(res)]).toEqual([400, "VALIDATION_FAILED"]);
    }
  });

  it("resets the token: the new one works, the old one is dead", async () => {
    const { owner, engine } = await createEngine();
    const res = await h.signed(owner, "POST", `/api/v1/user/engines/${engine.id}/reset-token`);
    expect(res.json()).toEqual({ engine_id: engine.id, token: expect.stringMatching(/^dev_engine_/) });
    expect(h.calls).toContainEqual({ name: "disconnectEngine", args: [engine.id] });
    const info = await h.app.inject({
      url: "/api/v1/engine/get-engine-auth-info",
      headers: { "x-engine-token": res.json().token },
    });
    expect(info.statusCode).toBe(200);
  });

  it("health asks the engine's socket, or answers ENGINE_OFFLINE", async () => {
    const { owner, engine } = await createEngine();
    const url = `/api/v1/user/engines/${engine.id}/health`;
    const offline = await h.signed(owner, "GET", url);
    expect([offline.statusCode, codeOf(offline)]).toEqual([503, "ENGINE_OFFLINE"]);
    live.set(engine.id, {
      status: "ready",
      engine_id: engine.id,
      version: "0.1.0",
      uptime_s: 5,
      active_jobs: 0,
    });
    const online = await h.signed(owner, "GET", url);
    expect([online.statusCode, online.json().status]).toEqual([200, "ready"]);
    expect(codeOf(await h.signed(newSigner(), "GET", url))).toBe("AUTH_NOT_AUTHORIZED");
  });

  it("strangers get AUTH_NOT_AUTHORIZED on every engine route", async () => {
    const { engine } = await createEngine();
    const stranger = newSigner();
    const routes: [string, string, unknown?][] = [
      ["GET", `/api/v1/user/engines/${engine.id}`],
      ["PATCH", `/api/v1/user/engines/${engine.id}`, { name: "mine" }],
      ["DELETE", `/api/v1/user/engines/${engine.id}`],
      ["POST", `/api/v1/user/engines/${engine.id}/reset-token`],
      ["GET", `/api/v1/user/engines/${engine.id}/shares`],
    ];
    for (const [method, url, body] of routes) {
      const res = await h.signed(stranger, method, url, body);
      expect([url, res.statusCode, codeOf(res)]).toEqual([url, 403, "AUTH_NOT_AUTHORIZED"]);
    }
  });
});

describe("shares", () => {
  it("shares by address and username, lists, updates the role, unshares", async () => {
    const { owner, engine } = await createEngine();
    const guest = newSigner();
    const guestAddress = guest.address.toLowerCase();
    const base = `/api/v1/user/engines/${engine.id}/shares`;

    const created = await h.signed(owner, "POST", base, { address: guest.address, role: "runner" });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({ public_address: guestAddress, role: "runner", created: true });
    expect(h.calls).toContainEqual({ name: "refreshAuthList", args: [engine.id] });

    const byName = await h.signed(owner, "POST", base, { username: created.json().username, role: "admin" });
    expect([byName.statusCode, byName.json().role, byName.json().created]).toEqual([201, "admin", false]);

    const list = await h.signed(owner, "GET", base);
    expect(list.json()).toEqual([
      {
        public_address: guestAddress,
        username: expect.any(String),
        role: "admin",
        shared_at: expect.any(String),
      },
    ]);
    // an admin-role sharee may list too; the guest sees the engine among shared engines with its owner
    expect((await h.signed(guest, "GET", base)).statusCode).toBe(200);
    const shared = (await h.signed(guest, "GET", "/api/v1/user/shared-engines")).json();
    expect(shared).toEqual([
      expect.objectContaining({
        id: engine.id,
        role: "admin",
        owner: { public_address: owner.address.toLowerCase(), username: expect.any(String) },
        shared_at: expect.any(String),
      }),
    ]);
    expect((await h.signed(guest, "GET", `/api/v1/user/engines/${engine.id}`)).json().role).toBe("admin");
    // but only the owner may share or rename
    const notOwner = await h.signed(guest, "POST", base, { address: newSigner().address, role: "reader" });
    expect([notOwner.statusCode, codeOf(notOwner)]).toEqual([403, "AUTH_FORBIDDEN_ROLE"]);

    const del = await h.signed(owner, "DELETE", `${base}/${guest.address}`);
    expect(del.statusCode).toBe(204);
    expect((await h.signed(guest, "GET", "/api/v1/user/shared-engines")).json()).toEqual([]);
    expect(codeOf(await h.signed(owner, "DELETE", `${base}/${guest.address}`))).toBe("NOT_FOUND");
  });

  it("refuses role owner, both or neither of address and username, and a bad address", async () => {
    const { owner, engine } = await createEngine();
    const base = `/api/v1/user/engines/${engine.id}/shares`;
    const addr = newSigner().address;
    for (const body of [
      { address: addr, role: "owner" },
      { address: addr, username: "x", role: "reader" },
      { role: "reader" },
      { address: "0x12", role: "reader" },
    ]) {
      expect(codeOf(await h.signed(owner, "POST", base, body))).toBe("VALIDATION_FAILED");
    }
    expect(codeOf(await h.signed(owner, "DELETE", `${base}/not-an-address`))).toBe("VALIDATION_FAILED");
  });
});

describe("claim and engine auth info", () => {
  it("claims an unowned engine with its pairing code, once", async () => {
    const unowned = await h.services.engines.createUnowned("flowork-up");
    const { code } = await h.services.pairing.createCode(unowned.id);
    const owner = newSigner();
    const res = await h.signed(owner, "POST", "/api/v1/user/engines/claim", { code });
    expect([res.statusCode, res.json().id, res.json().role]).toEqual([200, unowned.id, "owner"]);
    const again = await h.signed(newSigner(), "POST", "/api/v1/user/engines/claim", { code });
    expect(codeOf(again)).toBe("NOT_FOUND");

    const info = await h.app.inject({
      url: "/api/v1/engine/get-engine-auth-info",
      headers: { "x-engine-token": unowned.raw_token },
    });
    expect(info.json()).toEqual({
      engine_id: unowned.id,
      name: "flowork-up",
      owner_address: owner.address.toLowerCase(),
      authorized_addresses: [owner.address.toLowerCase()],
      shares: [],
      tier: "enterprise",
      quotas: { engines: null, shares_per_engine: null, monthly_executions: null },
      disabled_components: expect.any(Array),
    });
  });
});
