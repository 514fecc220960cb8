import { createHmac } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FloworkError, signApiRequest, signEnvelope } from "@flowork/protocol";
import { GatewayClient, GuiSocketClient } from "@flowork/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type EngineProcess, identity, startEngine } from "./engine-process.js";
import { type Proc, startGatewayProcess } from "./gateway-process.js";
import { wf } from "./workflows.js";

const API_KEY = "gw-internal-key-0123456789abcdef";
const WEBHOOK_SECRET = "billing-webhook-secret-1";
const owner = identity();
const guest = identity();
const stranger = identity();
let dir: string;
let gateway: Proc & { url: string };
const engines: EngineProcess[] = [];
const guis: GuiSocketClient[] = [];

const client = (who = owner) => new GatewayClient({ baseUrl: gateway.url, signer: who.signer });

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (err) {
    return err instanceof FloworkError ? err.code : String(err);
  }
}

async function gui(who = owner): Promise<GuiSocketClient> {
  const g = new GuiSocketClient({ url: gateway.url, signer: who.signer, timeoutMs: 15_000 });
  guis.push(g);
  await g.connect();
  return g;
}

function waitFor<T>(
  register: (resolve: (v: T) => void) => void,
  timeoutMs: number,
  what: string,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), timeoutMs);
    register((v) => {
      clearTimeout(timer);
      resolve(v);
    });
  });
}

async function engineFor(token: string): Promise<EngineProcess> {
  const engine = await startEngine({
    dataDir: join(dir, `engine-${engines.length}`),
    env: {
      GATEWAY_API_URL: gateway.url,
      FLOWORK_ENGINE_TOKEN: token,
      GATEWAY_SECRET_TOKEN: API_KEY,
      FLOWORK_VITALS_INTERVAL_MS: "300",
    },
  });
  engines.push(engine);
  return engine;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowork-gw-"));
  gateway = await startGatewayProcess(join(dir, "gw"), {
    GATEWAY_SECRET_TOKEN: API_KEY,
    BILLING_WEBHOOK_SECRET: WEBHOOK_SECRET,
  });
});

afterAll(async () => {
  for (const g of guis) g.close();
  for (const e of engines) await e.stop("SIGKILL");
  await gateway?.stop("SIGKILL");
  await rm(dir, { recursive: true, force: true });
});

