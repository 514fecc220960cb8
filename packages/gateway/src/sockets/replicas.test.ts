import { randomUUID } from "node:crypto";
import { Socket as NetSocket } from "node:net";
import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import {
  batchGui,
  engine,
  gui,
  MemoryWorld,
  newUser,
  once,
  sleep,
  startTestGateway,
  type TestGateway,
} from "./test-harness.js";

/** True when Redis answers on 127.0.0.1:6379 (CI starts it; a laptop may not have it). */
async function redisUp(): Promise<boolean> {
  return new Promise((resolve) => {
    const s = new NetSocket();
    s.setTimeout(300);
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
    s.once("timeout", () => {
      s.destroy();
      resolve(false);
    });
    s.connect(6379, "127.0.0.1");
  });
}

const VITALS = {
  cpu_percent: 1,
  memory_percent: 2,
  ram_rss_mb: 3,
  uptime_s: 4,
  active_jobs: 0,
  queued_jobs: 0,
  version: "0.1.0",
};

const available = await redisUp();
const gateways: TestGateway[] = [];
const streams: string[] = [];

afterEach(async () => {
  for (const g of gateways.splice(0)) await g.close();
  if (streams.length === 0) return;
  const redis = new Redis("redis://127.0.0.1:6379");
  await redis.del(...streams.splice(0));
  await redis.quit();
});

describe("two replicas over Redis", () => {
  it("has Redis at 127.0.0.1:6379 (CI starts it; a missing Redis fails here instead of skipping)", () => {
    expect(available).toBe(true);
  });

  it("a GUI on replica A sees and drives an engine connected to replica B", async () => {
    const world = new MemoryWorld();
    const owner = newUser();
    const stranger = newUser();
    world.addEngine("e1", owner.address);
    const options = {
      redisUrl: "redis://127.0.0.1:6379",
      redisStreamName: `test:${randomUUID()}`,
      rpcTimeoutMs: 2000,
    };
    streams.push(options.redisStreamName);
    const a = await startTestGateway(world, options);
    const b = await startTestGateway(world, options);
    gateways.push(a, b);
    await sleep(300); // let the replicas see each other
    const { socket } = await gui(a, owner);
    const s = await gui(a, stranger);
    const strangerSeen: string[] = [];
    s.socket.onAny((e: string) => strangerSeen.push(e));
    const online = once<{ status: string }>(socket, "engine_status_update", 1000);
    const eng = await engine(b, "dev_engine_e1");
    expect(await online).toMatchObject({ engine_id: "e1", status: "online" });
    eng.on("execute_rpc_from_gui", (body: { request_id: string }, ack: (a: unknown) => void) =>
      ack({ ok: true, response: { type: "pong", request_id: body.request_id } }),
    );
    const answer = await socket.timeout(3000).emitWithAck("rpc_forward_to_engine", {
      engine_id: "e1",
      envelope: { payload: { type: "ping", request_id: "r-9" } },
    });
    expect(answer).toEqual({ ok: true, response: { type: "pong", request_id: "r-9" } });
    const second = await gui(a, owner);
    expect(second.initial).toEqual([expect.objectContaining({ engine_id: "e1", status: "online" })]);
    const refresh = once(eng, "force_refresh_auth_list");
    a.sockets.events.refreshAuthList("e1");
    await refresh;
    expect(strangerSeen).toEqual([]);
  });

  it("batched vitals of an engine on replica B reach allowed GUIs on replica A only", async () => {
    const world = new MemoryWorld();
    const owner = newUser();
    const guest = newUser();
    const stranger = newUser();
    world.addEngine("e1", owner.address);
    world.share("e1", guest.address, "reader");
    const options = {
      redisUrl: "redis://127.0.0.1:6379",
      redisStreamName: `test:${randomUUID()}`,
      vitalsFlushMs: 200,
      vitalsFlushMaxMs: 200,
    };
    streams.push(options.redisStreamName);
    const a = await startTestGateway(world, options);
    const b = await startTestGateway(world, options);
    gateways.push(a, b);
    await sleep(300);
    const o = await batchGui(a, owner);
    const legacy = await gui(a, owner);
    const g = await batchGui(a, guest);
    const s = await batchGui(a, stranger);
    const strangerSeen: string[] = [];
    s.socket.onAny((e: string) => strangerSeen.push(e));
    const ownerBatch = once<unknown[]>(o.socket, "engine_vitals_batch", 3000);
    const guestBatch = once<unknown[]>(g.socket, "engine_vitals_batch", 3000);
    const legacyUpdate = once(legacy.socket, "engine_vitals_update", 3000);
    const eng = await engine(b, "dev_engine_e1");
    eng.emit("engine_vitals_update", VITALS);
    const item = { engine_id: "e1", vitals: VITALS };
    expect(await ownerBatch).toEqual([item]);
    expect(await guestBatch).toEqual([item]);
    expect(await legacyUpdate).toEqual(item);

    // the guest's share is revoked through replica B: replica A's rooms follow, the next batch skips the guest
    const removed = once(g.socket, "removed_shared_engine", 3000);
    world.share("e1", guest.address, undefined);
    b.sockets.events.shareChanged("e1", guest.address, "removed");
    await removed;
    const guestAfter: string[] = [];
    g.socket.onAny((e: string) => guestAfter.push(e));
    const next = once<unknown[]>(o.socket, "engine_vitals_batch", 3000);
    eng.emit("engine_vitals_update", { ...VITALS, uptime_s: 99 });
    expect(await next).toEqual([{ engine_id: "e1", vitals: { ...VITALS, uptime_s: 99 } }]);
    await sleep(200);
    expect(guestAfter).toEqual([]);
    expect(strangerSeen).toEqual([]);
  });
});
