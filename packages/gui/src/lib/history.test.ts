import type { ExecutionDetail, ExecutionSummary } from "@flowork/protocol";
import { describe, expect, it } from "vitest";
import {
  formatDuration,
  formatEnd,
  formatTime,
  historyRequest,
  nodesOnly,
  PAGE_SIZE,
  type Rpc,
  resolveRunWorkflow,
  sourceText,
  toPage,
  versionAt,
} from "./history.js";
import { jsonPreview } from "./json-preview.js";
import { RunRecords } from "./run-records.js";

const row = (i: number): ExecutionSummary => ({
  job_id: `j${i}`,
  preset_name: null,
  mode: "EXECUTE",
  status: "SUCCEEDED",
  started_by: null,
  started_at: new Date(Date.UTC(2025, 0, 1, 0, 0, 60 - i)).toISOString(),
  ended_at: null,
  duration_ms: null,
});

const detail = (extra: Partial<ExecutionDetail> = {}): ExecutionDetail => ({
  ...row(1),
  nodes: [
    {
      node_id: "t",
      module_id: "manual_trigger",
      status: "SUCCEEDED",
      attempts: 1,
      duration_ms: 1,
      output_port: "output",
    },
    { node_id: "d", status: "SUCCEEDED", attempts: 1, duration_ms: 5, output_port: "success" },
  ],
  logs: [],
  ...extra,
});

function memoryRecords(): RunRecords {
  const m = new Map<string, string>();
  return new RunRecords({
    getItem: (k) => m.get(k) ?? null,
    setItem: (k, v) => void m.set(k, v),
    removeItem: (k) => void m.delete(k),
  });
}

/** An engine answering the two preset requests from a table, recording what was asked. */
function presetEngine(versions: { version: number; updated_at: string }[] | "missing") {
  const asked: Record<string, unknown>[] = [];
  const rpc: Rpc = async <T>(p: { type: string } & Record<string, unknown>) => {
    asked.push(p);
    if (versions === "missing") throw Object.assign(new Error("no preset"), { code: "NOT_FOUND" });
    if (p.type === "request_preset_versions") {
      return { versions: versions.map((v) => ({ ...v, updated_by: "0xabc" })) } as T;
    }
    if (p.type === "load_preset") return { workflow_data: { nodes: [], version: p.version } } as T;
    throw new Error(`unexpected ${p.type}`);
  };
  return { rpc, asked };
}

