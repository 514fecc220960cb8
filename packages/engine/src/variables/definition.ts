import { FloworkError } from "@flowork/protocol";
import { z } from "zod";

export const VARIABLE_NAME_RE = /^[A-Z][A-Z0-9_]*$/;

/** A stored variable (SPEC section 4 `update_variable`). */
export interface VariableDefinition {
  value: string;
  values: string[];
  mode: "single" | "random" | "sequential";
  is_secret: boolean;
  is_enabled: boolean;
}

const FullSchema = z.strictObject({
  value: z.union([z.string(), z.number(), z.boolean()]).optional(),
  values: z
    .array(z.union([z.string(), z.number(), z.boolean()]))
    .max(10_000)
    .optional(),
  mode: z.enum(["single", "random", "sequential"]).optional(),
  is_secret: z.boolean().optional(),
  is_enabled: z.boolean().optional(),
});

/**
 * Reads a `--vars` style document: `{"NAME": "value"}` or `{"NAME": {"value": "...", "is_secret": true}}`.
 * @throws FloworkError VALIDATION_FAILED naming every bad entry (values are never echoed back).
 */
export function parseVariableDocument(document: unknown): Map<string, VariableDefinition> {
  if (document === null || typeof document !== "object" || Array.isArray(document)) {
    throw new FloworkError("VALIDATION_FAILED", "variables must be a JSON object of NAME: value", {
      details: { issues: [{ path: "", message: "expected an object" }] },
    });
  }
  const out = new Map<string, VariableDefinition>();
  const issues: { path: string; message: string }[] = [];
  for (const [name, raw] of Object.entries(document)) {
    if (!VARIABLE_NAME_RE.test(name) || name.length > 128) {
      issues.push({ path: name, message: "a variable name must match ^[A-Z][A-Z0-9_]*$" });
      continue;
    }
    if (typeof raw === "string" || typeof raw === "number" || typeof raw === "boolean") {
      out.set(name, { value: String(raw), values: [], mode: "single", is_secret: false, is_enabled: true });
      continue;
    }
    const parsed = FullSchema.safeParse(raw);
    if (!parsed.success) {
      issues.push({
        path: name,
        message: parsed.error.issues.map((i) => `${i.path.join(".") || "value"}: ${i.message}`).join("; "),
      });
      continue;
    }
    const d = parsed.data;
    out.set(name, {
      value: d.value === undefined ? "" : String(d.value),
      values: (d.values ?? []).map(String),
      mode: d.mode ?? "single",
      is_secret: d.is_secret ?? false,
      is_enabled: d.is_enabled ?? true,
    });
  }
  if (issues.length > 0)
    throw new FloworkError("VALIDATION_FAILED", "invalid variables", { details: { issues } });
  return out;
}
