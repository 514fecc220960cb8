import { GuiSocketClient } from "@flowork/sdk";
import type { Socket as ClientSocket } from "socket.io-client";
import { afterEach, describe, expect, it } from "vitest";
import {
  batchGui,
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
  uptime_s: 0,
  active_jobs: 0,
  queued_jobs: 0,
  version: "0.1.0",
};
/** Vitals told apart by `uptime_s`. */
const v = (n: number) => ({ ...VITALS, uptime_s: n });
type Item = { engine_id: string; vitals: typeof VITALS };

/** A fixed flush period for these tests (the adaptive range collapsed to one value). */
const PERIOD = 300;

const owner = newUser();
const guest = newUser();
const stranger = newUser();
let world: MemoryWorld;
let gw: TestGateway;

async function start(options: Parameters<typeof startTestGateway>[1] = {}): Promise<TestGateway> {
  gw = await startTestGateway(world, {
    vitalsFlushMs: PERIOD,
    vitalsFlushMaxMs: PERIOD,
    vitalsPersistMs: 60_000,
    ...options,
  });
  return gw;
}

/** Every `engine_vitals_batch` frame a socket receives, with its arrival time. */
function batches(socket: ClientSocket): { at: number; items: Item[] }[] {
  const seen: { at: number; items: Item[] }[] = [];
  socket.on("engine_vitals_batch", (items: Item[]) => seen.push({ at: Date.now(), items }));
  return seen;
}

const until = async (check: () => boolean, ms = 3000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await sleep(10);
  }
};

afterEach(async () => {
  await gw?.close();
});

