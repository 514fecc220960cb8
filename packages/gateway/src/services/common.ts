import { createHash } from "node:crypto";
import { FloworkError } from "@flowork/protocol";
import type { Clock } from "./types.js";

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

/**
 * Lowercases a `0x` + 40 hex address.
 * @throws FloworkError VALIDATION_FAILED when it is not one.
 */
export function normalizeAddress(address: string, path = "address"): string {
  if (!ADDRESS.test(address)) {
    throw new FloworkError("VALIDATION_FAILED", "expected 0x followed by 40 hex characters", {
      details: { issues: [{ path, message: "not an address" }] },
    });
  }
  return address.toLowerCase();
}

/** True for a well-formed address (any case). */
export function isAddress(value: string): boolean {
  return ADDRESS.test(value);
}

/** Lowercase hex SHA-256 of a UTF-8 string. */
export function sha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/** ISO-8601 UTC of the clock's now. */
export function nowIso(clock: Clock): string {
  return new Date(clock()).toISOString();
}

/** A VALIDATION_FAILED error with one issue. */
export function invalid(path: string, message: string): FloworkError {
  return new FloworkError("VALIDATION_FAILED", message, { details: { issues: [{ path, message }] } });
}

/** `n` months after `from` (UTC calendar months). */
export function addMonths(from: number, n: number): number {
  const d = new Date(from);
  d.setUTCMonth(d.getUTCMonth() + n);
  return d.getTime();
}

/** The `YYYY-MM` UTC period that contains `ms`. */
export function periodOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 7);
}
