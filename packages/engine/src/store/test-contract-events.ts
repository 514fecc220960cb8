import type { JobEvent } from "@flowork/protocol";
import { describe, expect, it } from "vitest";
import type { StoredEvent } from "./index.js";
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

    it("EventWriter flushes at once on maxBuffered and on a terminal status", async () => {
      const store = await h.reopen({ events: { intervalMs: 60_000, maxBuffered: 5 } });
      await store.executions.create(newJob("m"));
      for (let i = 0; i < 5; i++) store.events.append("m", logOf("m", String(i)));
      await waitFor(async () => (await store.executions.events("m")).length === 5);
      store.events.append("m", logOf("m", "5"));
      store.events.append("m", terminal("m"));
      await waitFor(async () => (await store.executions.events("m")).length === 7);
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
        events: { intervalMs: 60_000, onError: (err, n) => errors.push([err, n]) },
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
