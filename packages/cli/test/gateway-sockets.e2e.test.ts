/**
 * The gateway's sockets, the engine's gateway link and the SDK's GUI client, end to end through a real
 * `CommandDispatcher` that verifies every envelope itself (the gateway never does).
 *
 * The link, the sockets and the GUI client are imported from their packages' sources until the packages'
 * indexes re-export them (`@flowork/engine`, `@flowork/gateway`, `@flowork/sdk`).
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { CommandDispatcher } from "@flowork/engine";
import {
  FloworkError,
  type JobEvent,
  MemoryReplayCache,
  MIN_ROLE,
  type Role,
  signEnvelope,
  signerFromPrivateKey,
} from "@flowork/protocol";
import { createNodeVerifier } from "@flowork/protocol/node";
import { generatePrivateKey } from "viem/accounts";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { connectGatewayLink, type GatewayLink, JobEventHub } from "../../engine/src/link/index.js";
import { attachSockets, type GatewaySockets, type SocketDeps } from "../../gateway/src/sockets/index.js";
import { GuiSocketClient } from "../../sdk/src/gateway.js";

const ENGINE_ID = "eng-e2e";
const TOKEN = "dev_engine_e2e_token";
const owner = signerFromPrivateKey(generatePrivateKey());
const runner = signerFromPrivateKey(generatePrivateKey());
const stranger = signerFromPrivateKey(generatePrivateKey());
const roles = new Map<string, Role>();

const VITALS = {
  cpu_percent: 3,
  memory_percent: 4,
  ram_rss_mb: 50,
  uptime_s: 1,
  active_jobs: 0,
  queued_jobs: 0,
  version: "0.1.0",
};

function deps(): SocketDeps {
  return {
    verifier: createNodeVerifier({ replayCache: new MemoryReplayCache() }),
    authenticateEngine: async (t) =>
      t === TOKEN
        ? { engine_id: ENGINE_ID, name: "E2E", owner_address: owner.address.toLowerCase(), last_seen: null }
        : undefined,
    engine: async (id) =>
      id === ENGINE_ID
        ? { engine_id: ENGINE_ID, name: "E2E", owner_address: owner.address.toLowerCase(), last_seen: null }
        : undefined,
    visibleEngines: async (a) => {
      const role = roles.get(a.toLowerCase());
      return role === undefined
        ? []
        : [
            {
              engine_id: ENGINE_ID,
              name: "E2E",
              owner_address: owner.address.toLowerCase(),
              last_seen: null,
              role,
            },
          ];
    },
    roleOf: async (id, a) => (id === ENGINE_ID ? roles.get(a.toLowerCase()) : undefined),
  };
}

type Handlers = ConstructorParameters<typeof CommandDispatcher>[0]["handlers"];

/** A real dispatcher: real verification and role checks; `ping` and a fake `execute_workflow` that emits events. */
function dispatcher(hub: JobEventHub): CommandDispatcher {
  const handlers = Object.fromEntries(
    Object.keys(MIN_ROLE).map((t) => [
      t,
      async () => {
        throw new FloworkError("UNKNOWN_MESSAGE_TYPE");
      },
    ]),
  ) as unknown as Handlers;
  handlers.ping = async () => ({ engine_id: ENGINE_ID, version: "0.1.0", ts: new Date().toISOString() });
  handlers.execute_workflow = async (_request, ctx) => {
    const status: JobEvent = {
      type: "workflow_status_update",
      job_id: "job-1",
      status_data: { status: "QUEUED", mode: "EXECUTE", start_time: new Date().toISOString() },
    };
    const log: JobEvent = {
      type: "log",
      job_id: "job-1",
      level: "INFO",
      source: "t",
      message: "hi",
      ts: "x",
    };
    setTimeout(() => {
      // what JobManager does: listeners (the caller's sink) first, then onEvent (the hub)
      for (const e of [status, log]) {
        ctx.sink?.(e);
        hub.emit(e, { jobId: "job-1", startedBy: ctx.address });
      }
    }, 20);
    return { job_id: "job-1", status: "QUEUED" };
  };
  return new CommandDispatcher({
    verifier: createNodeVerifier({ replayCache: new MemoryReplayCache() }),
    engineId: () => ENGINE_ID,
    roleOf: (a) => roles.get(a.toLowerCase()),
    handlers,
    audit: async () => {},
  });
}

let http: Server;
let sockets: GatewaySockets;
let url: string;
let link: GatewayLink | undefined;
const guis: GuiSocketClient[] = [];
let refreshes = 0;

