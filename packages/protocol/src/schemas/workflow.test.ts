import { describe, expect, it } from "vitest";
import { connectionSourcePort, connectionTargetPort, WorkflowSchema } from "./workflow.js";

/** The example of SPEC section 5, verbatim. */
const SPEC_EXAMPLE = {
  nodes: [{ id: "n1", name: "Start", x: 80, y: 120, module_id: "manual_trigger", config_values: {} }],
  connections: [
    { id: "c1", source: "n1", target: "n2", source_port_name: "output", target_port_name: "input" },
  ],
  global_loop_config: {
    isEnabled: false,
    iterations: 1,
    isDelayEnabled: false,
    delayType: "static",
    delayStatic: 0,
    delayRandomMin: 0,
    delayRandomMax: 0,
  },
};

describe("WorkflowSchema", () => {
  it("accepts the SPEC section 5 example unchanged", () => {
    const parsed = WorkflowSchema.parse(SPEC_EXAMPLE);
    expect(parsed).toEqual(SPEC_EXAMPLE);
  });

  it("accepts sourceHandle/targetHandle for the port names", () => {
    const wf = WorkflowSchema.parse({
      nodes: [
        { id: "a", module_id: "manual_trigger" },
        { id: "b", module_id: "if_condition" },
      ],
      connections: [{ id: "c", source: "a", target: "b", sourceHandle: "true", targetHandle: "input" }],
    });
    const [c] = wf.connections;
    expect(c && connectionSourcePort(c)).toBe("true");
    expect(c && connectionTargetPort(c)).toBe("input");
  });

  it("accepts a null sourceHandle (React Flow writes it) and falls back to defaults", () => {
    const wf = WorkflowSchema.parse({
      nodes: [{ id: "a", module_id: "x" }],
      connections: [{ source: "a", target: "a", sourceHandle: null, targetHandle: null }],
    });
    const [c] = wf.connections;
    expect(c && connectionSourcePort(c)).toBeUndefined();
    expect(c && connectionTargetPort(c)).toBe("input");
  });

  it("prefers source_port_name over sourceHandle", () => {
    const wf = WorkflowSchema.parse({
      nodes: [],
      connections: [{ source: "a", target: "b", source_port_name: "success", sourceHandle: "error" }],
    });
    const [c] = wf.connections;
    expect(c && connectionSourcePort(c)).toBe("success");
  });

  it("keeps unknown editor fields on the workflow, nodes and connections", () => {
    const input = {
      ...SPEC_EXAMPLE,
      description: "kept",
      viewport: { x: 1, y: 2, zoom: 1.5 },
      nodes: [{ ...SPEC_EXAMPLE.nodes[0], color: "#ff0", width: 200, data: { label: "Start" } }],
      connections: [{ ...SPEC_EXAMPLE.connections[0], animated: true }],
      global_loop_config: { ...SPEC_EXAMPLE.global_loop_config, uiCollapsed: true },
    };
    expect(WorkflowSchema.parse(input)).toEqual(input);
  });

  it("defaults connections to [] and leaves global_loop_config absent", () => {
    const wf = WorkflowSchema.parse({ nodes: [] });
    expect(wf.connections).toEqual([]);
    expect(wf.global_loop_config).toBeUndefined();
  });

  it("fills global_loop_config defaults", () => {
    const wf = WorkflowSchema.parse({ nodes: [], global_loop_config: {} });
    expect(wf.global_loop_config).toEqual(SPEC_EXAMPLE.global_loop_config);
  });

  it("does not turn a __proto__ key into a prototype", () => {
    const wf = WorkflowSchema.parse(JSON.parse('{"nodes":[],"__proto__":{"polluted":true}}'));
    expect(Object.getPrototypeOf(wf)).toBe(Object.prototype);
    expect((wf as Record<string, unknown>)["polluted"]).toBeUndefined();
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
  });

  const garbage: [string, unknown][] = [
    ["null", null],
    ["a string", "nodes"],
    ["an array", []],
    ["no nodes", { connections: [] }],
    ["nodes not an array", { nodes: {} }],
    ["a node without id", { nodes: [{ module_id: "x" }] }],
    ["a node with an empty id", { nodes: [{ id: "", module_id: "x" }] }],
    ["a node without module_id", { nodes: [{ id: "a" }] }],
    ["a node with a string x", { nodes: [{ id: "a", module_id: "x", x: "80" }] }],
    ["config_values an array", { nodes: [{ id: "a", module_id: "x", config_values: [] }] }],
    ["a connection without target", { nodes: [], connections: [{ source: "a" }] }],
    [
      "a connection with a numeric port",
      { nodes: [], connections: [{ source: "a", target: "b", source_port_name: 1 }] },
    ],
    ["iterations 0", { nodes: [], global_loop_config: { iterations: 0 } }],
    ["a negative delay", { nodes: [], global_loop_config: { delayStatic: -1 } }],
    ["an unknown delayType", { nodes: [], global_loop_config: { delayType: "sometimes" } }],
    ["a NaN coordinate", { nodes: [{ id: "a", module_id: "x", y: Number.NaN }] }],
  ];
  for (const [label, value] of garbage) {
    it(`rejects ${label}`, () => {
      expect(WorkflowSchema.safeParse(value).success).toBe(false);
    });
  }
});
