import type { Manifest } from "@flowork/protocol";
import { describe, expect, it } from "vitest";
import { createEditorStore, isRunning } from "./editor.js";

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
    const a = s.getState().addNode("manual_trigger", { x: 10.4, y: 20 });
    const b = s.getState().addNode("log_message", { x: 200, y: 20 });
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
});