beforeEach(async () => {
  roles.clear();
  roles.set(owner.address.toLowerCase(), "owner");
  roles.set(runner.address.toLowerCase(), "runner");
  refreshes = 0;
  http = createServer();
  sockets = attachSockets(http, deps(), { rpcTimeoutMs: 2000 });
  await new Promise<void>((r) => http.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
});
afterEach(async () => {
  link?.close();
  link = undefined;
  for (const g of guis.splice(0)) g.close();
  await sockets.close();
  http.closeAllConnections();
  await new Promise<void>((r) => http.close(() => r()));
});

function startLink(hub = new JobEventHub(), token = TOKEN): GatewayLink {
  link = connectGatewayLink({
    gatewayUrl: `${url}/api/v1`,
    token,
    dispatcher: dispatcher(hub),
    jobEvents: hub,
    authSource: {
      refresh: async () => {
        refreshes++;
      },
    },
    vitals: () => VITALS,
    vitalsIntervalMs: 100,
    reconnectDelayMs: 50,
  });
  return link;
}

async function gui(signer = owner): Promise<GuiSocketClient> {
  const g = new GuiSocketClient({ url, signer, reconnection: false });
  guis.push(g);
  await g.connect();
  return g;
}

const until = async (check: () => boolean, ms = 3000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe("gateway sockets ↔ engine link ↔ GUI client", () => {
  it("goes online, relays vitals and round-trips a verified ping", async () => {
    const g = await gui();
    const statuses: string[] = [];
    const vitals: unknown[] = [];
    g.socket.on("engine_status_update", (u) => statuses.push(u.status));
    g.socket.on("engine_vitals_update", (v) => vitals.push(v));
    const l = startLink();
    await until(() => statuses.includes("online"), 1000);
    await until(() => l.connected && vitals.length > 0);
    expect(vitals[0]).toEqual({ engine_id: ENGINE_ID, vitals: VITALS });
    const ok = await g.rpc(
      ENGINE_ID,
      await signEnvelope(owner, ENGINE_ID, { type: "ping", request_id: "r-1" }),
    );
    expect(ok).toMatchObject({
      ok: true,
      response: { type: "pong", request_id: "r-1", engine_id: ENGINE_ID },
    });
  });

  it("the engine, not the gateway, refuses a bad envelope", async () => {
    const l = startLink();
    await until(() => l.connected);
    const g = await gui();
    const env = await signEnvelope(owner, "another-engine", { type: "ping", request_id: "r-2" });
    expect(await g.rpc(ENGINE_ID, env)).toMatchObject({ ok: false, error: { code: "AUTH_SCOPE_MISMATCH" } });
    const good = await signEnvelope(owner, ENGINE_ID, { type: "ping", request_id: "r-3" });
    await g.rpc(ENGINE_ID, good);
    expect(await g.rpc(ENGINE_ID, good)).toMatchObject({ ok: false, error: { code: "AUTH_REPLAY" } });
    const s = await gui(stranger);
    const byStranger = await signEnvelope(stranger, ENGINE_ID, { type: "ping", request_id: "r-4" });
    expect(await s.rpc(ENGINE_ID, byStranger)).toMatchObject({
      ok: false,
      error: { code: "AUTH_NOT_AUTHORIZED" },
    });
  });

  it("sends job events to the signer and status events (once) to everyone allowed", async () => {
    const l = startLink();
    await until(() => l.connected);
    const o = await gui(owner);
    const r = await gui(runner);
    const ownerSeen: string[] = [];
    const runnerSeen: string[] = [];
    o.socket.on("engine_event", (e) => ownerSeen.push(e.event_name));
    r.socket.on("engine_event", (e) => runnerSeen.push(e.event_name));
    const answer = await r.rpc(
      ENGINE_ID,
      await signEnvelope(runner, ENGINE_ID, {
        type: "execute_workflow",
        request_id: "r-5",
        preset_name: "p",
        mode: "EXECUTE",
      }),
    );
    expect(answer).toMatchObject({
      ok: true,
      response: { type: "execute_workflow_response", job_id: "job-1" },
    });
    await until(() => runnerSeen.length >= 2 && ownerSeen.length >= 1);
    await new Promise((res) => setTimeout(res, 100));
    expect(runnerSeen).toEqual(["workflow_status_update", "log"]);
    expect(ownerSeen).toEqual(["workflow_status_update"]);
  });

  it("refreshes the auth list on share changes and reconnects after a server-side cut", async () => {
    const l = startLink();
    await until(() => l.connected);
    sockets.events.shareChanged(ENGINE_ID, stranger.address, "new", "reader");
    await until(() => refreshes === 1);
    sockets.events.disconnectEngine(ENGINE_ID);
    await until(() => !l.connected);
    await until(() => l.connected);
  });

  it("a refused token does not crash the link, and a GUI with a bad handshake gets the code", async () => {
    const l = startLink(new JobEventHub(), "dev_engine_wrong");
    await new Promise((r) => setTimeout(r, 200));
    expect(l.connected).toBe(false);
    const g = new GuiSocketClient({ url, signer: owner, reconnection: false });
    guis.push(g);
    (g.socket.auth as unknown) = { address: owner.address, message: "nope", signature: "0x00" };
    await expect(g.connect()).rejects.toThrow("AUTH_MALFORMED");
  });
});
