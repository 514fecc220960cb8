import { FloworkError } from "@flowork/protocol";
import { builtinManifest, number, text, withFields } from "../define.js";
import type { ComponentContext, ComponentDefinition, SandboxResult } from "../types.js";

/** CPU budget for user code: the node's timeout, but never more than 30 s of busy script. */
const MAX_SCRIPT_MS = 30_000;

async function runSandboxed(
  ctx: ComponentContext,
  kind: "function" | "expression",
  code: string,
  payload: unknown,
): Promise<SandboxResult> {
  const sandbox = ctx.services.sandbox;
  if (!sandbox) throw new FloworkError("SANDBOX_VIOLATION", "no sandbox is available to run code here");
  const timeoutMs = Math.min(
    MAX_SCRIPT_MS,
    number(ctx.config.timeout_seconds, ctx.settings.node_timeout_seconds) * 1000,
  );
  const out = await sandbox.run({
    kind,
    code,
    payload,
    vars: ctx.vars.snapshot(),
    timeoutMs,
    signal: ctx.signal,
  });
  for (const line of out.logs) ctx.log(line.level, line.message);
  return out;
}

export const codeJavascript: ComponentDefinition = {
  manifest: builtinManifest({
    id: "code_javascript",
    name: "JavaScript",
    type: "ACTION",
    category: "Code",
    description:
      "Runs a function body with `payload` and `vars` in scope in a sandbox (no require, process, files or network); its return value is the new payload.",
    icon: "code",
    properties: [{ id: "code", type: "code", label: "Code", required: true, default: "return payload;" }],
  }),
  execute: async (payload, ctx) => {
    const out = await runSandboxed(ctx, "function", text(ctx.config.code), payload);
    return { payload: out.value === undefined ? payload : out.value };
  },
};

export const expression: ComponentDefinition = {
  manifest: builtinManifest({
    id: "expression",
    name: "Expression",
    type: "ACTION",
    category: "Code",
    description: "Evaluates a side-effect-free JavaScript expression over `payload` and `vars` into a field.",
    icon: "function",
    properties: [
      {
        id: "expression",
        type: "string",
        label: "Expression",
        required: true,
        description: "e.g. payload.price * 1.2",
      },
      { id: "output_field", type: "string", label: "Output field", default: "result" },
    ],
  }),
  execute: async (payload, ctx) => {
    const out = await runSandboxed(ctx, "expression", text(ctx.config.expression), payload);
    return {
      payload: withFields(payload, { [text(ctx.config.output_field, "result") || "result"]: out.value }),
    };
  },
};
