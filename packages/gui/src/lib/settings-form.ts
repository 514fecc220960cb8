import { EngineSettingsPatchSchema } from "@flowork/protocol";

/** One input of the settings form, derived from the JSON Schema of the protocol's settings schema. */
export type SettingField =
  | { key: string; kind: "integer" | "number"; label: string; help: string; min?: number; max?: number }
  | { key: string; kind: "enum"; label: string; help: string; options: string[] }
  | { key: string; kind: "boolean"; label: string; help: string }
  | { key: string; kind: "list"; label: string; help: string; maxItems?: number; itemMaxLength?: number };

/** What the form holds: text as typed for numbers, enums and lists (one per line); booleans as booleans. */
export type SettingsDraft = Record<string, string | boolean>;

/** Words for the keys SPEC section 4 defines; a key the GUI does not know yet gets its name, humanised. */
const WORDS: Record<string, { label: string; help: string }> = {
  max_concurrent_executions: {
    label: "Max concurrent executions",
    help: "Runs executed at the same time; more wait in the queue.",
  },
  node_timeout_seconds: {
    label: "Node timeout (seconds)",
    help: "A node running longer is stopped with NODE_TIMEOUT, unless it sets its own timeout.",
  },
  max_steps_per_execution: {
    label: "Max steps per execution",
    help: "Node runs allowed in one execution before it fails with LOOP_LIMIT.",
  },
  execution_retention_days: {
    label: "Execution retention (days)",
    help: "How long execution history and logs are kept; 0 keeps them forever.",
  },
  log_level: { label: "Log level", help: "The lowest level the engine writes to its own log." },
  http_allowed_hosts: {
    label: "HTTP allowed hosts",
    help: "One host per line that http_request may reach besides public addresses (private and loopback addresses are refused unless listed).",
  },
  enable_dangerous_components: {
    label: "Enable dangerous components",
    help: "Lets shell_command and the like run. Only turn this on for an engine you trust every workflow on.",
  },
  resume_interrupted: {
    label: "Resume interrupted runs",
    help: "Runs cut by a crash resume from their last completed step when the engine restarts.",
  },
};

function humanise(key: string): string {
  const text = key.replace(/_/g, " ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

type JsonSchema = {
  type?: unknown;
  enum?: unknown;
  minimum?: unknown;
  maximum?: unknown;
  maxItems?: unknown;
  items?: { maxLength?: unknown };
  properties?: Record<string, JsonSchema>;
};

const num = (v: unknown): number | undefined => (typeof v === "number" ? v : undefined);

/** The form's fields, in schema order, from a JSON Schema object (default: the protocol's settings schema). */
export function settingsFields(schema: unknown = EngineSettingsPatchSchema.toJSONSchema()): SettingField[] {
  const props = (schema as JsonSchema | null)?.properties ?? {};
  const fields: SettingField[] = [];
  for (const [key, p] of Object.entries(props)) {
    const words = WORDS[key] ?? { label: humanise(key), help: "" };
    const base = { key, ...words };
    if (Array.isArray(p.enum) && p.enum.every((o) => typeof o === "string")) {
      fields.push({ ...base, kind: "enum", options: p.enum as string[] });
    } else if (p.type === "integer" || p.type === "number") {
      const min = num(p.minimum);
      const max = num(p.maximum);
      fields.push({
        ...base,
        kind: p.type,
        ...(min !== undefined && { min }),
        ...(max !== undefined && { max }),
      });
    } else if (p.type === "boolean") {
      fields.push({ ...base, kind: "boolean" });
    } else if (p.type === "array") {
      const maxItems = num(p.maxItems);
      const itemMaxLength = num(p.items?.maxLength);
      fields.push({
        ...base,
        kind: "list",
        ...(maxItems !== undefined && { maxItems }),
        ...(itemMaxLength !== undefined && { itemMaxLength }),
      });
    }
  }
  return fields;
}

/** The form's starting text for saved settings. */
export function draftFrom(settings: Record<string, unknown>, fields: readonly SettingField[]): SettingsDraft {
  const draft: SettingsDraft = {};
  for (const f of fields) {
    const v = settings[f.key];
    if (f.kind === "boolean") draft[f.key] = v === true;
    else if (f.kind === "list") draft[f.key] = Array.isArray(v) ? v.map(String).join("\n") : "";
    else draft[f.key] = v === undefined || v === null ? "" : String(v);
  }
  return draft;
}

/** Parses one field; returns its value, or a sentence saying what is wrong. */
export function parseField(f: SettingField, raw: string | boolean): { value: unknown } | { error: string } {
  if (f.kind === "boolean") return { value: raw === true };
  const text = String(raw).trim();
  if (f.kind === "list") {
    const items = text
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l !== "");
    if (f.maxItems !== undefined && items.length > f.maxItems)
      return { error: `At most ${f.maxItems} entries.` };
    const long = items.find((i) => f.itemMaxLength !== undefined && i.length > f.itemMaxLength);
    if (long !== undefined)
      return { error: `“${long.slice(0, 40)}…” is longer than ${f.itemMaxLength} characters.` };
    return { value: items };
  }
  if (f.kind === "enum") {
    return f.options.includes(text) ? { value: text } : { error: `One of ${f.options.join(", ")}.` };
  }
  if (text === "") return { error: "A value is required." };
  const n = Number(text);
  if (!Number.isFinite(n)) return { error: "A number is required." };
  if (f.kind === "integer" && !Number.isInteger(n)) return { error: "A whole number is required." };
  const range =
    f.min !== undefined && f.max !== undefined
      ? `Between ${f.min} and ${f.max}.`
      : f.min !== undefined
        ? `At least ${f.min}.`
        : `At most ${f.max}.`;
  if ((f.min !== undefined && n < f.min) || (f.max !== undefined && n > f.max)) return { error: range };
  return { value: n };
}

/** Field errors of a draft (key to sentence); empty when every field parses. */
export function draftErrors(fields: readonly SettingField[], draft: SettingsDraft): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const f of fields) {
    const r = parseField(f, draft[f.key] ?? "");
    if ("error" in r) errors[f.key] = r.error;
  }
  return errors;
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * The `save_settings` patch: only the keys that differ from `saved`, checked field by field and then by the
 * protocol's own schema (the one the engine validates with), so what passes here the engine accepts.
 */
export function settingsPatch(
  fields: readonly SettingField[],
  draft: SettingsDraft,
  saved: Record<string, unknown>,
): { patch: Record<string, unknown>; errors: Record<string, string> } {
  const errors = draftErrors(fields, draft);
  const patch: Record<string, unknown> = {};
  for (const f of fields) {
    if (errors[f.key]) continue;
    const r = parseField(f, draft[f.key] ?? "");
    if ("value" in r && !same(r.value, saved[f.key])) patch[f.key] = r.value;
  }
  if (Object.keys(errors).length === 0) {
    const checked = EngineSettingsPatchSchema.safeParse(patch);
    if (!checked.success) {
      for (const issue of checked.error.issues) {
        const key = String(issue.path[0] ?? "");
        errors[key] ??= issue.message;
      }
    }
  }
  return { patch, errors };
}
