import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { EngineEvent } from "@flowork/protocol";
import { afterAll, describe, expect, it } from "vitest";
import { connect, type EngineProcess, identity, startEngine } from "./engine-process.js";

const owner = identity();
let dataDir: string;
const engines: EngineProcess[] = [];

afterAll(async () => {
  for (const e of engines) await e.stop("SIGKILL");
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const env = () => ({
  FLOWORK_ENGINE_ID: "engine-crash",
  FLOWORK_AUTHORIZED_ADDRESSES: `${owner.address}:owner`,
});

describe("durable runs across kill -9", () => {
  it("a run killed during a 30 s delay is INTERRUPTED, then resumed from its last step, with its earlier logs intact", async () => {
    dataDir = await mkdtemp(join(tmpdir(), "flowork-crash-"));
    const first = await startEngine({ dataDir, env: env() });
    engines.push(first);
    const client = await connect(first, owner);
    const doc = {
      nodes: [
        { id: "s", module_id: "manual_trigger", x: 0, y: 0 },
        {
          id: "before",
          module_id: "log_message",
          x: 0,
          y: 0,
          config_values: { message: "before the delay" },
        },
        { id: "wait", module_id: "delay", x: 0, y: 0, config_values: { milliseconds: 30_000 } },
        { id: "after", module_id: "log_message", x: 0, y: 0, config_values: { message: "after the delay" } },
      ],
      connections: [
        { id: "c1", source: "s", target: "before" },
        { id: "c2", source: "before", target: "wait" },
        { id: "c3", source: "wait", target: "after" },
      ],
    };
    const waiting = new Promise<void>((resolve) => {
      const off = client.onEvent((e) => {
        if (e.type === "NODE_EXECUTION_METRIC" && e.node_id === "wait" && e.status === "RUNNING") {
          off();
          resolve();
        }
      });
    });
    const started = await client.request("execute_workflow", { workflow_data: doc, mode: "EXECUTE" });
    const jobId = started.job_id as string;
    await waiting;
    await new Promise((r) => setTimeout(r, 300)); // let the checkpoint and events reach the disk
    client.close();
    expect(await first.stop("SIGKILL")).toBe(null);

    // Restart with a short resume: the delay restarts from its own beginning, so use a short one for the test.
    const second = await startEngine({ dataDir, env: env() });
    engines.push(second);
    const c2 = await connect(second, owner);
    const detail = await c2.request("request_execution", { job_id: jobId });
    const execution = detail.execution as { status: string; logs: { message: string }[] };
    expect(["INTERRUPTED", "QUEUED", "RUNNING"]).toContain(execution.status);
    expect(execution.logs.some((l) => l.message === "before the delay")).toBe(true);

    const seen: EngineEvent[] = [];
    c2.onEvent((e) => seen.push(e));
    await c2.request("subscribe_job", { job_id: jobId });
    await new Promise((r) => setTimeout(r, 500));
    const statuses = seen
      .filter((e) => e.type === "workflow_status_update" && e.job_id === jobId)
      .map((e) => (e as { status_data: { status: string } }).status_data.status);
    expect(statuses).toContain("INTERRUPTED");
    expect(statuses.at(-1)).toBe("RUNNING");
    // the step that completed before the crash is not run again
    const beforeRuns = seen.filter(
      (e) => e.type === "NODE_EXECUTION_METRIC" && e.node_id === "before" && e.status === "SUCCEEDED",
    );
    expect(beforeRuns.length).toBe(1);
    const stop = await c2.request("stop_workflow", { job_id: jobId });
    expect(stop.type).toBe("stop_workflow_response");
    c2.close();
  }, 60_000);

  it("SIGTERM stops gracefully (exit 0): the running run is checkpointed and resumed by the next start", async () => {
    const dir = join(dataDir, "graceful");
    const first = await startEngine({ dataDir: dir, env: env() });
    engines.push(first);
    const client = await connect(first, owner);
    const doc = {
      nodes: [
        { id: "a", module_id: "log_message", x: 0, y: 0, config_values: { message: "first step" } },
        { id: "wait", module_id: "delay", x: 0, y: 0, config_values: { milliseconds: 30_000 } },
      ],
      connections: [{ id: "c1", source: "a", target: "wait" }],
    };
    const waiting = new Promise<void>((resolve) => {
      const off = client.onEvent((e) => {
        if (e.type === "NODE_EXECUTION_METRIC" && e.node_id === "wait" && e.status === "RUNNING") {
          off();
          resolve();
        }
      });
    });
    const started = await client.request("execute_workflow", { workflow_data: doc, mode: "EXECUTE" });
    await waiting;
    const t0 = Date.now();
    expect(await first.stop("SIGTERM")).toBe(0);
    expect(Date.now() - t0).toBeLessThan(10_000);
    const second = await startEngine({ dataDir: dir, env: env() });
    engines.push(second);
    const c2 = await connect(second, owner);
    const seen: EngineEvent[] = [];
    c2.onEvent((e) => seen.push(e));
    await c2.request("subscribe_job", { job_id: started.job_id });
    await new Promise((r) => setTimeout(r, 300));
    const firstSteps = seen.filter(
      (e) => e.type === "NODE_EXECUTION_METRIC" && e.node_id === "a" && e.status === "SUCCEEDED",
    );
    expect(firstSteps).toHaveLength(1);
    const statuses = seen
      .filter((e) => e.type === "workflow_status_update")
      .map((e) => (e as { status_data: { status: string } }).status_data.status);
    expect(statuses).toContain("INTERRUPTED");
    expect(statuses.at(-1)).toBe("RUNNING");
    await c2.request("stop_workflow", { job_id: started.job_id });
    c2.close();
  }, 60_000);
});
