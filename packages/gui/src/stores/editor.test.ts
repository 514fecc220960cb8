import type { Manifest } from "@flowork/protocol";
import { describe, expect, it } from "vitest";
import { createEditorStore, isRunning, shownRun } from "./editor.js";

const manifest = (id: string, extra: Partial<Manifest> = {}): Manifest => ({
  id,
  name: id,
  version: "1.0.0",
  type: "ACTION",
  category: "Data",
  description: "",
  properties: [{ id: "message", type: "string", label: "Message", default: "hi" }],
  input_ports: [{ name: "input" }],
  output_ports: [{ name: "success", display_name: "Success" }],
  side_effects: false,
  ...extra,
});

function store() {
  const s = createEditorStore();
  s.getState().setManifests([
    manifest("manual_trigger", { type: "TRIGGER", properties: [] }),
    manifest("log_message"),
  ]);
  return s;
}

describe("editor store", () => {
  it("adds nodes with defaults, connects ports, exports the SPEC section 5 format", () => {
    const s = store();
    const a = s.getState().addNode("manual_trigger", { x: 10.4, y: 20 }) ?? "";
    const b = s.getState().addNode("log_message", { x: 200, y: 20 }) ?? "";
    expect([a, b]).toEqual(["n1", "n2"]);
    s.getState().connect({ source: a, target: b, sourceHandle: "output", targetHandle: "input" });
    s.getState().connect({ source: a, target: b, sourceHandle: "output", targetHandle: "input" }); // duplicate
    s.getState().connect({ source: b, target: b, sourceHandle: "success", targetHandle: "input" }); // self loop
    const wf = s.getState().workflow();
    expect(wf.nodes).toEqual([
      { id: "n1", name: "manual_trigger", x: 10, y: 20, module_id: "manual_trigger", config_values: {} },
      {
        id: "n2",
        name: "log_message",
        x: 200,
        y: 20,
        module_id: "log_message",
        config_values: { message: "hi" },
      },
    ]);
    expect(wf.connections).toEqual([
      { id: "c1", source: "n1", target: "n2", source_port_name: "output", target_port_name: "input" },
    ]);
    expect(wf.global_loop_config).toMatchObject({ isEnabled: false, iterations: 1 });
  });

  it("loads a workflow (also sourceHandle/targetHandle) and undoes / redoes edits", () => {
    const s = store();
    s.getState().load({
      nodes: [
        { id: "t", name: "Start", x: 0, y: 0, module_id: "manual_trigger", config_values: {} },
        { id: "l", name: "Log", x: 1, y: 1, module_id: "log_message", config_values: { message: "x" } },
      ],
      connections: [{ id: "k", source: "t", target: "l", sourceHandle: "output", targetHandle: "input" }],
    });
    expect(s.getState().workflow().connections[0]).toMatchObject({
      source_port_name: "output",
      target_port_name: "input",
    });
    s.getState().updateNode("l", { config_values: { message: "changed" } });
    expect(s.getState().nodes[1]?.data.config_values).toEqual({ message: "changed" });
    s.getState().undo();
    expect(s.getState().nodes[1]?.data.config_values).toEqual({ message: "x" });
    s.getState().redo();
    expect(s.getState().nodes[1]?.data.config_values).toEqual({ message: "changed" });
    expect(() => s.getState().load({ nope: true })).toThrow(/no nodes/);
  });

  it("copies and pastes selected nodes under fresh ids", () => {
    const s = store();
    s.getState().addNode("log_message", { x: 0, y: 0 });
    s.getState().copySelected();
    s.getState().paste();
    expect(s.getState().nodes.map((n) => n.id)).toEqual(["n1", "n2"]);
    expect(s.getState().nodes[1]?.position).toEqual({ x: 40, y: 40 });
  });

  it("applies a run's engine events: node status and duration, logs, final status; ignores other jobs", () => {
    const s = store();
    s.getState().startRun("job-1", "EXECUTE");
    expect(isRunning(s.getState().run)).toBe(true);
    const ev = s.getState().applyEngineEvent;
    ev("NODE_EXECUTION_METRIC", { job_id: "job-1", node_id: "n1", status: "RUNNING", attempt: 1 });
    ev("NODE_EXECUTION_METRIC", {
      job_id: "job-1",
      node_id: "n1",
      status: "SUCCEEDED",
      duration_ms: 3,
      attempt: 1,
    });
    ev("log", {
      job_id: "job-1",
      node_id: "n1",
      level: "INFO",
      source: "n1",
      message: "hello",
      ts: "2025-01-01T00:00:00Z",
    });
    ev("log", {
      job_id: "other",
      level: "INFO",
      source: "x",
      message: "not mine",
      ts: "2025-01-01T00:00:00Z",
    });
    ev("workflow_status_update", { job_id: "job-1", status_data: { status: "SUCCEEDED", mode: "EXECUTE" } });
    const run = s.getState().run;
    expect(run.nodes.n1).toEqual({ status: "SUCCEEDED", duration_ms: 3, attempt: 1 });
    expect(run.logs.map((l) => l.message)).toEqual(["hello"]);
    expect(run.status).toBe("SUCCEEDED");
    expect(isRunning(run)).toBe(false);
  });

  it("takes events only for its own run: another job's events (a trigger, another user) change nothing", () => {
    const s = store();
    s.getState().applyEngineEvent("workflow_status_update", {
      job_id: "cron-1",
      status_data: { status: "RUNNING", mode: "EXECUTE" },
    });
    expect(s.getState().run.jobId).toBeUndefined();
    s.getState().startRun("job-1", "EXECUTE");
    s.getState().applyEngineEvent("NODE_EXECUTION_METRIC", {
      job_id: "cron-1",
      node_id: "n1",
      status: "FAILED",
    });
    expect(s.getState().run.nodes).toEqual({});
  });

  it("pause/resume answers set the status, but never undo a final status that arrived first", () => {
    const s = store();
    s.getState().startRun("job-1", "EXECUTE");
    s.getState().applyEngineEvent("workflow_status_update", {
      job_id: "job-1",
      status_data: { status: "RUNNING", mode: "EXECUTE" },
    });
    s.getState().applyControl("job-1", "PAUSED");
    expect(s.getState().run.status).toBe("PAUSED");
    expect(isRunning(s.getState().run)).toBe(true);
    s.getState().applyControl("other", "RUNNING");
    expect(s.getState().run.status).toBe("PAUSED");
    s.getState().applyEngineEvent("workflow_status_update", {
      job_id: "job-1",
      status_data: { status: "SUCCEEDED", mode: "EXECUTE" },
    });
    s.getState().applyControl("job-1", "RUNNING"); // a late resume answer
    expect(s.getState().run.status).toBe("SUCCEEDED");
  });

  it("opens a stored run read-only over the edited workflow, follows its events, and goes back to editing", () => {
    const s = store();
    s.getState().addNode("log_message", { x: 0, y: 0 });
    s.getState().setPresetName("mine");
    s.getState().startRun("live-1", "EXECUTE");
    const pastBefore = s.getState().past.length;
    s.getState().openRun(
      {
        job_id: "old-1",
        preset_name: null,
        mode: "SIMULATE",
        status: "SUCCEEDED",
        started_by: null,
        started_at: "2025-01-01T00:00:00.000Z",
        ended_at: "2025-01-01T00:00:01.000Z",
        duration_ms: 1000,
        nodes: [{ node_id: "t", status: "SUCCEEDED", attempts: 1, duration_ms: 4, output_port: "output" }],
        logs: [
          { node_id: "t", level: "INFO", source: "Start", message: "went", ts: "2025-01-01T00:00:00.5Z" },
        ],
        result: { t: { ok: 1 } },
      },
      {
        nodes: [{ id: "t", name: "Start", x: 0, y: 0, module_id: "manual_trigger", config_values: {} }],
        connections: [],
      },
      { kind: "local" },
    );
    const v = s.getState();
    expect(v.view?.jobId).toBe("old-1");
    expect(v.nodes.map((n) => n.id)).toEqual(["t"]);
    expect(shownRun(v)).toBe(v.viewRun);
    expect(v.viewRun.nodes.t).toEqual({
      status: "SUCCEEDED",
      duration_ms: 4,
      attempt: 1,
      output_port: "output",
    });
    expect(v.viewRun.logs.map((l) => l.message)).toEqual(["went"]);

    // Read-only: no edit reaches the viewed workflow.
    expect(s.getState().addNode("log_message", { x: 5, y: 5 })).toBeUndefined();
    s.getState().updateNode("t", { name: "renamed" });
    s.getState().connect({ source: "t", target: "x", sourceHandle: "output", targetHandle: "input" });
    s.getState().undo();
    expect(s.getState().nodes).toEqual(v.nodes);
    expect(s.getState().edges).toEqual([]);

    // Replayed events (subscribe_job) add the node's error and popups but not the lines already listed.
    const ev = s.getState().applyEngineEvent;
    ev("log", {
      job_id: "old-1",
      node_id: "t",
      level: "INFO",
      source: "Start",
      message: "went",
      ts: "2025-01-01T00:00:00.5Z",
    });
    ev("SHOW_DEBUG_POPUP", { job_id: "old-1", node_id: "t", title: "Debug", content: { a: 1 } });
    ev("SHOW_DEBUG_POPUP", { job_id: "old-1", node_id: "t", title: "Debug", content: { a: 1 } });
    ev("log", {
      job_id: "live-1",
      level: "INFO",
      source: "x",
      message: "live line",
      ts: "2025-01-01T00:00:02Z",
    });
    expect(s.getState().viewRun.logs.map((l) => l.message)).toEqual(["went"]);
    expect(s.getState().viewRun.popups.map((p) => p.content)).toEqual([{ a: 1 }]);
    // The editor's own run kept its events while another run was shown.
    expect(s.getState().run.logs.map((l) => l.message)).toEqual(["live line"]);

    s.getState().closeRun();
    const back = s.getState();
    expect(back.view).toBeUndefined();
    expect(back.nodes.map((n) => n.data.module_id)).toEqual(["log_message"]);
    expect(back.presetName).toBe("mine");
    expect(back.past.length).toBe(pastBefore);
    expect(shownRun(back)).toBe(back.run);
    expect(back.run.jobId).toBe("live-1");
  });

  it("loading a preset while viewing a run returns to editing first, so undo goes back to the edited workflow", () => {
    const s = store();
    s.getState().addNode("log_message", { x: 0, y: 0 });
    s.getState().openRun(
      {
        job_id: "old-1",
        preset_name: null,
        mode: "EXECUTE",
        status: "FAILED",
        started_by: null,
        started_at: "2025-01-01T00:00:00.000Z",
        ended_at: null,
        duration_ms: null,
        nodes: [],
        logs: [],
      },
      { nodes: [{ id: "v", module_id: "manual_trigger" }], connections: [] },
      { kind: "unavailable" },
    );
    s.getState().load(
      { nodes: [{ id: "p", name: "P", x: 0, y: 0, module_id: "log_message", config_values: {} }] },
      { name: "pre", version: 3 },
    );
    expect(s.getState().view).toBeUndefined();
    expect(s.getState().presetVersion).toBe(3);
    s.getState().undo();
    expect(s.getState().nodes.map((n) => n.id)).toEqual(["n1"]);
  });

  it("records the version a save created and which node's run details are open", () => {
    const s = store();
    s.getState().markSaved("demo", 2);
    expect([s.getState().presetName, s.getState().presetVersion]).toEqual(["demo", 2]);
    s.getState().openDebug("n1");
    expect(s.getState().debugNodeId).toBe("n1");
    s.getState().closeDebug();
    expect(s.getState().debugNodeId).toBeUndefined();
  });

  it("viewing the editor's own run: replayed events are not doubled, and going back keeps what arrived", () => {
    const s = store();
    s.getState().startRun("own", "EXECUTE");
    const ev = s.getState().applyEngineEvent;
    const line = { job_id: "own", level: "INFO", source: "s", message: "one", ts: "2025-01-01T00:00:00Z" };
    ev("log", line);
    s.getState().openRun(
      {
        job_id: "own",
        preset_name: null,
        mode: "EXECUTE",
        status: "RUNNING",
        started_by: null,
        started_at: "2025-01-01T00:00:00Z",
        ended_at: null,
        duration_ms: null,
        nodes: [],
        logs: [{ level: "INFO", source: "s", message: "one", ts: "2025-01-01T00:00:00Z" }],
      },
      { nodes: [], connections: [] },
      { kind: "local" },
    );
    ev("log", line); // replayed by subscribe_job
    ev("log", { ...line, message: "two", ts: "2025-01-01T00:00:01Z" }); // live
    ev("workflow_status_update", { job_id: "own", status_data: { status: "SUCCEEDED", mode: "EXECUTE" } });
    expect(s.getState().viewRun.logs.map((l) => l.message)).toEqual(["one", "two"]);
    expect(s.getState().run.logs.map((l) => l.message)).toEqual(["one"]);
    s.getState().closeRun();
    expect(s.getState().run.logs.map((l) => l.message)).toEqual(["one", "two"]);
    expect(s.getState().run.status).toBe("SUCCEEDED");
    ev("log", { ...line, message: "two", ts: "2025-01-01T00:00:01Z" });
    expect(s.getState().run.logs).toHaveLength(3); // a live run keeps identical lines
  });

  it("a debug_popup node of the live run opens that node's run details; a replayed one does not", () => {
    const s = store();
    s.getState().startRun("job-1", "EXECUTE");
    s.getState().applyEngineEvent("SHOW_DEBUG_POPUP", {
      job_id: "job-1",
      node_id: "n2",
      title: "T",
      content: 1,
    });
    expect(s.getState().debugNodeId).toBe("n2");
    expect(s.getState().run.popups.map((p) => p.content)).toEqual([1]);
    s.getState().closeDebug();
    s.getState().openRun(
      {
        job_id: "old",
        preset_name: null,
        mode: "EXECUTE",
        status: "SUCCEEDED",
        started_by: null,
        started_at: "2025-01-01T00:00:00Z",
        ended_at: null,
        duration_ms: null,
        nodes: [],
        logs: [],
      },
      { nodes: [], connections: [] },
      { kind: "local" },
    );
    s.getState().applyEngineEvent("SHOW_DEBUG_POPUP", {
      job_id: "old",
      node_id: "n9",
      title: "T",
      content: 2,
    });
    expect(s.getState().debugNodeId).toBeUndefined();
    expect(s.getState().viewRun.popups.map((p) => p.content)).toEqual([2]);
  });
});
