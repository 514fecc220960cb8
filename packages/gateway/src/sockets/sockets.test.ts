import { signSocketAuth } from "@flowork/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  client,
  connectFailure,
  engine,
  gui,
  MemoryWorld,
  newUser,
  once,
  record,
  sleep,
  startTestGateway,
  type TestGateway,
} from "./test-harness.js";

const VITALS = {
  cpu_percent: 1.5,
  memory_percent: 2,
  ram_rss_mb: 80,
  uptime_s: 10,
  active_jobs: 0,
  queued_jobs: 0,
  version: "0.1.0",
};

let world: MemoryWorld;
let gw: TestGateway;
const owner = newUser();
const guest = newUser();
const stranger = newUser();

beforeEach(async () => {
  world = new MemoryWorld();
  world.addEngine("e1", owner.address);
  gw = await startTestGateway(world, { rpcTimeoutMs: 300 });
});
afterEach(async () => {
  await gw.close();
});

describe("handshakes", () => {
  it("refuses a bad or missing engine token with AUTH_INVALID_TOKEN", async () => {
    expect(await connectFailure(client(gw, "/engine-socket", { token: "nope" }))).toBe("AUTH_INVALID_TOKEN");
    expect(await connectFailure(client(gw, "/engine-socket", {}))).toBe("AUTH_INVALID_TOKEN");
    expect(await connectFailure(client(gw, "/engine-socket", { token: 42 }))).toBe("AUTH_INVALID_TOKEN");
  });

  it("sends auth_success to an engine with a good token", async () => {
    const socket = client(gw, "/engine-socket", { token: "dev_engine_e1" });
    const ok = once(socket, "auth_success");
    socket.connect();
    expect(await ok).toEqual({
      engine_id: "e1",
      name: "name-e1",
      owner_address: owner.address.toLowerCase(),
    });
  });

  it("answers GUI handshake failures with the verifier's code", async () => {
    expect(await connectFailure(client(gw, "/gui-socket", {}))).toBe("AUTH_MISSING");
    expect(
      await connectFailure(client(gw, "/gui-socket", { address: "0x12", message: "x", signature: "y" })),
    ).toBe("AUTH_MALFORMED");
    const auth = await signSocketAuth(owner);
    expect(
      await connectFailure(
        client(gw, "/gui-socket", { ...auth, signature: `${auth.signature.slice(0, -4)}0000` }),
      ),
    ).toMatch(/AUTH_INVALID_SIGNATURE|AUTH_MALFORMED/);
    expect(
      await connectFailure(client(gw, "/gui-socket", await signSocketAuth(owner, { now: () => 0 }))),
    ).toBe("AUTH_EXPIRED");
    expect(
      await connectFailure(
        client(gw, "/gui-socket", { ...(await signSocketAuth(owner)), vitals_batch: "yes" }),
      ),
    ).toBe("AUTH_MALFORMED");
    const used = await signSocketAuth(owner);
    const first = client(gw, "/gui-socket", used);
    first.connect();
    await once(first, "connect");
    expect(await connectFailure(client(gw, "/gui-socket", used))).toBe("AUTH_REPLAY");
  });
});

describe("presence and vitals", () => {
  it("lists visible engines on connect, then reports online within 1 s and offline on disconnect", async () => {
    const { socket, initial } = await gui(gw, owner);
    expect(initial).toEqual([
      { engine_id: "e1", name: "name-e1", status: "offline", last_seen: null, vitals: null, role: "owner" },
    ]);
    const online = once<{ status: string }>(socket, "engine_status_update", 1000);
    const eng = await engine(gw, "dev_engine_e1");
    expect(await online).toMatchObject({ engine_id: "e1", name: "name-e1", status: "online" });
    const offline = once<{ status: string }>(socket, "engine_status_update", 1000);
    eng.disconnect();
    expect(await offline).toMatchObject({ engine_id: "e1", status: "offline" });
    expect(world.presence).toEqual([
      { engineId: "e1", status: "online" },
      { engineId: "e1", status: "offline" },
    ]);
  });

  it("relays vitals to allowed GUIs and includes them in initial statuses", async () => {
    const { socket } = await gui(gw, owner);
    const eng = await engine(gw, "dev_engine_e1");
    const relayed = once(socket, "engine_vitals_update");
    eng.emit("engine_vitals_update", VITALS);
    expect(await relayed).toEqual({ engine_id: "e1", vitals: VITALS });
    const second = await gui(gw, owner);
    expect(second.initial).toEqual([
      expect.objectContaining({ engine_id: "e1", status: "online", vitals: VITALS }),
    ]);
  });

  it("a reconnecting engine replaces its old socket without an offline flap", async () => {
    const { socket } = await gui(gw, owner);
    const seen = record(socket);
    const first = await engine(gw, "dev_engine_e1");
    const cut = once(first, "disconnect");
    await engine(gw, "dev_engine_e1");
    await cut;
    await sleep(150);
    const statuses = seen
      .filter((e) => e.event === "engine_status_update")
      .map((e) => (e.args[0] as { status: string }).status);
    expect(statuses).toEqual(["online", "online"]);
  });
});

