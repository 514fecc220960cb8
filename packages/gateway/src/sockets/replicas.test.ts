import { randomUUID } from "node:crypto";
import { Socket as NetSocket } from "node:net";
import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import {
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
});
