import type { JobEvent } from "@flowork/protocol";
import type { Kysely } from "kysely";
import { describe, expect, it } from "vitest";
import { type EngineDatabase, EventWriter, type StoredEvent } from "./index.js";
import type { ContractHarness } from "./test-contract.js";
import { logOf, newJob } from "./test-contract-executions.js";

const terminal = (job_id: string): JobEvent => ({
  type: "workflow_status_update",
  job_id,
  status_data: { status: "SUCCEEDED", mode: "EXECUTE", start_time: "2025-01-01T00:00:00.000Z" },
});

const waitFor = async (check: () => Promise<boolean>, ms = 2000): Promise<void> => {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 2));
  }
};

export function describeEventContract(h: ContractHarness): void {
  describe("events", () => {
    it("numbers events 1, 2, 3 per job and replays them in order after a seq", async () => {
      const { executions } = h.store;
      await executions.create(newJob("a"));
      await executions.create(newJob("b"));
      expect(await executions.appendEvents("a", [logOf("a", "1"), logOf("a", "2")])).toEqual({
        job_id: "a",
        first_seq: 1,
        last_seq: 2,
      });
      expect(await executions.appendEvents("b", [logOf("b", "1")])).toEqual({
        job_id: "b",
        first_seq: 1,
        last_seq: 1,
      });
      expect(await executions.appendEvents("a", [logOf("a", "3")])).toMatchObject({
        first_seq: 3,
        last_seq: 3,
      });
      expect(await executions.appendEvents("a", [])).toEqual({ job_id: "a", first_seq: 4, last_seq: 3 });
      const all = await executions.events("a");
      expect(all.map((e) => [e.seq, (e.event as { message: string }).message])).toEqual([
        [1, "1"],
        [2, "2"],
        [3, "3"],
      ]);
      expect((await executions.events("a", 1)).map((e) => e.seq)).toEqual([2, 3]);
      expect((await executions.events("a", 0, 2)).map((e) => e.seq)).toEqual([1, 2]);
      expect(await executions.events("a", 3)).toEqual([]);
      expect(await executions.events("ghost")).toEqual([]);
    });

    it("keeps seq strictly increasing without duplicates under concurrent appends", async () => {
      const { executions } = h.store;
      await executions.create(newJob("c"));
      const calls = Array.from({ length: 25 }, (_, call) =>
        executions.appendEvents(
          "c",
          Array.from({ length: 8 }, (_, i) => logOf("c", `${call}:${i}`)),
        ),
      );
      for (let i = 0; i < 40; i++) h.store.events.append("c", logOf("c", `w:${i}`));
      const [results] = await Promise.all([Promise.all(calls), h.store.events.flush()]);
      const stored = await executions.events("c");
      expect(stored.map((e) => e.seq)).toEqual(Array.from({ length: 240 }, (_, i) => i + 1));
      for (const r of results) {
        const slice = stored.filter((e) => e.seq >= r.first_seq && e.seq <= r.last_seq);
        const tags = slice.map((e) => (e.event as { message: string }).message.split(":"));
        expect(new Set(tags.map((t) => t[0])).size).toBe(1);
        expect(tags.map((t) => Number(t[1]))).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
      }
      const writer = stored
        .map((e) => (e.event as { message: string }).message)
        .filter((m) => m.startsWith("w:"));
      expect(writer).toEqual(Array.from({ length: 40 }, (_, i) => `w:${i}`));
    });

    it("EventWriter buffers until the interval, then writes every job in one flush", async () => {
      const store = await h.reopen({ events: { intervalMs: 40, maxBuffered: 10_000 } });
      await store.executions.create(newJob("x"));
      await store.executions.create(newJob("y"));
      store.events.append("x", logOf("x", "1"));
      store.events.append("y", logOf("y", "1"));
      store.events.append("x", logOf("x", "2"));
      expect(store.events.pending).toBe(3);
      expect(await store.executions.events("x")).toEqual([]);
      await waitFor(async () => (await store.executions.events("y")).length === 1);
      expect((await store.executions.events("x")).map((e) => e.seq)).toEqual([1, 2]);
      expect(store.events.pending).toBe(0);
    });

    it("EventWriter flushes at once on maxBuffered, else after intervalMs (a terminal status waits too)", async () => {
      const store = await h.reopen({ events: { intervalMs: 1_500, maxBuffered: 5 } });
      await store.executions.create(newJob("m"));
      for (let i = 0; i < 5; i++) store.events.append("m", logOf("m", String(i)));
      await waitFor(async () => (await store.executions.events("m")).length === 5, 1_000);
      store.events.append("m", logOf("m", "5"));
      store.events.append("m", terminal("m"));
      await new Promise((r) => setTimeout(r, 50));
      expect((await store.executions.events("m")).length).toBe(5);
      await waitFor(async () => (await store.executions.events("m")).length === 7, 5_000);
      const last = (await store.executions.events("m")).at(-1);
      expect(last).toEqual({ seq: 7, event: terminal("m") });
    });

    it("EventWriter: flush() awaits the write, listeners get seqs, unknown jobs are dropped and reported", async () => {
      const store = await h.reopen({ events: { intervalMs: 60_000 } });
      await store.executions.create(newJob("l"));
      await store.executions.appendEvents("l", [logOf("l", "direct")]);
      const seen: [string, StoredEvent[]][] = [];
      const off = store.events.subscribe((job, events) => seen.push([job, events]));
      store.events.append("l", logOf("l", "a"));
      store.events.append("ghost", logOf("ghost", "a"));
      store.events.append("l", logOf("l", "b"));
      await store.events.flush();
      expect((await store.executions.events("l")).map((e) => e.seq)).toEqual([1, 2, 3]);
      expect(seen).toEqual([
        [
          "l",
          [
            { seq: 2, event: logOf("l", "a") },
            { seq: 3, event: logOf("l", "b") },
          ],
        ],
      ]);
      expect(h.warnings.some((w) => w.details["job_id"] === "ghost")).toBe(true);
      expect(store.events.stats.dropped).toBe(1);
      off();
      store.events.append("l", logOf("l", "c"));
      await store.events.flush();
      expect(seen).toHaveLength(1);
      await store.events.flush();
    });

    it("EventWriter coalesces a burst of terminal flushes into one transaction", async () => {
      const store = await h.reopen({ events: { intervalMs: 60_000 } });
      for (let j = 0; j < 20; j++) await store.executions.create(newJob(`t${j}`));
      const before = store.events.stats;
      for (let j = 0; j < 20; j++) {
        store.events.append(`t${j}`, logOf(`t${j}`, "x"));
        store.events.append(`t${j}`, terminal(`t${j}`));
      }
      await store.events.flush();
      expect(store.events.stats).toEqual({
        transactions: before.transactions + 1,
        events: before.events + 40,
        dropped: before.dropped,
      });
      for (let j = 0; j < 20; j++)
        expect((await store.executions.events(`t${j}`)).map((e) => e.seq)).toEqual([1, 2]);
    });

    it("EventWriter reports a failed write to onError and rejects flush(), without crashing", async () => {
      const errors: [unknown, number][] = [];
      const store = await h.reopen({
        events: { intervalMs: 60_000, retryForMs: 0, onError: (err, n) => errors.push([err, n]) },
      });
      await store.executions.create(newJob("e"));
      await store.db.destroy();
      store.events.append("e", logOf("e", "lost"));
      store.events.append("e", logOf("e", "lost too"));
      await expect(store.events.flush()).rejects.toThrow();
      expect(errors.map(([, n]) => n)).toEqual([2]);
      expect(store.events.stats.dropped).toBe(2);
      store.events.append("e", terminal("e"));
      await expect(store.events.flush()).rejects.toThrow();
      expect(errors).toHaveLength(2);
    });

    it("EventWriter: close() writes what is left and refuses later events", async () => {
      const store = await h.reopen({ events: { intervalMs: 60_000 } });
      await store.executions.create(newJob("z"));
      store.events.append("z", logOf("z", "last"));
      await store.events.close();
      expect(() => store.events.append("z", logOf("z", "late"))).toThrow(/closed/);
      expect((await store.executions.events("z")).map((e) => e.seq)).toEqual([1]);
    });

    it("EventWriter waits for beforeWrite (a running WAL checkpoint) and writes what arrived meanwhile too", async () => {
      let release!: () => void;
      let gate: Promise<void> | undefined = new Promise<void>((r) => {
        release = r;
      });
      const writer = new EventWriter(h.store.db, { intervalMs: 60_000, beforeWrite: () => gate });
      await h.store.executions.create(newJob("gated"));
      writer.append("gated", logOf("gated", "1"));
      const flushed = writer.flush();
      writer.append("gated", logOf("gated", "2"));
      await new Promise((r) => setTimeout(r, 30));
      expect(await h.store.executions.events("gated")).toEqual([]);
      gate = undefined;
      release();
      await flushed;
      expect(writer.stats.transactions).toBe(1);
      expect((await h.store.executions.events("gated")).map((e) => e.seq)).toEqual([1, 2]);
      await writer.close();
    });

    it("journal: a run's row, status changes, events and checkpoint go in one transaction", async () => {
      const store = await h.reopen({ events: { intervalMs: 60_000 } });
      const before = store.events.stats;
      store.events.create(newJob("j1", { initial_payload: { n: 1 } }));
      store.events.append("j1", logOf("j1", "queued"));
      store.events.setStatus("j1", "RUNNING", { started_at: "2025-01-01T02:00:00+02:00" });
      store.events.saveCheckpoint("j1", '{"step":1}');
      store.events.append("j1", logOf("j1", "ran"));
      store.events.setStatus("j1", "SUCCEEDED", {
        ended_at: "2025-01-01T00:00:01.000Z",
        duration_ms: 1000,
        result: { n: { ok: true } },
      });
      store.events.create(newJob("j2"));
      store.events.saveCheckpoint("j2", '{"step":2}');
      store.events.append("j2", logOf("j2", "only"));
      store.events.deleteCheckpoint("j1");
      await store.events.flush();
      expect(store.events.stats.transactions).toBe(before.transactions + 1);
      const j1 = await store.executions.get("j1");
      expect(j1).toMatchObject({
        status: "SUCCEEDED",
        started_at: "2025-01-01T00:00:00.000Z",
        ended_at: "2025-01-01T00:00:01.000Z",
        duration_ms: 1000,
        result: { n: { ok: true } },
      });
      expect((await store.executions.events("j1")).map((e) => e.seq)).toEqual([1, 2]);
      expect(await store.executions.loadCheckpoint("j1")).toBeUndefined();
      expect(await store.executions.loadCheckpoint("j2")).toBe('{"step":2}');
      // Later writes of existing rows continue their numbering and keep fields they do not set.
      store.events.append("j2", logOf("j2", "more"));
      store.events.setStatus("j2", "FAILED", { error_code: "USER_ERROR", error_message: "boom" });
      store.events.append("j1", logOf("j1", "late"));
      await store.events.flush();
      expect((await store.executions.events("j2")).map((e) => e.seq)).toEqual([1, 2]);
      expect((await store.executions.events("j1")).map((e) => e.seq)).toEqual([1, 2, 3]);
      expect(await store.executions.get("j2")).toMatchObject({
        status: "FAILED",
        error_code: "USER_ERROR",
        error_message: "boom",
        preset_name: null,
      });
      expect((await store.executions.get("j1"))?.status).toBe("SUCCEEDED");
    });

    it("journal: a job id already stored is not overwritten; unknown jobs' writes are dropped and reported", async () => {
      const store = await h.reopen({ events: { intervalMs: 60_000 } });
      await store.executions.create(newJob("taken", { preset_name: "first" }));
      store.events.create(newJob("taken", { preset_name: "second" }));
      store.events.setStatus("ghost", "RUNNING");
      store.events.saveCheckpoint("ghost", "{}");
      store.events.create(newJob("fine"));
      await store.events.flush();
      expect((await store.executions.get("taken"))?.preset_name).toBe("first");
      expect(await store.executions.exists("fine")).toBe(true);
      expect(await store.executions.exists("ghost")).toBe(false);
      expect(h.warnings.some((w) => w.details["job_id"] === "ghost")).toBe(true);
      expect(() => store.events.create(newJob("bad id!"))).toThrow(/invalid job id/);
    });

    it("journal: a failed write is kept and retried in order, without duplicates", async () => {
      const store = h.store;
      let failures = 2;
      const flaky = new Proxy(store.db, {
        get(target, prop, receiver) {
          if (prop === "transaction" && failures > 0) {
            failures--;
            throw new Error("database restarting");
          }
          const value = Reflect.get(target, prop, receiver) as unknown;
          return typeof value === "function" ? value.bind(target) : value;
        },
      }) as Kysely<EngineDatabase>;
      const errors: number[] = [];
      const writer = new EventWriter(flaky, { intervalMs: 60_000, onError: (_e, n) => errors.push(n) });
      writer.create(newJob("r"));
      writer.append("r", logOf("r", "one"));
      await expect(writer.flush()).rejects.toThrow(/restarting/);
      writer.append("r", logOf("r", "two"));
      writer.setStatus("r", "RUNNING");
      await waitFor(async () => (await store.executions.events("r")).length === 2, 5_000);
      expect(errors).toEqual([0, 0]);
      writer.append("r", terminal("r"));
      writer.setStatus("r", "SUCCEEDED");
      await writer.close();
      expect((await store.executions.events("r")).map((e) => e.seq)).toEqual([1, 2, 3]);
      expect((await store.executions.get("r"))?.status).toBe("SUCCEEDED");
      expect(writer.stats.dropped).toBe(0);
    });

    it("stores every log line of a run so get() returns them", async () => {
      const store = h.store;
      await store.executions.create(newJob("g"));
      for (let i = 0; i < 30; i++) store.events.append("g", logOf("g", `line ${i}`));
      store.events.append("g", terminal("g"));
      await store.events.flush();
      const detail = await store.executions.get("g");
      expect(detail?.logs.map((l) => l.message)).toEqual(Array.from({ length: 30 }, (_, i) => `line ${i}`));
    });
  });
}