describe("gateway with real engine processes", () => {
  it("logs in, reads and updates the profile", async () => {
    const login = await client().post<{ user: { public_address: string; username: string } }>("/auth/login");
    expect(login.user.public_address).toBe(owner.address);
    expect(login.user.username).toMatch(/^user_[0-9a-f]{6}_[0-9a-f]{4}$/);
    const updated = await client().patch<{ username: string }>("/user/profile", { username: "ada_lovelace" });
    expect(updated.username).toBe("ada_lovelace");
    expect((await client().get<{ username: string }>("/user/profile")).username).toBe("ada_lovelace");
  });

  it("refuses replayed and body-tampered requests", async () => {
    const body = JSON.stringify({ name: "x" });
    const headers = await signApiRequest(owner.signer, "POST", "/api/v1/user/engines", body);
    const send = (b: string) =>
      fetch(`${gateway.url}/api/v1/user/engines`, {
        method: "POST",
        headers: { ...headers, "content-type": "application/json" },
        body: b,
      });
    const first = await send(body);
    expect(first.status).toBe(201);
    const replay = await send(body);
    expect(replay.status).toBe(401);
    expect(((await replay.json()) as { error: { code: string } }).error.code).toBe("AUTH_REPLAY");
    const fresh = await signApiRequest(owner.signer, "POST", "/api/v1/user/engines", body);
    const tampered = await fetch(`${gateway.url}/api/v1/user/engines`, {
      method: "POST",
      headers: { ...fresh, "content-type": "application/json" },
      body: JSON.stringify({ name: "y" }),
    });
    expect(((await tampered.json()) as { error: { code: string } }).error.code).toBe("AUTH_PAYLOAD_MISMATCH");
  });

  it("an engine created by REST connects with its token, shows online on the owner's GUI within 1 s, with vitals; a job forwarded through the gateway runs and its status and logs come back", async () => {
    const created = await client().post<{ id: string; raw_token: string; status: string }>("/user/engines", {
      name: "laptop",
    });
    expect(created.raw_token).toMatch(/^dev_engine_[0-9a-f]{32}$/);
    const ownerGui = await gui();
    const online = waitFor<number>(
      (resolve) => {
        ownerGui.socket.on("engine_status_update", (u) => {
          if (u.engine_id === created.id && u.status === "online") resolve(Date.now());
        });
      },
      20_000,
      "online",
    );
    const vitals = waitFor<unknown>(
      (resolve) => {
        ownerGui.socket.on("engine_vitals_update", (v) => {
          if (v.engine_id === created.id) resolve(v.vitals);
        });
      },
      20_000,
      "vitals",
    );
    const engine = await engineFor(created.raw_token);
    const connectedAt = Date.now();
    const onlineAt = await online;
    expect(onlineAt - connectedAt).toBeLessThan(1000);
    expect(await vitals).toMatchObject({
      cpu_percent: expect.any(Number),
      memory_percent: expect.any(Number),
    });
    expect(engine.engineId).toBe(created.id);
    const listed = await client().get<{ id: string; status: string }[]>("/user/engines");
    expect(listed.find((e) => e.id === created.id)?.status).toBe("online");

    const events: { event_name: string; event_data: Record<string, unknown> }[] = [];
    ownerGui.socket.on("engine_event", (e) => events.push(e as never));
    const doc = wf(
      [
        ["s", "manual_trigger"],
        ["log", "log_message", { message: "through the gateway" }],
      ],
      [["s", "log"]],
    );
    const envelope = await signEnvelope(owner.signer, created.id, {
      type: "execute_workflow",
      request_id: "gw-1",
      workflow_data: doc,
      mode: "EXECUTE",
    });
    const ack = await ownerGui.rpc(created.id, envelope);
    expect(ack.ok).toBe(true);
    const jobId = ack.ok ? (ack.response.job_id as string) : "";
    await waitFor<void>(
      (resolve) => {
        const check = setInterval(() => {
          if (
            events.some(
              (e) =>
                e.event_name === "workflow_status_update" &&
                (e.event_data as { job_id: string; status_data: { status: string } }).job_id === jobId &&
                (e.event_data as { status_data: { status: string } }).status_data.status === "SUCCEEDED",
            )
          ) {
            clearInterval(check);
            resolve();
          }
        }, 50);
      },
      15_000,
      "job status",
    );
    expect(events.some((e) => e.event_name === "log" && e.event_data.message === "through the gateway")).toBe(
      true,
    );
    const health = await client().get<{ status: string; engine_id: string }>(
      `/user/engines/${created.id}/health`,
    );
    expect(health).toMatchObject({ status: "ready", engine_id: created.id });
  }, 60_000);

  it("a guest gets nothing before a share, can run after a runner share, cannot share, loses access at once when unshared", async () => {
    const created = await client().post<{ id: string; raw_token: string }>("/user/engines", {
      name: "shared-box",
    });
    await engineFor(created.raw_token);
    await client(guest).post("/auth/login");
    const guestGui = await gui(guest);
    const seen: string[] = [];
    guestGui.socket.onAny((name: string, payload: { engine_id?: string }) => {
      if (payload?.engine_id === created.id) seen.push(name);
    });
    expect(await codeOf(client(guest).get(`/user/engines/${created.id}`))).toBe("AUTH_NOT_AUTHORIZED");
    const before = await guestGui.rpc(
      created.id,
      await signEnvelope(guest.signer, created.id, { type: "ping", request_id: "g0" }),
    );
    expect(before).toMatchObject({ ok: false, error: { code: "AUTH_NOT_AUTHORIZED" } });
    await new Promise((r) => setTimeout(r, 500));
    expect(seen).toEqual([]);

    const shared = waitFor<void>(
      (resolve) => guestGui.socket.on("new_shared_engine", (e) => e.engine_id === created.id && resolve()),
      10_000,
      "new_shared_engine",
    );
    await client().post(`/user/engines/${created.id}/shares`, { address: guest.address, role: "runner" });
    await shared;
    expect((await client(guest).get<{ role: string }>(`/user/engines/${created.id}`)).role).toBe("runner");
    // the engine refetches its authorization list on force_refresh_auth_list
    let ran: { ok: boolean; response?: Record<string, unknown>; error?: { code: string } } = { ok: false };
    for (let i = 0; i < 40 && !ran.ok; i++) {
      ran = await guestGui.rpc(
        created.id,
        await signEnvelope(guest.signer, created.id, {
          type: "execute_workflow",
          request_id: `g${i}`,
          workflow_data: wf([["a", "manual_trigger"]]),
          mode: "SIMULATE",
        }),
      );
      if (!ran.ok) await new Promise((r) => setTimeout(r, 100));
    }
    expect(ran.ok).toBe(true);
    expect(
      await codeOf(
        client(guest).post(`/user/engines/${created.id}/shares`, {
          address: stranger.address,
          role: "reader",
        }),
      ),
    ).toMatch(/AUTH_FORBIDDEN_ROLE|AUTH_NOT_AUTHORIZED/);

    const removed = waitFor<void>(
      (resolve) =>
        guestGui.socket.on("removed_shared_engine", (e) => e.engine_id === created.id && resolve()),
      10_000,
      "removed_shared_engine",
    );
    await client().delete(`/user/engines/${created.id}/shares/${guest.address}`);
    await removed;
    const after = await guestGui.rpc(
      created.id,
      await signEnvelope(guest.signer, created.id, { type: "ping", request_id: "g-after" }),
    );
    expect(after.ok).toBe(false);
    expect(await codeOf(client(guest).get(`/user/engines/${created.id}`))).toBe("AUTH_NOT_AUTHORIZED");
  }, 60_000);

  it("a wrong token fails REST and the socket; reset-token cuts the old socket", async () => {
    const res = await fetch(`${gateway.url}/api/v1/engine/get-engine-auth-info`, {
      headers: { "X-Engine-Token": `dev_engine_${"0".repeat(32)}` },
    });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("AUTH_INVALID_TOKEN");
    const { io } = await import("socket.io-client");
    const bad = io(`${gateway.url}/engine-socket`, {
      auth: { token: "dev_engine_bad" },
      reconnection: false,
      forceNew: true,
    });
    const error = await waitFor<string>(
      (resolve) => bad.on("connect_error", (e) => resolve(e.message)),
      10_000,
      "connect_error",
    );
    bad.close();
    expect(error).toBe("AUTH_INVALID_TOKEN");

    const created = await client().post<{ id: string; raw_token: string }>("/user/engines", {
      name: "resettable",
    });
    const ownerGui = await gui();
    const online = waitFor<void>(
      (resolve) =>
        ownerGui.socket.on(
          "engine_status_update",
          (u) => u.engine_id === created.id && u.status === "online" && resolve(),
        ),
      20_000,
      "online",
    );
    await engineFor(created.raw_token);
    await online;
    const offline = waitFor<void>(
      (resolve) =>
        ownerGui.socket.on(
          "engine_status_update",
          (u) => u.engine_id === created.id && u.status === "offline" && resolve(),
        ),
      10_000,
      "offline after reset",
    );
    const reset = await client().post<{ engine_id: string; token: string }>(
      `/user/engines/${created.id}/reset-token`,
    );
    expect(reset.token).toMatch(/^dev_engine_[0-9a-f]{32}$/);
    await offline;
    const old = await fetch(`${gateway.url}/api/v1/engine/get-engine-auth-info`, {
      headers: { "X-Engine-Token": created.raw_token },
    });
    expect(old.status).toBe(401);
  }, 60_000);

  it("internal notify reaches the user's GUI and needs the key", async () => {
    const ownerGui = await gui();
    const got = waitFor<{ title: string; level: string }>(
      (resolve) => ownerGui.socket.on("notification", (n) => resolve(n)),
      10_000,
      "notification",
    );
    const denied = await fetch(`${gateway.url}/api/v1/internal/notify`, {
      method: "POST",
      headers: { "content-type": "application/json", "X-API-Key": "wrong" },
      body: JSON.stringify({ address: owner.address, level: "info", title: "nope", text: "x" }),
    });
    expect(denied.status).toBe(401);
    const ok = await fetch(`${gateway.url}/api/v1/internal/notify`, {
      method: "POST",
      headers: { "content-type": "application/json", "X-API-Key": API_KEY },
      body: JSON.stringify({ address: owner.address, level: "success", title: "Deployed", text: "all good" }),
    });
    expect(ok.status).toBeLessThan(300);
    expect(await got).toMatchObject({ title: "Deployed", level: "success" });
  });
});

