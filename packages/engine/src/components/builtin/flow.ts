import { FloworkError } from "@flowork/protocol";
import { lookup } from "../../runtime/path.js";
import { bool, builtinManifest, number, text } from "../define.js";
import { compare, looseEquals, OPERATORS, type Operator } from "../logic/compare.js";
import type { ComponentDefinition } from "../types.js";

export const ifCondition: ComponentDefinition = {
  manifest: builtinManifest({
    id: "if_condition",
    name: "If",
    type: "LOGIC",
    category: "Flow",
    description: "Routes the payload to `true` or `false` by comparing two values.",
    icon: "git-branch",
    properties: [
      { id: "left", type: "string", label: "Value", description: "e.g. {{payload.status}}" },
      {
        id: "operator",
        type: "enum",
        label: "Operator",
        required: true,
        default: "eq",
        options: [...OPERATORS],
      },
      { id: "right", type: "string", label: "Compare with" },
    ],
    outputs: [
      ["true", "True"],
      ["false", "False"],
    ],
  }),
  execute: (payload, ctx) => {
    const operator = (ctx.config.operator ?? "eq") as Operator;
    return { payload, output_name: compare(ctx.config.left, operator, ctx.config.right) ? "true" : "false" };
  },
};

const MAX_CASES = 100;
export const switchComponent: ComponentDefinition = {
  manifest: builtinManifest({
    id: "switch",
    name: "Switch",
    type: "LOGIC",
    category: "Flow",
    description: "Routes the payload to case_i for the first case equal to the value, else to `default`.",
    icon: "shuffle",
    properties: [
      { id: "value", type: "string", label: "Value", description: "e.g. {{payload.kind}}" },
      { id: "cases", type: "list", label: "Cases", required: true, default: [] },
    ],
    outputs: [["default", "Default"]],
  }),
  outputPorts: (config) => {
    const count = Array.isArray(config.cases) ? Math.min(config.cases.length, MAX_CASES) : MAX_CASES;
    return [...Array.from({ length: count }, (_, i) => `case_${i}`), "default"];
  },
  validateConfig: (config) =>
    Array.isArray(config.cases) && config.cases.length > MAX_CASES
      ? [`"cases" may hold at most ${MAX_CASES} values`]
      : [],
  execute: (payload, ctx) => {
    const cases = Array.isArray(ctx.config.cases) ? ctx.config.cases : [];
    const index = cases.findIndex((c) => looseEquals(ctx.config.value, c));
    return { payload, output_name: index >= 0 ? `case_${index}` : "default" };
  },
};

export const loop: ComponentDefinition = {
  manifest: builtinManifest({
    id: "loop",
    name: "Loop",
    type: "LOGIC",
    category: "Flow",
    description:
      "Sends each element of a list on `item` ({item, index, parent}), one after another, then the payload on `done`.",
    icon: "repeat",
    properties: [
      {
        id: "items_path",
        type: "string",
        label: "List path",
        required: true,
        description: "Dotted path into the payload, e.g. data.items",
      },
    ],
    outputs: [
      ["item", "Each item"],
      ["done", "Done"],
    ],
  }),
  execute: (payload, ctx) => {
    const path = text(ctx.config.items_path);
    const items = path === "" ? payload : lookup(payload, path);
    if (items === undefined || items === null) {
      return { payload, output_name: "done" };
    }
    if (!Array.isArray(items)) {
      throw new FloworkError("USER_ERROR", `"${path}" is not a list`);
    }
    return {
      sequential: true,
      emits: [
        ...items.map((item, index) => ({ payload: { item, index, parent: payload }, output_name: "item" })),
        { payload, output_name: "done" },
      ],
    };
  },
};

export const merge: ComponentDefinition = {
  manifest: builtinManifest({
    id: "merge",
    name: "Merge",
    type: "LOGIC",
    category: "Flow",
    description:
      "Waits for one payload on every connected input, then emits {inputs: [...]} in connection order.",
    icon: "git-merge",
  }),
  joinsInputs: true,
  execute: (inputs) => ({ payload: { inputs } }),
};

export const delay: ComponentDefinition = {
  manifest: builtinManifest({
    id: "delay",
    name: "Delay",
    type: "LOGIC",
    category: "Flow",
    description: "Waits, then passes the payload on. Stopping the run cancels the wait.",
    icon: "hourglass",
    properties: [
      { id: "milliseconds", type: "integer", label: "Milliseconds", required: true, default: 1000 },
    ],
  }),
  execute: async (payload, ctx) => {
    await ctx.sleep(Math.max(0, number(ctx.config.milliseconds, 1000)));
    return { payload };
  },
};

export const stopWorkflow: ComponentDefinition = {
  manifest: builtinManifest({
    id: "stop_workflow",
    name: "Stop Workflow",
    type: "LOGIC",
    category: "Flow",
    description: "Ends the run successfully here: running branches are cancelled and nothing else starts.",
    icon: "square",
    properties: [{ id: "reason", type: "string", label: "Reason" }],
    outputs: [],
  }),
  execute: (payload, ctx) => {
    ctx.stopRun(text(ctx.config.reason) || undefined);
    return { payload };
  },
};

export const throwError: ComponentDefinition = {
  manifest: builtinManifest({
    id: "throw_error",
    name: "Throw Error",
    type: "LOGIC",
    category: "Flow",
    description:
      "Fails with USER_ERROR and the message (to the `error` port if connected, else the run fails).",
    icon: "alert-triangle",
    properties: [{ id: "message", type: "string", label: "Message", required: true, default: "Error" }],
    outputs: [],
  }),
  execute: (_payload, ctx) => {
    throw new FloworkError("USER_ERROR", text(ctx.config.message, "Error") || "Error");
  },
};

export const subWorkflow: ComponentDefinition = {
  manifest: builtinManifest({
    id: "sub_workflow",
    name: "Sub-workflow",
    type: "LOGIC",
    category: "Flow",
    description:
      "Runs a saved preset with the payload; its result becomes the payload (or, without waiting, {job_id}).",
    icon: "layers",
    properties: [
      { id: "preset_name", type: "string", label: "Preset", required: true },
      { id: "wait", type: "boolean", label: "Wait for it", default: true },
    ],
  }),
  execute: async (payload, ctx) => {
    const run = ctx.services.runSubWorkflow;
    if (!run)
      throw new FloworkError(
        "COMPONENT_NOT_FOUND",
        "sub_workflow needs an engine with presets; none is available here",
      );
    const result = await run(text(ctx.config.preset_name), payload, {
      wait: bool(ctx.config.wait, true),
      signal: ctx.signal,
      mode: ctx.mode,
    });
    return { payload: result };
  },
};