describe("batched vitals (engine_vitals_batch)", () => {
  it("sends every visible engine's latest vitals in one frame per period; legacy sockets get one update per engine", async () => {
    world = new MemoryWorld();
    world.addEngine("e1", owner.address);
    world.addEngine("e2", owner.address);
    await start();
    const o = await batchGui(gw, owner);
    const legacy = await gui(gw, owner);
    const s = await batchGui(gw, stranger);
    const strangerSeen = record(s.socket);
    const frames = batches(o.socket);
    const updates: Item[] = [];
    legacy.socket.on("engine_vitals_update", (u: Item) => updates.push(u));
    const e1 = await engine(gw, "dev_engine_e1");
    const e2 = await engine(gw, "dev_engine_e2");

    // Quiet until now: the first report goes out at once and starts a period.
    const t0 = Date.now();
    e1.emit("engine_vitals_update", v(0));
    await until(() => frames.length === 1);
    expect(frames[0]?.items).toEqual([{ engine_id: "e1", vitals: v(0) }]);
    expect(frames[0]!.at - t0).toBeLessThan(PERIOD);

    // Within the period: coalesced to the latest per engine, one frame with both engines.
    e1.emit("engine_vitals_update", v(1));
    e1.emit("engine_vitals_update", v(2));
    e2.emit("engine_vitals_update", v(3));
    const sent = Date.now();
    await until(() => frames.length === 2);
    expect(frames[1]?.items).toHaveLength(2);
    expect(frames[1]?.items).toEqual(
      expect.arrayContaining([
        { engine_id: "e1", vitals: v(2) },
        { engine_id: "e2", vitals: v(3) },
      ]),
    );
    // at most one frame per period, and delivered within one period of the report
    expect(frames[1]!.at - frames[0]!.at).toBeGreaterThanOrEqual(PERIOD - 20);
    expect(frames[1]!.at - sent).toBeLessThanOrEqual(PERIOD + 150);
    await until(() => updates.length === 3);
    expect(updates).toEqual(
      expect.arrayContaining([
        { engine_id: "e1", vitals: v(0) },
        { engine_id: "e1", vitals: v(2) },
        { engine_id: "e2", vitals: v(3) },
      ]),
    );
    await sleep(PERIOD + 100);
    expect(frames).toHaveLength(2);
    expect(updates).toHaveLength(3);
    expect(strangerSeen).toEqual([]);
    // reports of one engine that arrive in the same turn are coalesced before validation
    expect(gw.sockets.vitalsStats().accepted).toBeGreaterThanOrEqual(3);
    expect(gw.sockets.vitalsStats().rejected).toBe(0);
  });

  it("never sends vitals to a user without a role; a new share gets them from the next flush", async () => {
    world = new MemoryWorld();
    world.addEngine("e1", owner.address);
    await start();
    const o = await batchGui(gw, owner);
    const g = await batchGui(gw, guest);
    const ownerFrames = batches(o.socket);
    const guestSeen = record(g.socket);
    const eng = await engine(gw, "dev_engine_e1");
    for (let i = 0; i < 3; i++) {
      eng.emit("engine_vitals_update", v(i));
      await sleep(PERIOD / 2);
    }
    await until(() => ownerFrames.some((f) => f.items.some((i) => i.vitals.uptime_s === 2)));
    await sleep(PERIOD);
    expect(guestSeen).toEqual([]);

    const added = once(g.socket, "new_shared_engine");
    world.share("e1", guest.address, "reader");
    gw.sockets.events.shareChanged("e1", guest.address, "new", "reader");
    await added;
    const guestFrames = batches(g.socket);
    eng.emit("engine_vitals_update", v(10));
    await until(() => guestFrames.length > 0, PERIOD * 3);
    expect(guestFrames[0]?.items).toEqual([{ engine_id: "e1", vitals: v(10) }]);
  });

  it("a share revoked mid-period stops delivery at once, for batched and legacy sockets", async () => {
    world = new MemoryWorld();
    world.addEngine("e1", owner.address);
    world.share("e1", guest.address, "reader");
    await start();
    const o = await batchGui(gw, owner);
    const g = await batchGui(gw, guest);
    const gl = await gui(gw, guest);
    const ownerFrames = batches(o.socket);
    const guestFrames = batches(g.socket);
    const guestUpdates: Item[] = [];
    gl.socket.on("engine_vitals_update", (u: Item) => guestUpdates.push(u));
    const eng = await engine(gw, "dev_engine_e1");

    eng.emit("engine_vitals_update", v(1));
    await until(() => ownerFrames.length === 1 && guestFrames.length === 1 && guestUpdates.length === 1);
    const firstFlush = ownerFrames[0]!.at;
    // v(2) is queued for the next flush, a period after the first; the share goes before that.
    eng.emit("engine_vitals_update", v(2));
    await sleep(60);
    const removed = Promise.all([
      once(g.socket, "removed_shared_engine"),
      once(gl.socket, "removed_shared_engine"),
    ]);
    world.share("e1", guest.address, undefined);
    gw.sockets.events.shareChanged("e1", guest.address, "removed");
    const revokedAt = Date.now();
    await removed;
    expect(revokedAt - firstFlush).toBeLessThan(PERIOD);
    await until(() => ownerFrames.length === 2);
    expect(ownerFrames[1]?.items).toEqual([{ engine_id: "e1", vitals: v(2) }]);
    expect(ownerFrames[1]!.at).toBeGreaterThan(revokedAt);
    eng.emit("engine_vitals_update", v(3));
    await until(() => ownerFrames.length === 3);
    await sleep(100);
    expect(guestFrames.map((f) => f.items)).toEqual([[{ engine_id: "e1", vitals: v(1) }]]);
    expect(guestUpdates).toEqual([{ engine_id: "e1", vitals: v(1) }]);
  });

  it("drops malformed reports and reports of a disconnected engine", async () => {
    world = new MemoryWorld();
    world.addEngine("e1", owner.address);
    await start();
    const o = await batchGui(gw, owner);
    const seen = record(o.socket);
    const eng = await engine(gw, "dev_engine_e1");
    for (const junk of [null, "x", {}, { ...VITALS, cpu_percent: 500 }, { ...VITALS, active_jobs: -1 }]) {
      eng.emit("engine_vitals_update", junk);
    }
    await sleep(PERIOD + 100);
    expect(seen.filter((e) => e.event.startsWith("engine_vitals"))).toEqual([]);
    expect(gw.sockets.vitalsStats().accepted).toBe(0);
    expect(gw.sockets.vitalsStats().rejected).toBeGreaterThanOrEqual(1);
    // a report queued just before the socket closed is not relayed after the engine shows offline
    eng.emit("engine_vitals_update", v(7));
    eng.disconnect();
    await sleep(PERIOD + 100);
    expect(seen.filter((e) => e.event === "engine_vitals_batch")).toEqual([]);
  });

  it("drains a burst in slices and still delivers every engine's latest vitals", async () => {
    world = new MemoryWorld();
    const ids = ["a", "b", "c", "d", "e", "f", "g"];
    for (const id of ids) world.addEngine(id, owner.address);
    await start({ vitalsSlice: 2 });
    const o = await batchGui(gw, owner);
    const frames = batches(o.socket);
    const engines = await Promise.all(ids.map((id) => engine(gw, `dev_engine_${id}`)));
    engines.forEach((e, i) => {
      e.emit("engine_vitals_update", v(i));
    });
    const latest = new Map<string, number>();
    await until(() => {
      for (const f of frames) for (const item of f.items) latest.set(item.engine_id, item.vitals.uptime_s);
      return latest.size === ids.length;
    }, PERIOD * 5);
    expect([...latest.entries()].sort()).toEqual(ids.map((id, i) => [id, i]));
    expect(frames.length).toBeLessThanOrEqual(3);
  });

  it("writes vitals at most once per persist period, only the latest, and on disconnect before the presence update", async () => {
    world = new MemoryWorld();
    world.addEngine("e1", owner.address);
    const persistMs = 400;
    await start({ vitalsPersistMs: persistMs });
    const eng = await engine(gw, "dev_engine_e1");
    for (let i = 1; i <= 5; i++) eng.emit("engine_vitals_update", v(i));
    await until(() => world.saved.length > 0, persistMs * 3);
    await sleep(persistMs + 100);
    const rows = world.saved.flat().filter((r) => r.engine_id === "e1");
    expect(rows.length).toBeLessThanOrEqual(2); // the burst may straddle one period boundary
    expect(rows.at(-1)?.vitals).toEqual(v(5));
    expect(rows.at(-1)?.at).toBeInstanceOf(Date);
    for (const call of world.saved) expect(call.filter((r) => r.engine_id === "e1")).toHaveLength(1);

    const before = world.saved.length;
    eng.emit("engine_vitals_update", v(6));
    await sleep(50);
    eng.disconnect();
    await until(() => world.presence.some((p) => p.status === "offline"));
    const last = world.saved.flat().filter((r) => r.engine_id === "e1");
    expect(last.at(-1)?.vitals).toEqual(v(6));
    expect(world.saved.length).toBeGreaterThan(before);
    expect(world.writes.slice(-2)).toEqual(["vitals:e1", "presence:e1:offline"]);
  });

  it("writes what is pending when the gateway closes", async () => {
    world = new MemoryWorld();
    world.addEngine("e1", owner.address);
    await start({ vitalsPersistMs: 60_000 });
    const eng = await engine(gw, "dev_engine_e1");
    eng.emit("engine_vitals_update", v(9));
    await until(() => gw.sockets.vitalsStats().accepted === 1);
    expect(world.saved).toEqual([]);
    await gw.close();
    expect(world.saved.flat().map((r) => r.vitals)).toContainEqual(v(9));
  });
});

