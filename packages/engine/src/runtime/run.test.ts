import { FloworkError } from "@flowork/protocol";
import { describe, expect, it } from "vitest";
import { createBuiltinRegistry } from "../components/builtin/index.js";
import { builtinManifest } from "../components/define.js";
import type { ComponentDefinition } from "../components/types.js";
import { MemoryVariables, parseVariableDocument } from "../variables/index.js";
import { compileWorkflow, createRun } from "./compile.js";
import { runDoc, wf } from "./test-helpers.js";

describe("workflow runtime: SPEC section 5", () => {
  it("runs a workflow in the existing Flowork format unchanged (source_port_name / target_port_name)", async () => {
    const doc = {
      nodes: [
        { id: "n1", name: "Start", x: 80, y: 120, module_id: "manual_trigger", config_values: {} },
        {
          id: "n2",
          name: "Set",
          x: 300,
          y: 120,
          module_id: "set_data",
          config_values: { fields: { greeting: "hi {{payload.name}}" } },
        },
      ],
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
    const out = await runDoc(doc, { initialPayload: { name: "Ada" } });
    expect(out.status).toBe("SUCCEEDED");
    expect(out.result).toEqual({ n2: { name: "Ada", greeting: "hi Ada" } });
  });

  it("accepts sourceHandle / targetHandle for port names", async () => {
    const doc = {
      nodes: [
        { id: "a", module_id: "manual_trigger", x: 0, y: 0 },
        {
          id: "b",
          module_id: "if_condition",
          x: 0,
          y: 0,
          config_values: { left: "{{payload.n}}", operator: "gt", right: "1" },
        },
        { id: "t", module_id: "set_data", x: 0, y: 0, config_values: { fields: { branch: "true" } } },
        { id: "f", module_id: "set_data", x: 0, y: 0, config_values: { fields: { branch: "false" } } },
      ],
      connections: [
        { id: "c1", source: "a", target: "b", sourceHandle: "output", targetHandle: "input" },
        { id: "c2", source: "b", target: "t", sourceHandle: "true", targetHandle: "input" },
        { id: "c3", source: "b", target: "f", sourceHandle: "false", targetHandle: "input" },
      ],
    };
    const out = await runDoc(doc, { initialPayload: { n: 5 } });
    expect(out.result).toEqual({ t: { n: 5, branch: "true" } });
  });

  it("starts at every node without incoming connections, or at start_node_id", async () => {
    const doc = wf([
      ["a", "set_data", { fields: { a: 1 } }],
      ["b", "set_data", { fields: { b: 1 } }],
    ]);
    expect((await runDoc(doc)).result).toEqual({ a: { a: 1 }, b: { b: 1 } });
    expect((await runDoc(doc, { startNodeId: "b" })).result).toEqual({ b: { b: 1 } });
  });

  it("only connections leaving the emitted port fire", async () => {
    const doc = wf(
      [
        ["s", "manual_trigger"],
        ["if", "if_condition", { left: "{{payload.ok}}", operator: "eq", right: "true" }],
        ["yes", "set_data", { fields: { took: "yes" } }],
        ["no", "set_data", { fields: { took: "no" } }],
      ],
      [
        ["s", "if"],
        ["if", "yes", "true"],
        ["if", "no", "false"],
      ],
    );
    const out = await runDoc(doc, { initialPayload: { ok: false } });
    expect(out.result).toEqual({ no: { ok: false, took: "no" } });
    expect(out.metrics.find((m) => m.node_id === "yes")?.status).toBe("SKIPPED");
  });

  it("runs parallel branches and merge emits {inputs} in connection order", async () => {
    const doc = wf(
      [
        ["s", "manual_trigger"],
        ["slow", "delay", { milliseconds: 30 }],
        ["fast", "set_data", { fields: { fast: true } }],
        ["m", "merge"],
      ],
      [
        ["s", "slow"],
        ["s", "fast"],
        ["slow", "m"],
        ["fast", "m"],
      ],
    );
    const out = await runDoc(doc, { initialPayload: { v: 1 } });
    expect(out.status).toBe("SUCCEEDED");
    expect(out.result).toEqual({ m: { inputs: [{ v: 1 }, { v: 1, fast: true }] } });
  });

  it("a loop over 3 items runs its body 3 times, then done", async () => {
    const doc = wf(
      [
        ["s", "manual_trigger"],
        ["loop", "loop", { items_path: "list" }],
        ["body", "log_message", { message: "item {{payload.index}}={{payload.item}}" }],
        ["after", "log_message", { message: "done" }],
      ],
      [
        ["s", "loop"],
        ["loop", "body", "item"],
        ["loop", "after", "done"],
      ],
    );
    const out = await runDoc(doc, { initialPayload: { list: ["a", "b", "c"] } });
    expect(out.logs.map((l) => l.message)).toEqual(["item 0=a", "item 1=b", "item 2=c", "done"]);
    expect(out.order.filter((id) => id === "body")).toHaveLength(3);
    expect(out.order.at(-1)).toBe("after");
  });

  it("routes a failure to the error port when connected", async () => {
    const doc = wf(
      [
        ["s", "manual_trigger"],
        ["boom", "throw_error", { message: "bad {{payload.x}}" }],
        ["handler", "set_data", { fields: { handled: true } }],
      ],
      [
        ["s", "boom"],
        ["boom", "handler", "error"],
      ],
    );
    const out = await runDoc(doc, { initialPayload: { x: 7 } });
    expect(out.status).toBe("SUCCEEDED");
    expect(out.result).toEqual({
      handler: { x: 7, error: { code: "USER_ERROR", message: "bad 7" }, handled: true },
    });
  });

  it("keeps a non-object payload under `payload` on the error port", async () => {
    const doc = wf(
      [
        ["s", "manual_trigger"],
        ["boom", "throw_error", { message: "no" }],
        ["h", "log_message", { message: "{{payload.payload}}/{{payload.error.code}}" }],
      ],
      [
        ["s", "boom"],
        ["boom", "h", "error"],
      ],
    );
    const out = await runDoc(doc, { initialPayload: 42 });
    expect(out.logs.map((l) => l.message)).toContain("42/USER_ERROR");
  });

  it("fails the run when the error port is not connected", async () => {
    const doc = wf(
      [
        ["s", "manual_trigger"],
        ["boom", "throw_error", { message: "nope" }],
        ["next", "set_data", { fields: {} }],
      ],
      [
        ["s", "boom"],
        ["boom", "next"],
      ],
    );
    const out = await runDoc(doc);
    expect(out.status).toBe("FAILED");
    expect(out.error?.code).toBe("USER_ERROR");
    expect(out.error?.message).toContain("nope");
    const final = out.events.at(-1);
    expect(final?.type === "workflow_status_update" && final.status_data.status).toBe("FAILED");
  });

  it("retries a node with exponential backoff until it succeeds", async () => {
    let calls = 0;
    const times: number[] = [];
    const flaky: ComponentDefinition = {
      manifest: builtinManifest({
        id: "flaky",
        name: "Flaky",
        type: "ACTION",
        category: "Test",
        description: "fails twice",
      }),
      execute: (payload) => {
        times.push(performance.now());
        calls++;
        if (calls < 3) throw new FloworkError("HTTP_ERROR", "503", { retryable: true });
        return { payload };
      },
    };
    const registry = createBuiltinRegistry();
    registry.register(flaky);
    const out = await runDoc(wf([["f", "flaky", { retry_attempts: 3, retry_delay_seconds: 0.02 }]]), {
      registry,
    });
    expect(out.status).toBe("SUCCEEDED");
    expect(calls).toBe(3);
    const [t0 = 0, t1 = 0, t2 = 0] = times;
    expect(t1 - t0).toBeGreaterThanOrEqual(18);
    expect(t2 - t1).toBeGreaterThanOrEqual(38);
    expect(
      out.metrics.filter((m) => m.node_id === "f" && m.status === "RUNNING").map((m) => m.attempt),
    ).toEqual([1, 2, 3]);
    expect(out.metrics.find((m) => m.status === "SUCCEEDED")?.attempt).toBe(3);
  });

  it("does not retry an error that says retrying cannot help", async () => {
    const out = await runDoc(
      wf([["t", "throw_error", { message: "x", retry_attempts: 5, retry_delay_seconds: 0 }]]),
    );
    expect(out.status).toBe("FAILED");
    expect(out.metrics.filter((m) => m.status === "RUNNING")).toHaveLength(1);
  });

  it("times a node out with NODE_TIMEOUT", async () => {
    const out = await runDoc(wf([["d", "delay", { milliseconds: 5000, timeout_seconds: 0.05 }]]));
    expect(out.status).toBe("FAILED");
    expect(out.error?.code).toBe("NODE_TIMEOUT");
  });

  it("a cycle ends in LOOP_LIMIT", async () => {
    const doc = wf(
      [
        ["s", "manual_trigger"],
        ["a", "set_data", { fields: {} }],
        ["b", "set_data", { fields: {} }],
      ],
      [
        ["s", "a"],
        ["a", "b"],
        ["b", "a"],
      ],
    );
    const out = await runDoc(doc, { settings: { max_steps_per_execution: 50 } });
    expect(out.status).toBe("FAILED");
    expect(out.error?.code).toBe("LOOP_LIMIT");
    expect(out.metrics.filter((m) => m.status === "SUCCEEDED").length).toBe(50);
  });

  it("stops a running workflow, cancelling a delay", async () => {
    const compiled = compileWorkflow(wf([["d", "delay", { milliseconds: 10_000 }]]), createBuiltinRegistry());
    const run = createRun(compiled);
    const started = performance.now();
    const done = run.start();
    setTimeout(() => run.stop(), 30);
    const out = await done;
    expect(out.status).toBe("STOPPED");
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it("pauses before the next node and resumes", async () => {
    const compiled = compileWorkflow(
      wf(
        [
          ["d", "delay", { milliseconds: 40 }],
          ["after", "set_data", { fields: { done: true } }],
        ],
        [["d", "after"]],
      ),
      createBuiltinRegistry(),
    );
    const statuses: string[] = [];
    const run = createRun(compiled, {
      onEvent: (e) => {
        if (e.type === "workflow_status_update") statuses.push(e.status_data.status);
      },
    });
    const done = run.start();
    expect(run.pause()).toBe(true);
    await new Promise((r) => setTimeout(r, 120));
    expect(run.status).toBe("PAUSED");
    expect(statuses).not.toContain("SUCCEEDED");
    expect(run.resume()).toBe(true);
    const out = await done;
    expect(out.status).toBe("SUCCEEDED");
    expect(statuses).toEqual(["RUNNING", "PAUSED", "RUNNING", "SUCCEEDED"]);
  });

  it("repeats the whole run with global_loop_config", async () => {
    const doc = wf([["l", "log_message", { message: "tick" }]], [], {
      global_loop_config: {
        isEnabled: true,
        iterations: 3,
        isDelayEnabled: true,
        delayType: "static",
        delayStatic: 0.01,
      },
    });
    const out = await runDoc(doc);
    expect(out.logs.filter((l) => l.message === "tick")).toHaveLength(3);
    expect(out.status).toBe("SUCCEEDED");
  });

  it("resolves templates: exact values keep their type, mixed text, nodes.<id>, missing as empty", async () => {
    const doc = wf(
      [
        ["s", "manual_trigger"],
        [
          "a",
          "set_data",
          {
            fields: {
              n: "{{payload.count}}",
              obj: "{{payload.o}}",
              txt: "c={{payload.count}} o={{payload.o}} m=[{{payload.missing}}]",
            },
          },
        ],
        ["b", "set_data", { fields: { from_a: "{{nodes.a.payload.n}}", v: "{{vars.REGION}}" } }],
      ],
      [
        ["s", "a"],
        ["a", "b"],
      ],
    );
    const vars = new MemoryVariables(parseVariableDocument({ REGION: "eu" }));
    const out = await runDoc(doc, { initialPayload: { count: 3, o: { k: 1 } }, variables: vars });
    expect(out.result.b).toEqual({
      count: 3,
      o: { k: 1 },
      n: 3,
      obj: { k: 1 },
      txt: 'c=3 o={"k":1} m=[]',
      from_a: 3,
      v: "eu",
    });
  });

  it("templates cannot reach prototypes", async () => {
    const doc = wf([
      ["a", "set_data", { fields: { p: "{{payload.__proto__}}", c: "{{payload.constructor.name}}" } }],
    ]);
    const out = await runDoc(doc, { initialPayload: {} });
    expect(out.result.a).toEqual({ p: undefined, c: undefined });
  });

  it("masks secrets in every log and event, including the result", async () => {
    const vars = new MemoryVariables(
      parseVariableDocument({ API_TOKEN: { value: "s3cr3t-value", is_secret: true } }),
    );
    const doc = wf(
      [
        ["s", "manual_trigger"],
        ["log", "log_message", { message: "token is {{vars.API_TOKEN}}" }],
        ["set", "set_data", { fields: { auth: "Bearer {{vars.API_TOKEN}}" } }],
        ["pop", "debug_popup", { title: "t {{vars.API_TOKEN}}" }],
        ["fail", "throw_error", { message: "bad {{vars.API_TOKEN}}" }],
      ],
      [
        ["s", "log"],
        ["log", "set"],
        ["set", "pop"],
        ["pop", "fail"],
      ],
    );
    const out = await runDoc(doc, { variables: vars });
    const wire = JSON.stringify(out.events) + JSON.stringify(out.result) + JSON.stringify(out.error);
    expect(wire).not.toContain("s3cr3t-value");
    expect(wire).toContain("***");
    expect(out.logs.some((l) => l.message === "token is ***")).toBe(true);
  });

  it("SIMULATE does not run side effects and returns simulate_output", async () => {
    let wrote = false;
    const vars = new MemoryVariables(parseVariableDocument({ COUNTER: "1" }), () => {
      wrote = true;
    });
    const doc = wf(
      [
        ["s", "manual_trigger"],
        ["w", "variable_set", { name: "COUNTER", value: "2" }],
        [
          "h",
          "http_request",
          { url: "http://203.0.113.1/never", method: "GET", simulate_output: { status: 200, body: "fake" } },
        ],
      ],
      [
        ["s", "w"],
        ["w", "h"],
      ],
    );
    const out = await runDoc(doc, { mode: "SIMULATE", variables: vars });
    expect(out.status).toBe("SUCCEEDED");
    expect(wrote).toBe(false);
    expect(out.result).toEqual({ h: { status: 200, body: "fake" } });
    expect(out.logs.filter((l) => l.message.startsWith("[SIMULATE]"))).toHaveLength(2);
  });

  it("stop_workflow ends the run successfully and cancels other branches", async () => {
    const doc = wf(
      [
        ["s", "manual_trigger"],
        ["stop", "stop_workflow", { reason: "enough" }],
        ["slow", "delay", { milliseconds: 10_000 }],
      ],
      [
        ["s", "stop"],
        ["s", "slow"],
      ],
    );
    const started = performance.now();
    const out = await runDoc(doc);
    expect(out.status).toBe("SUCCEEDED");
    expect(performance.now() - started).toBeLessThan(2000);
    expect(out.logs.some((l) => l.message === "enough")).toBe(true);
  });

  it("a disabled component refuses to run with COMPONENT_DISABLED", async () => {
    const registry = createBuiltinRegistry();
    registry.setDisabled(["set_data"]);
    const out = await runDoc(wf([["a", "set_data", { fields: {} }]]), { registry });
    expect(out.error?.code).toBe("COMPONENT_DISABLED");
  });

  it("emits RUNNING first, node metrics with durations, and the final status with result last", async () => {
    const out = await runDoc(wf([["a", "set_data", { fields: { x: 1 } }]]));
    const first = out.events[0];
    const last = out.events.at(-1);
    expect(first?.type === "workflow_status_update" && first.status_data.status).toBe("RUNNING");
    expect(last?.type === "workflow_status_update" && last.status_data).toMatchObject({
      status: "SUCCEEDED",
      result: { a: { x: 1 } },
    });
    const done = out.metrics.find((m) => m.status === "SUCCEEDED");
    expect(done).toMatchObject({ node_id: "a", module_id: "set_data", attempt: 1, output_port: "success" });
    expect(typeof done?.duration_ms).toBe("number");
  });
});

describe("validation pass", () => {
  it("lists every problem at once", () => {
    const doc = {
      nodes: [
        { id: "a", module_id: "manual_trigger" },
        { id: "a", module_id: "set_data", config_values: { fields: "not-an-object" } },
        { id: "b", module_id: "no_such_component" },
        { id: "c", module_id: "if_condition", config_values: { operator: "near" } },
        { id: "d", module_id: "delay", config_values: { milliseconds: "soon", retry_attempts: -1 } },
        { id: "t2", module_id: "manual_trigger" },
      ],
      connections: [
        { id: "c1", source: "a", target: "ghost" },
        { id: "c2", source: "c", target: "d", source_port_name: "maybe" },
        { id: "c3", source: "c", target: "t2", source_port_name: "true" },
      ],
    };
    let error: unknown;
    try {
      compileWorkflow(doc, createBuiltinRegistry());
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(FloworkError);
    const problems = (error as FloworkError).details?.problems as { code: string }[];
    const codes = problems.map((p) => p.code).sort();
    expect(codes).toEqual(
      [
        "BAD_CONFIG",
        "BAD_CONFIG",
        "BAD_CONFIG",
        "BAD_CONFIG",
        "DANGLING_CONNECTION",
        "DUPLICATE_ID",
        "UNKNOWN_MODULE",
        "UNKNOWN_PORT",
        "UNKNOWN_PORT",
      ].sort(),
    );
    expect((error as FloworkError).code).toBe("WORKFLOW_INVALID");
  });

  it("refuses documents that are not workflows", () => {
    for (const doc of [null, 1, "x", [], { nodes: "no" }, { nodes: [{ id: 1 }] }]) {
      expect(() => compileWorkflow(doc, createBuiltinRegistry())).toThrowError(FloworkError);
    }
  });
});
