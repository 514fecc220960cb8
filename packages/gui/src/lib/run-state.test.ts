import { describe, expect, it } from "vitest";
import {
  applyControlStatus,
  EMPTY_RUN,
  isRunning,
  isTerminal,
  MAX_LOGS,
  nodeDetail,
  type RunState,
  reduceRunEvent,
  runFromExecution,
} from "./run-state.js";

const live = (): RunState => ({ ...EMPTY_RUN, jobId: "j", mode: "EXECUTE", status: "QUEUED" });

function fold(run: RunState, events: [string, unknown][]): RunState {
  return events.reduce((r, [name, data]) => reduceRunEvent(r, name, data) ?? r, run);
}

describe("run state", () => {
  it("folds a run's events: node metrics with their error, logs, popups, final status with result", () => {
    const run = fold(live(), [
      [
        "workflow_status_update",
        { job_id: "j", status_data: { status: "RUNNING", mode: "EXECUTE", start_time: "t0" } },
      ],
      [
        "NODE_EXECUTION_METRIC",
        { job_id: "j", node_id: "a", module_id: "x", status: "RUNNING", attempt: 1, started_at: "t1" },
      ],
      [
        "NODE_EXECUTION_METRIC",
        {
          job_id: "j",
          node_id: "a",
          module_id: "x",
          status: "FAILED",
          attempt: 2,
          started_at: "t1",
          duration_ms: 12,
          error: { code: "HTTP_ERROR", message: "HTTP 503 from ***" },
        },
      ],
      ["log", { job_id: "j", node_id: "a", level: "ERROR", source: "A", message: "boom", ts: "t2" }],
      ["log", { job_id: "j", level: "LOUD", source: "w", message: "odd level", ts: "t3" }],
      ["SHOW_DEBUG_POPUP", { job_id: "j", node_id: "b", title: "Look", content: { secret: "***" } }],
      [
        "workflow_status_update",
        {
          job_id: "j",
          status_data: {
            status: "FAILED",
            mode: "EXECUTE",
            start_time: "t0",
            end_time: "t4",
            error_code: "HTTP_ERROR",
            error_message: "node a failed",
            result: { b: { done: true } },
          },
        },
      ],
    ]);
    expect(run.nodes.a).toEqual({
      status: "FAILED",
      attempt: 2,
      started_at: "t1",
      duration_ms: 12,
      error: { code: "HTTP_ERROR", message: "HTTP 503 from ***" },
    });
    expect(run.logs.map((l) => [l.level, l.message])).toEqual([
      ["ERROR", "boom"],
      ["INFO", "odd level"],
    ]);
    expect(run).toMatchObject({
      status: "FAILED",
      error: "node a failed",
      errorCode: "HTTP_ERROR",
      startTime: "t0",
      endTime: "t4",
      result: { b: { done: true } },
    });
    expect(isRunning(run)).toBe(false);
    expect(isTerminal(run.status)).toBe(true);

    const b = nodeDetail(run, "b");
    expect(b.output).toEqual({ value: { done: true } });
    expect(b.popups.map((p) => [p.title, p.content])).toEqual([["Look", { secret: "***" }]]);
    const a = nodeDetail(run, "a");
    expect(a.output).toBeUndefined();
    expect(a.logs.map((l) => l.message)).toEqual(["boom"]);
  });

  it("ignores malformed events and unknown statuses instead of corrupting the run", () => {
    const run = live();
    expect(reduceRunEvent(run, "log", null)).toBeUndefined();
    expect(reduceRunEvent(run, "log", { message: "no job" })).toBeUndefined();
    expect(
      reduceRunEvent(run, "NODE_EXECUTION_METRIC", { job_id: "j", node_id: "a", status: "WEIRD" }),
    ).toBeUndefined();
    expect(reduceRunEvent(run, "engine_status_update", { job_id: "j" })).toBeUndefined();
    const next = reduceRunEvent(run, "workflow_status_update", {
      job_id: "j",
      status_data: { status: "NOPE" },
    });
    expect(next?.status).toBe("QUEUED");
  });

  it("keeps identical lines of a live run, drops replayed ones of a stored run, caps the log", () => {
    const line = { job_id: "j", level: "INFO", source: "s", message: "same", ts: "t" };
    const liveRun = fold(live(), [
      ["log", line],
      ["log", line],
    ]);
    expect(liveRun.logs).toHaveLength(2);
    const stored = fold({ ...live(), dedupeLogs: true }, [
      ["log", line],
      ["log", line],
    ]);
    expect(stored.logs).toHaveLength(1);
    let big = live();
    for (let i = 0; i < MAX_LOGS + 5; i++)
      big = reduceRunEvent(big, "log", { ...line, message: `m${i}` }) ?? big;
    expect(big.logs).toHaveLength(MAX_LOGS);
    expect(big.logs[0]?.message).toBe("m5");
  });

  it("control answers never move a finished run back", () => {
    expect(applyControlStatus({ ...live(), status: "RUNNING" }, "PAUSED").status).toBe("PAUSED");
    expect(applyControlStatus({ ...live(), status: "STOPPED" }, "PAUSED").status).toBe("STOPPED");
    expect(applyControlStatus({ ...live(), status: "RUNNING" }, "BOGUS").status).toBe("RUNNING");
  });

  it("builds the shown state of a stored execution", () => {
    const run = runFromExecution({
      job_id: "old",
      preset_name: "p",
      mode: "SIMULATE",
      status: "FAILED",
      started_by: "0xabc",
      started_at: "2025-01-01T00:00:00Z",
      ended_at: "2025-01-01T00:00:02Z",
      duration_ms: 2000,
      error_code: "USER_ERROR",
      error_message: "thrown",
      nodes: [
        { node_id: "a", status: "SUCCEEDED", attempts: 1, duration_ms: 3, output_port: "success" },
        { node_id: "b", status: "SKIPPED", attempts: 0, duration_ms: null, output_port: null },
      ],
      logs: [{ level: "WARN", source: "w", message: "careful", ts: "2025-01-01T00:00:01Z" }],
      result: { a: 1 },
    });
    expect(run).toMatchObject({
      jobId: "old",
      mode: "SIMULATE",
      status: "FAILED",
      error: "thrown",
      errorCode: "USER_ERROR",
      endTime: "2025-01-01T00:00:02Z",
      result: { a: 1 },
      dedupeLogs: true,
    });
    expect(run.nodes).toEqual({
      a: { status: "SUCCEEDED", attempt: 1, duration_ms: 3, output_port: "success" },
      b: { status: "SKIPPED" },
    });
    expect(run.logs.map((l) => [l.job_id, l.level, l.message])).toEqual([["old", "WARN", "careful"]]);
    expect(nodeDetail(run, "a").output).toEqual({ value: 1 });
    expect(nodeDetail(run, "nope")).toEqual({ node: undefined, output: undefined, popups: [], logs: [] });
  });
});
