import { FloworkError } from "@flowork/protocol";
import { lookup, parsePath, setPath } from "../../runtime/path.js";
import { bool, builtinManifest, isPlainObject, text, withFields } from "../define.js";
import { compare, OPERATORS, type Operator } from "../logic/compare.js";
import type { ComponentContext, ComponentDefinition } from "../types.js";

/** Where a component reads from: a dotted path into the payload, or the payload itself when empty. */
function source(payload: unknown, path: unknown): unknown {
  const p = text(path);
  return p === "" ? payload : lookup(payload, p);
}

/** Writes a value to `output_field`, or replaces the payload when the field is empty. */
function output(payload: unknown, field: unknown, value: unknown, fallbackField?: string): unknown {
  const f = text(field, fallbackField ?? "");
  return f === "" ? value : withFields(payload, { [f]: value });
}

function list(payload: unknown, ctx: ComponentContext): unknown[] {
  const items = source(payload, ctx.config.items_path);
  if (!Array.isArray(items))
    throw new FloworkError("USER_ERROR", `"${text(ctx.config.items_path) || "payload"}" is not a list`);
  return items;
}

export const setData: ComponentDefinition = {
  manifest: builtinManifest({
    id: "set_data",
    name: "Set Data",
    type: "ACTION",
    category: "Data",
    description: "Adds or replaces fields: {...payload, ...fields}; each field value may be a template.",
    icon: "edit",
    properties: [{ id: "fields", type: "key_value", label: "Fields", required: true, default: {} }],
  }),
  execute: (payload, ctx) => ({
    payload: withFields(payload, isPlainObject(ctx.config.fields) ? ctx.config.fields : {}),
  }),
};

export const template: ComponentDefinition = {
  manifest: builtinManifest({
    id: "template",
    name: "Template",
    type: "ACTION",
    category: "Data",
    description:
      "Renders a text template ({{payload.x}}, {{vars.NAME}}, {{nodes.id.payload.x}}) into a field.",
    icon: "file-text",
    properties: [
      { id: "template", type: "textarea", label: "Template", required: true },
      { id: "output_field", type: "string", label: "Output field", default: "text" },
    ],
  }),
  execute: (payload, ctx) => ({
    payload: withFields(payload, {
      [text(ctx.config.output_field, "text") || "text"]: text(ctx.config.template),
    }),
  }),
};

export const jsonParse: ComponentDefinition = {
  manifest: builtinManifest({
    id: "json_parse",
    name: "JSON Parse",
    type: "ACTION",
    category: "Data",
    description: "Parses JSON text found at a path (or the payload) into a value.",
    icon: "braces",
    properties: [
      {
        id: "source_path",
        type: "string",
        label: "Text at",
        description: "Dotted path; empty = the payload",
      },
      {
        id: "output_field",
        type: "string",
        label: "Output field",
        description: "Empty = replace the payload",
      },
    ],
  }),
  execute: (payload, ctx) => {
    const raw = source(payload, ctx.config.source_path);
    if (typeof raw !== "string") throw new FloworkError("USER_ERROR", "json_parse: the source is not text");
    try {
      return { payload: output(payload, ctx.config.output_field, JSON.parse(raw)) };
    } catch (err) {
      throw new FloworkError(
        "USER_ERROR",
        `json_parse: ${err instanceof Error ? err.message : "invalid JSON"}`,
      );
    }
  },
};

export const jsonStringify: ComponentDefinition = {
  manifest: builtinManifest({
    id: "json_stringify",
    name: "JSON Stringify",
    type: "ACTION",
    category: "Data",
    description: "Turns a value (at a path, or the payload) into JSON text.",
    icon: "braces",
    properties: [
      {
        id: "source_path",
        type: "string",
        label: "Value at",
        description: "Dotted path; empty = the payload",
      },
      { id: "output_field", type: "string", label: "Output field", default: "json" },
      { id: "pretty", type: "boolean", label: "Indent", default: false },
    ],
  }),
  execute: (payload, ctx) => {
    const value = source(payload, ctx.config.source_path);
    const json = JSON.stringify(value ?? null, null, bool(ctx.config.pretty, false) ? 2 : undefined);
    return { payload: output(payload, ctx.config.output_field ?? "json", json) };
  },
};

export const filterArray: ComponentDefinition = {
  manifest: builtinManifest({
    id: "filter_array",
    name: "Filter List",
    type: "ACTION",
    category: "Data",
    description: "Keeps the elements of a list whose field passes a comparison.",
    icon: "filter",
    properties: [
      { id: "items_path", type: "string", label: "List at", required: true },
      {
        id: "field",
        type: "string",
        label: "Element field",
        description: "Dotted path in each element; empty = the element",
      },
      { id: "operator", type: "enum", label: "Operator", default: "eq", options: [...OPERATORS] },
      { id: "value", type: "string", label: "Compare with" },
      {
        id: "output_field",
        type: "string",
        label: "Output field",
        description: "Default: the list's own path",
      },
    ],
  }),
  execute: (payload, ctx) => {
    const operator = (ctx.config.operator ?? "eq") as Operator;
    const kept = list(payload, ctx).filter((item) =>
      compare(source(item, ctx.config.field), operator, ctx.config.value),
    );
    return { payload: output(payload, ctx.config.output_field ?? ctx.config.items_path, kept) };
  },
};

export const sortArray: ComponentDefinition = {
  manifest: builtinManifest({
    id: "sort_array",
    name: "Sort List",
    type: "ACTION",
    category: "Data",
    description: "Sorts a list by a field (numbers as numbers, text by locale), ascending or descending.",
    icon: "arrow-down-up",
    properties: [
      { id: "items_path", type: "string", label: "List at", required: true },
      {
        id: "field",
        type: "string",
        label: "Sort by",
        description: "Dotted path in each element; empty = the element",
      },
      { id: "direction", type: "enum", label: "Direction", default: "asc", options: ["asc", "desc"] },
      {
        id: "output_field",
        type: "string",
        label: "Output field",
        description: "Default: the list's own path",
      },
    ],
  }),
  execute: (payload, ctx) => {
    const sign = ctx.config.direction === "desc" ? -1 : 1;
    const keyed = list(payload, ctx).map((item) => ({ item, key: source(item, ctx.config.field) }));
    keyed.sort((a, b) => sign * compareKeys(a.key, b.key));
    return {
      payload: output(
        payload,
        ctx.config.output_field ?? ctx.config.items_path,
        keyed.map((k) => k.item),
      ),
    };
  },
};

/** Missing values sort last; numbers before text; text by locale. */
function compareKeys(a: unknown, b: unknown): number {
  const missingA = a === undefined || a === null;
  const missingB = b === undefined || b === null;
  if (missingA || missingB) return missingA === missingB ? 0 : missingA ? 1 : -1;
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (typeof a === "number") return -1;
  if (typeof b === "number") return 1;
  return text(a).localeCompare(text(b));
}

export const pickFields: ComponentDefinition = {
  manifest: builtinManifest({
    id: "pick_fields",
    name: "Pick Fields",
    type: "ACTION",
    category: "Data",
    description: "Keeps only the listed fields (dotted paths, nesting kept) of the payload.",
    icon: "list-checks",
    properties: [{ id: "fields", type: "list", label: "Fields", required: true, default: [] }],
  }),
  execute: (payload, ctx) => {
    const fields = Array.isArray(ctx.config.fields) ? ctx.config.fields.map((f) => text(f)) : [];
    const out: Record<string, unknown> = {};
    for (const field of fields) {
      const value = lookup(payload, field);
      if (value !== undefined) setPath(out, parsePath(field), value);
    }
    return { payload: out };
  },
};