describe("RPC forwarding", () => {
  it("round-trips an envelope to the engine and back with its ack", async () => {
    const { socket } = await gui(gw, owner);
    const eng = await engine(gw, "dev_engine_e1");
    eng.on(
      "execute_rpc_from_gui",
      (body: { request_id: string; envelope: unknown }, ack: (a: unknown) => void) => {
        ack({ ok: true, response: { type: "pong", request_id: body.request_id, echoed: body.envelope } });
      },
    );
    const envelope = {
      auth: { address: "0x", message: "m", signature: "s" },
      payload: { type: "ping", request_id: "r-1" },
    };
    const answer = await socket
      .timeout(2000)
      .emitWithAck("rpc_forward_to_engine", { engine_id: "e1", envelope });
    expect(answer).toEqual({ ok: true, response: { type: "pong", request_id: "r-1", echoed: envelope } });
  });

  it("passes an engine's error ack through", async () => {
    const { socket } = await gui(gw, owner);
    const eng = await engine(gw, "dev_engine_e1");
    eng.on("execute_rpc_from_gui", (_b: unknown, ack: (a: unknown) => void) =>
      ack({ ok: false, error: { code: "AUTH_REPLAY", message: "This nonce was already used." } }),
    );
    const answer = await socket
      .timeout(2000)
      .emitWithAck("rpc_forward_to_engine", { engine_id: "e1", envelope: { payload: {} } });
    expect(answer).toEqual({
      ok: false,
      error: { code: "AUTH_REPLAY", message: "This nonce was already used." },
    });
  });

  it("answers AUTH_NOT_AUTHORIZED, ENGINE_OFFLINE, TIMEOUT and VALIDATION_FAILED", async () => {
    const { socket } = await gui(gw, owner);
    const s = await gui(gw, stranger);
    const rpc = (sock: typeof socket, body: unknown) =>
      sock.timeout(3000).emitWithAck("rpc_forward_to_engine", body);
    expect(await rpc(s.socket, { engine_id: "e1", envelope: {} })).toMatchObject({
      ok: false,
      error: { code: "AUTH_NOT_AUTHORIZED" },
    });
    expect(await rpc(socket, { engine_id: "e1", envelope: {} })).toMatchObject({
      ok: false,
      error: { code: "ENGINE_OFFLINE" },
    });
    expect(await rpc(socket, { engine_id: 5 })).toMatchObject({
      ok: false,
      error: { code: "VALIDATION_FAILED" },
    });
    const eng = await engine(gw, "dev_engine_e1");
    eng.on("execute_rpc_from_gui", () => {}); // never acks
    expect(await rpc(socket, { engine_id: "e1", envelope: {} })).toMatchObject({
      ok: false,
      error: { code: "TIMEOUT" },
    });
    eng.off("execute_rpc_from_gui");
    eng.on("execute_rpc_from_gui", (_b: unknown, ack: (a: unknown) => void) => ack({ bogus: true }));
    expect(await rpc(socket, { engine_id: "e1", envelope: {} })).toMatchObject({
      ok: false,
      error: { code: "INTERNAL" },
    });
  });
});

describe("engine events and visibility", () => {
  it("relays broadcast events to allowed GUIs and targeted ones only to a target with a role", async () => {
    world.share("e1", guest.address, "reader");
    const o = await gui(gw, owner);
    const g = await gui(gw, guest);
    const s = await gui(gw, stranger);
    const strangerSeen = record(s.socket);
    const guestSeen = record(g.socket);
    const eng = await engine(gw, "dev_engine_e1");
    const both = [once(o.socket, "engine_event"), once(g.socket, "engine_event")];
    eng.emit("forward_event_to_gui", { event_name: "workflow_status_update", event_data: { job_id: "j" } });
    for (const e of await Promise.all(both)) {
      expect(e).toEqual({
        engine_id: "e1",
        event_name: "workflow_status_update",
        event_data: { job_id: "j" },
      });
    }
    const targeted = once(o.socket, "engine_event");
    eng.emit("forward_event_to_gui", {
      event_name: "log",
      event_data: { m: 1 },
      target_address: owner.address.toUpperCase().replace("0X", "0x"),
    });
    expect(await targeted).toEqual({ engine_id: "e1", event_name: "log", event_data: { m: 1 } });
    eng.emit("forward_event_to_gui", {
      event_name: "log",
      event_data: { m: 2 },
      target_address: stranger.address,
    });
    eng.emit("engine_vitals_update", VITALS);
    await sleep(200);
    expect(guestSeen.filter((e) => e.event === "engine_event")).toHaveLength(1);
    expect(strangerSeen).toEqual([]);
  });

  it("records usage reports", async () => {
    const eng = await engine(gw, "dev_engine_e1");
    eng.emit("usage_report", { period: "2025-01", executions: 3 });
    eng.emit("usage_report", { period: "bad", executions: 3 });
    await sleep(100);
    expect(world.usage).toEqual([{ engineId: "e1", period: "2025-01", executions: 3 }]);
  });
});

