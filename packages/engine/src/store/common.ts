import { FloworkError, toValidationIssues } from "@flowork/protocol";
import type { z } from "zod";

/**
 * Reports something the store skipped or repaired (a corrupted row, a tightened key file) without failing the
 * call. Pino-compatible through `(msg, details) => log.warn(details, msg)`.
 */
export type StoreWarn = (message: string, details: Record<string, unknown>) => void;

/** Options every store takes: a clock (tests skip time with it) and where warnings go. */
export interface StoreOptions {
  /** The current time; defaults to `new Date()`. */
  now?: () => Date;
  /** Where skipped rows and repairs are reported; defaults to dropping them. */
  onWarn?: StoreWarn;
}

/** Resolved {@link StoreOptions}. */
export interface StoreContext {
  now: () => Date;
  warn: StoreWarn;
}

/** Fills in the defaults of {@link StoreOptions}. */
export function storeContext(options: StoreOptions = {}): StoreContext {
  return { now: options.now ?? (() => new Date()), warn: options.onWarn ?? (() => {}) };
}

/** The current time as the stores write it: ISO-8601 UTC with milliseconds. */
export function nowIso(ctx: StoreContext): string {
  return ctx.now().toISOString();
}

/** `Date#toISOString` of a year 0000–9999: UTC with milliseconds. */
const STORED_FORM = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * Normalises an ISO-8601 timestamp (any offset) to the stored form (UTC, `toISOString`), so text comparison in
 * SQL is time comparison.
 * @throws FloworkError VALIDATION_FAILED when it is not a valid date.
 */
export function toStoredTimestamp(value: string, field: string): string {
  const ms = Date.parse(value);
  // Already in the stored form (the engine's own `toISOString()` timestamps): nothing to reformat.
  if (STORED_FORM.test(value) && Number.isFinite(ms)) return value;
  if (!Number.isFinite(ms)) {
    throw new FloworkError("VALIDATION_FAILED", `${field} is not an ISO-8601 timestamp`, {
      details: {
        issues: [{ path: [field], code: "invalid_format", message: "expected an ISO-8601 timestamp" }],
      },
    });
  }
  return new Date(ms).toISOString();
}

/** A `VALIDATION_FAILED` error from a zod failure, with `details.issues` (values never echoed). */
export function validationError(error: z.ZodError, message?: string): FloworkError {
  return new FloworkError("VALIDATION_FAILED", message, {
    details: { issues: toValidationIssues(error.issues) },
  });
}

/** Parses `schema` or throws {@link validationError}. */
export function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown, message?: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw validationError(parsed.error, message);
  return parsed.data;
}

/** The result of reading a stored JSON column. */
export type JsonRead = { ok: true; value: unknown } | { ok: false; error: string };

/** Parses a stored JSON column without throwing. */
export function readJson(text: string): JsonRead {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}

/** True for a plain JSON object (not an array, not null). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Clamps a page size to `1..max`, `fallback` when absent. */
export function pageLimit(limit: number | undefined, fallback: number, max: number): number {
  if (limit === undefined || !Number.isFinite(limit)) return fallback;
  return Math.min(max, Math.max(1, Math.trunc(limit)));
}

/** A number from a driver value that may be a bigint or a numeric string (PostgreSQL `count`, `bigint`). */
export function toNumber(value: number | bigint | string | null | undefined): number {
  return value === null || value === undefined ? 0 : Number(value);
}
