import type { ComponentProperty } from "@flowork/protocol";

/** How a property is edited. */
export type FieldWidget =
  | "text"
  | "textarea"
  | "number"
  | "checkbox"
  | "select"
  | "code"
  | "cron"
  | "variable";

/** One generated form field. `text` is the value as edited (checkbox: "true"/"false"). */
export interface FormField {
  id: string;
  label: string;
  description?: string;
  type: ComponentProperty["type"];
  widget: FormWidget;
  required: boolean;
  options: { value: string; label: string }[];
  placeholder?: string;
}
type FormWidget = FieldWidget;

export type ParseResult = { ok: true; value: unknown } | { ok: false; error: string };

const WIDGETS: Record<ComponentProperty["type"], FieldWidget> = {
  string: "text",
  textarea: "textarea",
  integer: "number",
  float: "number",
  boolean: "checkbox",
  enum: "select",
  list: "textarea",
  json: "code",
  code: "code",
  cron_editor: "cron",
  key_value: "textarea",
  variable: "variable",
};

const PLACEHOLDERS: Partial<Record<ComponentProperty["type"], string>> = {
  list: "one item per line",
  key_value: "one key=value per line",
  json: '{"key": "value"}',
  cron_editor: "*/5 * * * *",
  variable: "VARIABLE_NAME",
};

/** The form for a component: one field per property, in manifest order. */
export function fieldsFor(properties: readonly ComponentProperty[]): FormField[] {
  return properties.map((p) => {
    const placeholder = PLACEHOLDERS[p.type];
    return {
      id: p.id,
      label: p.label,
      ...(p.description !== undefined && { description: p.description }),
      type: p.type,
      widget: WIDGETS[p.type],
      required: p.required === true,
      options: (p.options ?? []).map((o) =>
        typeof o === "object"
          ? { value: String(o.value), label: o.label }
          : { value: String(o), label: String(o) },
      ),
      ...(placeholder !== undefined && { placeholder }),
    };
  });
}

/** A config value as the field shows it. */
export function formatValue(p: ComponentProperty, value: unknown): string {
  if (value === undefined || value === null) return p.type === "boolean" ? "false" : "";
  switch (p.type) {
    case "boolean":
      return value === true ? "true" : "false";
    case "list":
      return Array.isArray(value)
        ? value.map((v) => (typeof v === "string" ? v : JSON.stringify(v))).join("\n")
        : "";
    case "key_value":
      return typeof value === "object" && !Array.isArray(value)
        ? Object.entries(value as Record<string, unknown>)
            .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
            .join("\n")
        : "";
    case "json":
      return JSON.stringify(value, null, 2);
    default:
      return typeof value === "string" ? value : JSON.stringify(value);
  }
}

const CRON_FIELD =
  /^(\*|\?|[0-9A-Za-z]+(-[0-9A-Za-z]+)?)(\/[0-9]+)?(,(\*|[0-9A-Za-z]+(-[0-9A-Za-z]+)?)(\/[0-9]+)?)*$/;
const TEMPLATE = /^\{\{[^{}]+\}\}$/;

/** Parses what the user typed into the value stored in `config_values`, or says what is wrong. */
export function parseValue(p: ComponentProperty, text: string): ParseResult {
  const trimmed = text.trim();
  // An empty list or map is a value (a required `fields` may well start as `{}`).
  if (trimmed === "" && p.type === "list") return { ok: true, value: [] };
  if (trimmed === "" && p.type === "key_value") return { ok: true, value: {} };
  if (trimmed === "" && p.type !== "boolean") {
    return p.required ? { ok: false, error: `${p.label} is required.` } : { ok: true, value: undefined };
  }
  switch (p.type) {
    case "string":
    case "textarea":
    case "code":
      return { ok: true, value: text };
    case "integer": {
      if (TEMPLATE.test(trimmed)) return { ok: true, value: trimmed };
      const n = Number(trimmed);
      return Number.isInteger(n)
        ? { ok: true, value: n }
        : { ok: false, error: `${p.label} must be a whole number.` };
    }
    case "float": {
      if (TEMPLATE.test(trimmed)) return { ok: true, value: trimmed };
      const n = Number(trimmed);
      return Number.isFinite(n)
        ? { ok: true, value: n }
        : { ok: false, error: `${p.label} must be a number.` };
    }
    case "boolean":
      return { ok: true, value: trimmed === "true" };
    case "enum": {
      const allowed = fieldsFor([p])[0]?.options.map((o) => o.value) ?? [];
      if (allowed.length > 0 && !allowed.includes(trimmed)) {
        return { ok: false, error: `${p.label} must be one of ${allowed.join(", ")}.` };
      }
      const original = (p.options ?? []).find((o) => String(typeof o === "object" ? o.value : o) === trimmed);
      return {
        ok: true,
        value: original === undefined ? trimmed : typeof original === "object" ? original.value : original,
      };
    }
    case "list":
      return {
        ok: true,
        value: text
          .split("\n")
          .map((l) => l.trim())
          .filter((l) => l !== ""),
      };
    case "json":
      try {
        return { ok: true, value: JSON.parse(text) };
      } catch (err) {
        return { ok: false, error: `${p.label} is not valid JSON: ${(err as Error).message}` };
      }
    case "key_value": {
      const out: Record<string, string> = {};
      for (const [i, line] of text.split("\n").entries()) {
        if (line.trim() === "") continue;
        const eq = line.indexOf("=");
        if (eq <= 0) return { ok: false, error: `Line ${i + 1} of ${p.label} must be key=value.` };
        out[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
      }
      return { ok: true, value: out };
    }
    case "cron_editor": {
      const parts = trimmed.split(/\s+/);
      if (parts.length < 5 || parts.length > 6 || !parts.every((x) => CRON_FIELD.test(x))) {
        return {
          ok: false,
          error: `${p.label} must be a cron expression of 5 or 6 fields, e.g. */5 * * * *.`,
        };
      }
      return { ok: true, value: trimmed };
    }
    case "variable":
      return /^[A-Z][A-Z0-9_]*$/.test(trimmed)
        ? { ok: true, value: trimmed }
        : {
            ok: false,
            error: `${p.label} must be a variable name: capitals, digits and _, starting with a letter.`,
          };
  }
}

/** Every problem of a node's config, keyed by property id (empty when valid). */
export function validateConfig(
  properties: readonly ComponentProperty[],
  values: Record<string, unknown>,
): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const p of properties) {
    const result = parseValue(p, formatValue(p, values[p.id] ?? p.default));
    if (!result.ok) errors[p.id] = result.error;
  }
  return errors;
}

/** `config_values` for a new node: every property's default. */
export function defaultConfig(properties: readonly ComponentProperty[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const p of properties) if (p.default !== undefined) out[p.id] = structuredClone(p.default);
  return out;
}