describe("GatewayEvents", () => {
  it("share, update and unshare reach the guest and make the engine refresh", async () => {
    const eng = await engine(gw, "dev_engine_e1");
    const g = await gui(gw, guest);
    expect(g.initial).toEqual([]);
    const refresh = once(eng, "force_refresh_auth_list");
    const added = once(g.socket, "new_shared_engine");
    world.share("e1", guest.address, "runner");
    gw.sockets.events.shareChanged("e1", guest.address, "new", "runner");
    expect(await refresh).toEqual({});
    expect(await added).toMatchObject({ engine_id: "e1", name: "name-e1", role: "runner", status: "online" });
    // now in the engine's room: gets vitals
    const vitals = once(g.socket, "engine_vitals_update");
    eng.emit("engine_vitals_update", VITALS);
    await vitals;
    const updated = once(g.socket, "shared_engine_updated");
    world.share("e1", guest.address, "admin");
    gw.sockets.events.shareChanged("e1", guest.address, "updated", "admin");
    expect(await updated).toEqual({ engine_id: "e1", role: "admin" });
    const removed = once(g.socket, "removed_shared_engine");
    world.share("e1", guest.address, undefined);
    gw.sockets.events.shareChanged("e1", guest.address, "removed");
    expect(await removed).toEqual({ engine_id: "e1" });
    const after = record(g.socket);
    eng.emit("engine_vitals_update", VITALS);
    eng.emit("forward_event_to_gui", { event_name: "x", event_data: null });
    await sleep(200);
    expect(after).toEqual([]);
  });

  it("engineDeleted cuts the engine and tells owner and guests", async () => {
    world.share("e1", guest.address, "reader");
    const eng = await engine(gw, "dev_engine_e1");
    const o = await gui(gw, owner);
    const g = await gui(gw, guest);
    const cut = once(eng, "disconnect");
    const deleted = once(o.socket, "engine_deleted");
    const removed = once(g.socket, "removed_shared_engine");
    gw.sockets.events.engineDeleted("e1", owner.address, [guest.address.toLowerCase()]);
    await cut;
    expect(await deleted).toEqual({ engine_id: "e1" });
    expect(await removed).toEqual({ engine_id: "e1" });
  });

  it("refreshAuthList, quotaChanged, disconnectEngine, engineChanged and notify", async () => {
    const eng = await engine(gw, "dev_engine_e1");
    const o = await gui(gw, owner);
    const refresh = once(eng, "force_refresh_auth_list");
    gw.sockets.events.refreshAuthList("e1");
    await refresh;
    const quota = once(eng, "quota_update");
    gw.sockets.events.quotaChanged("e1", "builder", { monthly_executions: 10 });
    expect(await quota).toEqual({ tier: "builder", quotas: { monthly_executions: 10 } });
    const renamed = once(o.socket, "engine_status_update");
    world.engines.get("e1")!.name = "renamed";
    gw.sockets.events.engineChanged("e1");
    expect(await renamed).toMatchObject({ engine_id: "e1", name: "renamed", status: "online" });
    const note = once(o.socket, "notification");
    gw.sockets.events.notify(owner.address, { level: "success", title: "t", text: "x" });
    expect(await note).toMatchObject({
      level: "success",
      title: "t",
      text: "x",
      id: expect.any(String),
      ts: expect.any(String),
    });
    const cut = once(eng, "disconnect");
    gw.sockets.events.disconnectEngine("e1");
    await cut;
  });
});

describe("robustness", () => {
  it("survives a fuzz loop of malformed events from engines and GUIs", async () => {
    const eng = await engine(gw, "dev_engine_e1");
    const { socket } = await gui(gw, owner);
    const junk: unknown[] = [
      null,
      0,
      -1,
      "x",
      [],
      {},
      { engine_id: {} },
      { event_name: "" },
      { period: 1 },
      true,
      "a".repeat(5000),
      { envelope: null, engine_id: "e1" },
    ];
    const names = [
      "engine_vitals_update",
      "forward_event_to_gui",
      "usage_report",
      "rpc_forward_to_engine",
      "unknown",
      "execute_rpc_from_gui",
    ];
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let i = 0; i < 300; i++) {
      const name = names[rand(names.length)]!;
      const value = junk[rand(junk.length)];
      eng.emit(name, value);
      socket.emit(name, value);
      if (i % 10 === 0) socket.emit(name, value, () => {});
    }
    const answer = await socket.timeout(2000).emitWithAck("rpc_forward_to_engine", null);
    expect(answer).toMatchObject({ ok: false, error: { code: "VALIDATION_FAILED" } });
    expect(eng.connected && socket.connected).toBe(true);
  });
});
