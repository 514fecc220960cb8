import { FloworkError } from "@flowork/protocol";
import { builtinManifest, text, withFields } from "../define.js";
import type { ComponentDefinition } from "../types.js";

const NAME_RE = /^[A-Z][A-Z0-9_]*$/;
const checkName = (config: Record<string, unknown>) =>
  typeof config.name === "string" && !config.name.includes("{{") && !NAME_RE.test(config.name)
    ? ['"name" must match ^[A-Z][A-Z0-9_]*$']
    : [];

export const variableGet: ComponentDefinition = {
  manifest: builtinManifest({
    id: "variable_get",
    name: "Get Variable",
    type: "ACTION",
    category: "Variables",
    description: "Reads an engine variable into a payload field (random and sequential modes pick a value).",
    icon: "download",
    properties: [
      { id: "name", type: "variable", label: "Variable", required: true },
      { id: "output_field", type: "string", label: "Output field", default: "value" },
    ],
  }),
  validateConfig: checkName,
  execute: (payload, ctx) => {
    const name = text(ctx.config.name);
    if (!ctx.vars.has(name))
      throw new FloworkError("NOT_FOUND", `variable ${name} does not exist or is disabled`);
    return {
      payload: withFields(payload, {
        [text(ctx.config.output_field, "value") || "value"]: ctx.vars.get(name),
      }),
    };
  },
};

export const variableSet: ComponentDefinition = {
  manifest: builtinManifest({
    id: "variable_set",
    name: "Set Variable",
    type: "ACTION",
    category: "Variables",
    description: "Stores a value in an engine variable (kept secret if the variable is secret).",
    icon: "upload",
    side_effects: true,
    properties: [
      { id: "name", type: "variable", label: "Variable", required: true },
      { id: "value", type: "string", label: "Value", description: "e.g. {{payload.token}}" },
    ],
  }),
  validateConfig: checkName,
  execute: async (payload, ctx) => {
    await ctx.vars.set(text(ctx.config.name), ctx.config.value ?? "");
    return { payload };
  },
};
