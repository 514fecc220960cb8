import type { JobEvent, Workflow } from "@flowork/protocol";
import { describe, expect, it } from "vitest";
import type { EngineStore, NewExecution } from "./index.js";
import type { ContractHarness } from "./test-contract.js";

const WF: Workflow = { nodes: [{ id: "a", module_id: "set_data" }], connections: [] };
const ADDR = "0xAbCdEf0123456789aBcDeF0123456789AbCdEf01";

export function newJob(job_id: string, extra: Partial<NewExecution> = {}): NewExecution {
  return { job_id, preset_name: null, mode: "EXECUTE", started_by: null, workflow_data: WF, ...extra };
}

export function logOf(job_id: string, message: string, node_id?: string): JobEvent {
  const e: JobEvent = {
    type: "log",
    job_id,
    level: "INFO",
    source: "test",
    message,
    ts: "2025-01-01T00:00:00.000Z",
  };
  if (node_id !== undefined) e.node_id = node_id;
  return e;
}

async function finish(store: EngineStore, jobId: string, endedAt: string): Promise<void> {
  await store.executions.setStatus(jobId, "SUCCEEDED", { ended_at: endedAt, duration_ms: 12.5 });
}

export function describeExecutionContract(h: ContractHarness): void {
  describe("executions", () => {
    it("creates QUEUED, moves through statuses, and reads back the detail", async () => {
      const { executions } = h.store;
      const summary = await executions.create(
        newJob("job-1", {
          preset_name: "p",
          started_by: ADDR,
          initial_payload: { n: 1 },
          start_node_id: "a",
        }),
      );
      expect(summary).toEqual({
        job_id: "job-1",
        preset_name: "p",
        mode: "EXECUTE",
        status: "QUEUED",
        started_by: ADDR.toLowerCase(),
        started_at: "2025-01-01T00:00:00.000Z",
        ended_at: null,
        duration_ms: null,
      });
      await expect(executions.create(newJob("job-1"))).rejects.toMatchObject({ code: "CONFLICT" });
      await expect(executions.create(newJob("bad id!"))).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
      await executions.setStatus("job-1", "RUNNING", { started_at: "2025-01-01T01:00:00+01:00" });
      await executions.recordNode("job-1", {
        node_id: "b",
        status: "RUNNING",
        attempts: 1,
        duration_ms: null,
        output_port: null,
      });
      await executions.recordNode("job-1", {
        node_id: "a",
        module_id: "set_data",
        status: "SUCCEEDED",
        attempts: 1,
        duration_ms: 2,
        output_port: "success",
      });
      await executions.recordNode("job-1", {
        node_id: "b",
        status: "FAILED",
        attempts: 3,
        duration_ms: 4.25,
        output_port: null,
      });
      await executions.appendEvents("job-1", [logOf("job-1", "hello", "a"), logOf("job-1", "world")]);
      await executions.appendEvents("job-1", [
        {
          type: "NODE_EXECUTION_METRIC",
          job_id: "job-1",
          node_id: "a",
          module_id: "m",
          status: "SUCCEEDED",
          attempt: 1,
          started_at: "x",
        },
      ]);
      await executions.setStatus("job-1", "FAILED", {
        ended_at: "2025-01-01T00:00:01.000Z",
        duration_ms: 1000,
        error_code: "USER_ERROR",
        error_message: "boom",
        result: { out: [1, 2] },
      });
      expect(await executions.get("job-1")).toEqual({
        ...summary,
        status: "FAILED",
        started_at: "2025-01-01T00:00:00.000Z",
        ended_at: "2025-01-01T00:00:01.000Z",
        duration_ms: 1000,
        error_code: "USER_ERROR",
        error_message: "boom",
        result: { out: [1, 2] },
        nodes: [
          { node_id: "b", status: "FAILED", attempts: 3, duration_ms: 4.25, output_port: null },
          {
            node_id: "a",
            module_id: "set_data",
            status: "SUCCEEDED",
            attempts: 1,
            duration_ms: 2,
            output_port: "success",
          },
        ],
        logs: [
          { node_id: "a", level: "INFO", source: "test", message: "hello", ts: "2025-01-01T00:00:00.000Z" },
          { level: "INFO", source: "test", message: "world", ts: "2025-01-01T00:00:00.000Z" },
        ],
        workflow_data: WF,
      });
      expect(await executions.get("nope")).toBeUndefined();
    });

    it("answers NOT_FOUND for writes to an unknown job", async () => {
      const { executions } = h.store;
      await expect(executions.setStatus("ghost", "RUNNING")).rejects.toMatchObject({ code: "NOT_FOUND" });
      await expect(executions.appendEvents("ghost", [logOf("ghost", "x")])).rejects.toMatchObject({
        code: "NOT_FOUND",
      });
      await expect(executions.appendEvents("ghost", [])).rejects.toMatchObject({ code: "NOT_FOUND" });
      await expect(
        executions.recordNode("ghost", {
          node_id: "a",
          status: "RUNNING",
          attempts: 1,
          duration_ms: null,
          output_port: null,
        }),
      ).rejects.toMatchObject({ code: "NOT_FOUND" });
      await expect(executions.saveCheckpoint("ghost", "{}")).rejects.toMatchObject({ code: "NOT_FOUND" });
      await expect(executions.setStatus("ghost", "RUNNING", {})).rejects.toMatchObject({ code: "NOT_FOUND" });
    });

    it("pages the history newest first by started_at, limit capped at 200", async () => {
      const { executions } = h.store;
      for (let i = 0; i < 5; i++) {
        await executions.create(newJob(`j${i}`));
        h.clock.tick(1000);
      }
      const page = await executions.history({ limit: 2 });
      expect(page.map((e) => e.job_id)).toEqual(["j4", "j3"]);
      const next = await executions.history({ limit: 2, before: page[1]?.started_at });
      expect(next.map((e) => e.job_id)).toEqual(["j2", "j1"]);
      expect(
        (await executions.history({ before: "2025-01-01T01:00:01+01:00" })).map((e) => e.job_id),
      ).toEqual(["j0"]);
      expect(await executions.history({ limit: 10_000 })).toHaveLength(5);
      await expect(executions.history({ before: "yesterday" })).rejects.toMatchObject({
        code: "VALIDATION_FAILED",
      });
    });

    it("lists unfinished jobs (QUEUED, RUNNING, PAUSED) with what is needed to resume them", async () => {
      const { executions } = h.store;
      await executions.create(newJob("q", { initial_payload: null }));
      await executions.create(
        newJob("r", { preset_name: "p", started_by: ADDR, initial_payload: { a: [1] }, start_node_id: "a" }),
      );
      await executions.create(newJob("p", { mode: "SIMULATE" }));
      await executions.create(newJob("done"));
      await executions.setStatus("r", "RUNNING");
      await executions.setStatus("p", "PAUSED");
      await finish(h.store, "done", h.clock.iso());
      const unfinished = await executions.unfinished();
      expect(unfinished.map((u) => [u.job_id, u.status])).toEqual([
        ["p", "PAUSED"],
        ["q", "QUEUED"],
        ["r", "RUNNING"],
      ]);
      const r = unfinished.find((u) => u.job_id === "r");
      expect(r).toEqual({
        job_id: "r",
        preset_name: "p",
        mode: "EXECUTE",
        status: "RUNNING",
        started_by: ADDR.toLowerCase(),
        started_at: "2025-01-01T00:00:00.000Z",
        workflow_data: WF,
        initial_payload: { a: [1] },
        start_node_id: "a",
      });
      expect(unfinished.find((u) => u.job_id === "q")?.initial_payload).toBeNull();
      expect(unfinished.find((u) => u.job_id === "p")?.initial_payload).toBeUndefined();
    });

    it("saves, replaces, loads and deletes checkpoints", async () => {
      const { executions } = h.store;
      await executions.create(newJob("c"));
      expect(await executions.loadCheckpoint("c")).toBeUndefined();
      await executions.saveCheckpoint("c", '{"version":1,"steps":1}');
      await executions.saveCheckpoint("c", '{"version":1,"steps":2}');
      expect(await executions.loadCheckpoint("c")).toBe('{"version":1,"steps":2}');
      expect(await executions.deleteCheckpoint("c")).toBe(true);
      expect(await executions.deleteCheckpoint("c")).toBe(false);
      expect(await executions.loadCheckpoint("c")).toBeUndefined();
    });

    it("purges finished runs older than the cutoff with their events, nodes and checkpoints", async () => {
      const { executions, db } = h.store;
      for (const id of ["old1", "old2", "old-running", "new"]) {
        await executions.create(newJob(id));
        await executions.appendEvents(id, [logOf(id, "x")]);
        await executions.recordNode(id, {
          node_id: "a",
          status: "SUCCEEDED",
          attempts: 1,
          duration_ms: 1,
          output_port: null,
        });
        await executions.saveCheckpoint(id, "{}");
      }
      await finish(h.store, "old1", "2025-01-02T00:00:00.000Z");
      await executions.setStatus("old2", "INTERRUPTED");
      await executions.setStatus("old-running", "RUNNING");
      await finish(h.store, "new", "2025-02-01T00:00:00.000Z");
      expect(await executions.purgeOlderThan("2025-01-15T00:00:00Z")).toBe(2);
      expect((await executions.history()).map((e) => e.job_id).sort()).toEqual(["new", "old-running"]);
      for (const table of ["execution_events", "execution_nodes", "checkpoints"] as const) {
        const rows = await db.selectFrom(table).select("job_id").execute();
        expect(rows.map((r) => r.job_id).sort()).toEqual(["new", "old-running"]);
      }
      expect(await executions.purgeOlderThan("2025-01-15T00:00:00Z")).toBe(0);
    });

    it("purges in batches beyond one batch", async () => {
      const { executions } = h.store;
      for (let i = 0; i < 1203; i++) {
        await executions.create(newJob(`b${i}`));
        await finish(h.store, `b${i}`, "2025-01-01T00:00:00.000Z");
      }
      expect(await executions.purgeOlderThan("2025-06-01T00:00:00.000Z")).toBe(1203);
      expect(await executions.history()).toEqual([]);
    });
  });
}
