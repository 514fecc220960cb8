import type { ComponentProperty, Manifest } from "@flowork/protocol";

/** Shorthand for the manifests of built-in components: fills the fields every built-in shares. */
export function builtinManifest(
  m: Omit<Manifest, "version" | "input_ports" | "output_ports" | "side_effects" | "properties"> & {
    properties?: ComponentProperty[];
    inputs?: string[];
    outputs?: [string, string][];
    side_effects?: boolean;
  },
): Manifest {
  const { inputs, outputs, properties, side_effects, ...rest } = m;
  const defaultOutputs: [string, string][] =
    m.type === "TRIGGER" ? [["output", "Output"]] : [["success", "Success"]];
  return {
    ...rest,
    version: "1.0.0",
    properties: properties ?? [],
    input_ports: (inputs ?? (m.type === "TRIGGER" ? [] : ["input"])).map((name) => ({ name })),
    output_ports: (outputs ?? defaultOutputs).map(([name, display_name]) => ({ name, display_name })),
    side_effects: side_effects ?? false,
  };
}

/** A config value as text (`undefined`/`null` → ""; objects as JSON). */
export function text(value: unknown, fallback = ""): string {
  if (value === undefined || value === null) return fallback;
  if (typeof value === "string") return value;
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/** A config value as a finite number, else the fallback. */
export function number(value: unknown, fallback: number): number {
  const n =
    typeof value === "number"
      ? value
      : typeof value === "string" && value.trim() !== ""
        ? Number(value)
        : Number.NaN;
  return Number.isFinite(n) ? n : fallback;
}

export function bool(value: unknown, fallback: boolean): boolean {
  if (typeof value === "boolean") return value;
  if (value === "true") return true;
  if (value === "false") return false;
  return fallback;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** `{...payload, ...extra}`, keeping a non-object payload under `payload` (SPEC section 5's rule for errors). */
export function withFields(payload: unknown, extra: Record<string, unknown>): Record<string, unknown> {
  return isPlainObject(payload) ? { ...payload, ...extra } : { payload, ...extra };
}