describe("the SDK's GuiSocketClient", () => {
  it("opts in and unpacks each batch into engine_vitals_update listeners, skipping malformed items", async () => {
    world = new MemoryWorld();
    world.addEngine("e1", owner.address);
    world.addEngine("e2", owner.address);
    await start();
    const client = new GuiSocketClient({ url: gw.url, signer: owner, reconnection: false });
    const updates: Item[] = [];
    const rawBatches: unknown[] = [];
    client.socket.on("engine_vitals_update", (u) => updates.push(u as Item));
    client.socket.on("engine_vitals_batch", (b) => rawBatches.push(b));
    try {
      await client.connect();
      const [e1, e2] = await Promise.all([engine(gw, "dev_engine_e1"), engine(gw, "dev_engine_e2")]);
      e1.emit("engine_vitals_update", v(1));
      await until(() => updates.length === 1);
      e1.emit("engine_vitals_update", v(2));
      e2.emit("engine_vitals_update", v(3));
      await until(() => updates.length === 3);
      expect(updates).toEqual([{ engine_id: "e1", vitals: v(1) }, ...(rawBatches[1] as Item[])]);
      expect(rawBatches).toHaveLength(2);
      // a malformed item (not something this gateway sends) is skipped, the others go through
      gw.sockets.guis.emit("engine_vitals_batch", [
        { engine_id: "e2", vitals: v(4) },
        { engine_id: "e1", vitals: { cpu_percent: "high" } },
      ] as never);
      await until(() => updates.length === 4);
      await sleep(50);
      expect(updates.at(-1)).toEqual({ engine_id: "e2", vitals: v(4) });
      expect(updates).toHaveLength(4);
    } finally {
      client.close();
    }
  });
});
