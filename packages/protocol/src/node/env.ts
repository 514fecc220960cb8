import { FloworkError } from "../errors.js";

/**
 * Reads a decimal integer setting from the environment: `fallback` when unset, empty or blank.
 * @throws FloworkError VALIDATION_FAILED (naming the variable, never echoing its value) when it is not an integer
 * from `min` to `max`.
 */
export function envInt(
  env: Readonly<Record<string, string | undefined>>,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === "") return fallback;
  // Decimal digits only: Number() would also take "0x10", "1e2" and "" (0).
  const n = /^[+-]?\d{1,16}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new FloworkError("VALIDATION_FAILED", `${name} must be an integer from ${min} to ${max}`, {
      details: { issues: [{ path: name, message: "out of range" }] },
    });
  }
  return n;
}