describe("gateway billing (FLOWORK_BILLING=on)", () => {
  let billed: Proc & { url: string };
  const payer = identity();
  beforeAll(async () => {
    billed = await startGatewayProcess(join(dir, "gw-billed"), {
      GATEWAY_SECRET_TOKEN: API_KEY,
      BILLING_WEBHOOK_SECRET: WEBHOOK_SECRET,
      FLOWORK_BILLING: "on",
    });
  });
  afterAll(async () => {
    await billed?.stop("SIGKILL");
  });

  it("the free plan's engine limit answers 402 QUOTA_EXCEEDED; a signed webhook upgrades; a replayed webhook changes nothing", async () => {
    const gw = new GatewayClient({ baseUrl: billed.url, signer: payer.signer });
    const plans = await gw.get<{ id: string; limits: { engines: number | null } }[]>("/billing/plans");
    const free = plans.find((p) => p.id === "free");
    expect(free?.limits.engines).toEqual(expect.any(Number));
    let code: string | undefined;
    for (let i = 0; i <= (free?.limits.engines ?? 1) && code === undefined; i++)
      code = await codeOf(gw.post("/user/engines", { name: `e${i}` }));
    expect(code).toBe("QUOTA_EXCEEDED");

    const checkout = await gw.post<{ checkout_id: string; status: string; payment_url: string }>(
      "/billing/checkout",
      {
        plan_id: "builder",
        duration_months: 1,
      },
    );
    expect(checkout.status).toBe("pending");
    // Started on --port 0: the payment link carries the port the gateway really listens on, and it opens.
    expect(new URL(checkout.payment_url).port).toBe(new URL(billed.url).port);
    expect(new URL(checkout.payment_url).pathname).toBe(`/billing/checkout/${checkout.checkout_id}`);
    const body = JSON.stringify({
      event_id: "evt-1",
      type: "checkout.completed",
      checkout_id: checkout.checkout_id,
    });
    const signature = `sha256=${createHmac("sha256", WEBHOOK_SECRET).update(body).digest("hex")}`;
    const hook = () =>
      fetch(`${billed.url}/api/v1/billing/webhook/manual`, {
        method: "POST",
        headers: { "content-type": "application/json", "X-Flowork-Webhook-Signature": signature },
        body,
      });
    expect((await hook()).status).toBeLessThan(300);
    const sub = await gw.get<{ plan_id: string; status: string; expires_at: string }>(
      "/billing/subscription",
    );
    expect(sub).toMatchObject({ plan_id: "builder", status: "active" });
    expect((await hook()).status).toBeLessThan(300);
    const again = await gw.get<{ plan_id: string; expires_at: string }>("/billing/subscription");
    expect(again.expires_at).toBe(sub.expires_at);
    const forged = await fetch(`${billed.url}/api/v1/billing/webhook/manual`, {
      method: "POST",
      headers: { "content-type": "application/json", "X-Flowork-Webhook-Signature": "sha256=00" },
      body,
    });
    expect(forged.status).toBe(401);
    expect(await codeOf(gw.post("/user/engines", { name: "now-allowed" }))).toBeUndefined();
    const invoices = await gw.get<unknown[]>("/billing/invoices");
    expect(invoices.length).toBe(1);
  }, 60_000);
});