describe("execution history", () => {
  it("asks one row more than a page to know whether an older page exists", () => {
    expect(historyRequest(undefined)).toEqual({ type: "request_execution_history", limit: PAGE_SIZE + 1 });
    expect(historyRequest("2025-01-01T00:00:00Z")).toMatchObject({ before: "2025-01-01T00:00:00Z" });
    const full = Array.from({ length: PAGE_SIZE + 1 }, (_, i) => row(i));
    const page = toPage(full);
    expect(page.rows).toHaveLength(PAGE_SIZE);
    expect(page.older).toBe(full[PAGE_SIZE - 1]?.started_at);
    expect(toPage(full.slice(0, PAGE_SIZE)).older).toBeUndefined();
    expect(toPage([])).toEqual({ rows: [], older: undefined });
  });

  it("formats durations and times", () => {
    expect(formatDuration(null)).toBe("—");
    expect(formatDuration(850)).toBe("850 ms");
    expect(formatDuration(3240)).toBe("3.2 s");
    expect(formatDuration(125_000)).toBe("2 min 5 s");
    expect(formatDuration(3_780_000)).toBe("1 h 3 min");
    expect(formatTime(undefined)).toBe("—");
    expect(formatTime("garbage")).toBe("—");
    expect(formatTime("2025-03-04T05:06:07Z")).toMatch(/^2025-03-0\d \d\d:\d\d:07$/);
    expect(formatEnd("2025-03-04T12:00:00Z", "2025-03-04T12:00:09Z")).toMatch(/^\d\d:\d\d:09$/);
    expect(formatEnd("2025-03-04T12:00:00Z", "2025-03-09T12:00:09Z")).toMatch(/^2025-03-\d\d \d\d:\d\d:09$/);
    expect(formatEnd("2025-03-04T12:00:00Z", null)).toBe("—");
  });

  it("picks the preset version that was the latest when the run started", () => {
    const vs = [
      { version: 1, updated_at: "2025-01-01T00:00:00Z", updated_by: "a" },
      { version: 2, updated_at: "2025-01-02T00:00:00Z", updated_by: "a" },
      { version: 3, updated_at: "2025-01-03T00:00:00Z", updated_by: "a" },
    ];
    expect(versionAt(vs, "2025-01-02T12:00:00Z")).toBe(2);
    expect(versionAt(vs, "2025-01-02T00:00:00Z")).toBe(2);
    expect(versionAt(vs, "2024-12-31T00:00:00Z")).toBeUndefined();
  });

  it("resolves a run's workflow: the engine's, else this browser's record, else the preset's, else nodes only", async () => {
    const records = memoryRecords();
    const none = presetEngine([]);
    const ran = { nodes: [{ id: "w", module_id: "delay" }], connections: [] };
    const fromEngine = await resolveRunWorkflow(
      { ...detail(), workflow_data: ran },
      { engineId: "e", rpc: none.rpc, records },
    );
    expect(fromEngine).toEqual({ workflow: ran, source: { kind: "engine" } });

    records.save("e", "j1", { nodes: [{ id: "mine" }] });
    const local = await resolveRunWorkflow(detail(), { engineId: "e", rpc: none.rpc, records });
    expect(local.source).toEqual({ kind: "local" });
    expect(none.asked).toEqual([]);

    const p = presetEngine([
      { version: 1, updated_at: "2024-12-01T00:00:00Z" },
      { version: 2, updated_at: "2030-01-01T00:00:00Z" },
    ]);
    const preset = await resolveRunWorkflow(detail({ preset_name: "daily" }), {
      engineId: "e",
      rpc: p.rpc,
      records: memoryRecords(),
    });
    expect(preset).toEqual({
      workflow: { nodes: [], version: 1 },
      source: { kind: "preset", name: "daily", version: 1 },
    });
    expect(p.asked.map((a) => a.type)).toEqual(["request_preset_versions", "load_preset"]);
    expect(sourceText(preset.source)).toContain("version 1");

    const gone = await resolveRunWorkflow(detail({ preset_name: "deleted" }), {
      engineId: "e",
      rpc: presetEngine("missing").rpc,
      records: memoryRecords(),
    });
    expect(gone.source).toEqual({ kind: "unavailable" });
    expect(gone.workflow).toEqual(nodesOnly(detail()));
  });

  it("does not hide an engine failure other than a missing preset", async () => {
    const rpc: Rpc = async () => {
      throw Object.assign(new Error("offline"), { code: "ENGINE_OFFLINE" });
    };
    await expect(
      resolveRunWorkflow(detail({ preset_name: "p" }), { engineId: "e", rpc, records: memoryRecords() }),
    ).rejects.toMatchObject({ code: "ENGINE_OFFLINE" });
  });

  it("lays out the nodes of a run whose workflow is unknown, without connections", () => {
    const wf = nodesOnly(detail());
    expect(wf.nodes.map((n) => [n.id, n.module_id])).toEqual([
      ["t", "manual_trigger"],
      ["d", "unknown"],
    ]);
    expect(wf.connections).toEqual([]);
  });

  it("previews payloads as JSON, cut when huge", () => {
    expect(jsonPreview({ a: 1 })).toBe('{\n  "a": 1\n}');
    expect(jsonPreview(undefined)).toBe("undefined");
    const cut = jsonPreview("x".repeat(100), 10);
    expect(cut.startsWith('"xxxxxxxxx')).toBe(true);
    expect(cut).toMatch(/92 more characters/);
  });
});
