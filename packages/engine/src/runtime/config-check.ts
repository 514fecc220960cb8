import type { ComponentProperty } from "@flowork/protocol";
import { hasTemplate } from "./templates.js";

/** Per-node settings every component accepts (SPEC section 5). */
export const COMMON_NODE_KEYS = ["retry_attempts", "retry_delay_seconds", "timeout_seconds"] as const;

function optionValue(option: unknown): unknown {
  return option !== null && typeof option === "object" && "value" in option
    ? (option as { value: unknown }).value
    : option;
}

const isNumeric = (v: unknown) =>
  (typeof v === "number" && Number.isFinite(v)) ||
  (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v)));

/**
 * Checks one config value against its property declaration. Strings holding a template are accepted for any
 * type: their value is only known at run time. Returns a problem message or undefined.
 */
export function checkProperty(property: ComponentProperty, value: unknown): string | undefined {
  if (value === undefined || value === null || value === "") {
    return property.required && property.default === undefined ? `"${property.id}" is required` : undefined;
  }
  if (typeof value === "string" && hasTemplate(value)) return undefined;
  switch (property.type) {
    case "string":
    case "textarea":
    case "code":
    case "cron_editor":
    case "variable":
      return typeof value === "string" || typeof value === "number"
        ? undefined
        : `"${property.id}" must be text`;
    case "integer":
      return isNumeric(value) && Number.isInteger(Number(value))
        ? undefined
        : `"${property.id}" must be an integer`;
    case "float":
      return isNumeric(value) ? undefined : `"${property.id}" must be a number`;
    case "boolean":
      return typeof value === "boolean" || value === "true" || value === "false"
        ? undefined
        : `"${property.id}" must be true or false`;
    case "enum": {
      const allowed = (property.options ?? []).map(optionValue);
      return allowed.includes(value)
        ? undefined
        : `"${property.id}" must be one of ${allowed.map(String).join(", ")}`;
    }
    case "list":
      return Array.isArray(value) ? undefined : `"${property.id}" must be a list`;
    case "key_value":
      return typeof value === "object" && !Array.isArray(value)
        ? undefined
        : `"${property.id}" must be an object of keys and values`;
    case "json":
      return undefined;
  }
}

/** Checks the per-node settings shared by every component. */
export function checkCommonKeys(config: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const check = (key: string, min: number, max: number, integer: boolean) => {
    const v = config[key];
    if (v === undefined || v === null || v === "" || (typeof v === "string" && hasTemplate(v))) return;
    const n = Number(v);
    if (!isNumeric(v) || n < min || n > max || (integer && !Number.isInteger(n))) {
      problems.push(`"${key}" must be ${integer ? "an integer" : "a number"} from ${min} to ${max}`);
    }
  };
  check("retry_attempts", 0, 100, true);
  check("retry_delay_seconds", 0, 86_400, false);
  check("timeout_seconds", 0.001, 86_400, false);
  return problems;
}
