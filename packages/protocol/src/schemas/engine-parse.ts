import type { z } from "zod";
import { FloworkError } from "../errors.js";
import { ENGINE_REQUEST_SCHEMAS, type EngineRequest, isEngineRequestType } from "./engine-requests.js";

/*
 * Validation of an engine request payload where it arrives. Re-exported from `./engine.js`.
 */

/** Nesting deeper than this (objects and arrays) is refused before schema validation, so it cannot overflow the stack. */
export const MAX_REQUEST_DEPTH = 64;
/** At most this many values are walked by the depth check (guards in-process callers passing shared subtrees). */
const MAX_WALKED_VALUES = 2_000_000;
/** Issue lists are cut to this many entries, messages and path segments to these lengths. */
const MAX_ISSUES = 50;
const MAX_MESSAGE_CHARS = 200;
const MAX_SEGMENT_CHARS = 100;

/** One validation problem as it goes on the wire: where, what kind, and a message that never quotes the value. */
export interface ValidationIssue {
  path: (string | number)[];
  code: string;
  message: string;
}

/** The outcome of `parseEngineRequest`. On failure `request_id` is set when the payload had a readable one. */
export type ParseEngineRequestResult =
  | { ok: true; request: EngineRequest }
  | { ok: false; error: FloworkError; request_id?: string };

const clip = (text: string, max: number): string => (text.length > max ? `${text.slice(0, max)}…` : text);

/**
 * Maps zod issues to `details.issues`: `{path, code, message}` only. Submitted values are never included (zod's
 * own messages name expected types and keys, not values), so a bad secret is not reflected back.
 */
export function toValidationIssues(issues: readonly z.core.$ZodIssue[]): ValidationIssue[] {
  return issues.slice(0, MAX_ISSUES).map((issue) => ({
    path: issue.path.map((p) => (typeof p === "number" ? p : clip(String(p), MAX_SEGMENT_CHARS))),
    code: issue.code,
    message: clip(issue.message, MAX_MESSAGE_CHARS),
  }));
}

/** True when `value` nests deeper than `maxDepth` (iterative, so deep input cannot overflow the stack). */
export function exceedsDepth(value: unknown, maxDepth: number): boolean {
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  let walked = 0;
  while (stack.length > 0) {
    const item = stack.pop();
    if (item === undefined || typeof item.value !== "object" || item.value === null) continue;
    if (item.depth >= maxDepth || ++walked > MAX_WALKED_VALUES) return true;
    const children = Array.isArray(item.value) ? item.value : Object.values(item.value);
    for (const child of children) {
      if (typeof child === "object" && child !== null) stack.push({ value: child, depth: item.depth + 1 });
    }
  }
  return false;
}

function validationFailed(
  issues: ValidationIssue[],
  requestId: string | undefined,
): ParseEngineRequestResult {
  const error = new FloworkError("VALIDATION_FAILED", undefined, { details: { issues } });
  return requestId === undefined ? { ok: false, error } : { ok: false, error, request_id: requestId };
}

function fail(
  code: "BAD_REQUEST" | "UNKNOWN_MESSAGE_TYPE",
  message: string,
  requestId?: string,
): ParseEngineRequestResult {
  const error = new FloworkError(code, message);
  return requestId === undefined ? { ok: false, error } : { ok: false, error, request_id: requestId };
}

/**
 * Validates an engine request `payload` (SPEC section 4). Never throws.
 * - not an object, or `type` missing or not a string: `BAD_REQUEST`;
 * - `type` not a known request: `UNKNOWN_MESSAGE_TYPE`;
 * - a known type with bad, missing or unknown fields, or nesting deeper than `MAX_REQUEST_DEPTH`:
 *   `VALIDATION_FAILED` with `details.issues` (`{path, code, message}`, no values echoed).
 *
 * @example
 * const parsed = parseEngineRequest(JSON.parse(frame).payload);
 * if (parsed.ok) dispatch(parsed.request);
 * else send({ type: "error", request_id: parsed.request_id ?? null, ...parsed.error.toBody() });
 */
export function parseEngineRequest(payload: unknown): ParseEngineRequestResult {
  try {
    if (typeof payload !== "object" || payload === null || Array.isArray(payload)) {
      return fail("BAD_REQUEST", "The payload must be a JSON object.");
    }
    const record = payload as Record<string, unknown>;
    const rawId = Object.hasOwn(record, "request_id") ? record["request_id"] : undefined;
    const requestId =
      typeof rawId === "string" && rawId.length >= 1 && rawId.length <= 128 ? rawId : undefined;
    const type = Object.hasOwn(record, "type") ? record["type"] : undefined;
    if (typeof type !== "string") return fail("BAD_REQUEST", "The payload has no string `type`.", requestId);
    if (!isEngineRequestType(type)) return fail("UNKNOWN_MESSAGE_TYPE", "No such request type.", requestId);
    if (exceedsDepth(payload, MAX_REQUEST_DEPTH)) {
      const message = `Nested deeper than ${MAX_REQUEST_DEPTH} levels.`;
      return validationFailed([{ path: [], code: "too_deep", message }], requestId);
    }
    const parsed = ENGINE_REQUEST_SCHEMAS[type].safeParse(payload);
    if (!parsed.success) return validationFailed(toValidationIssues(parsed.error.issues), requestId);
    return { ok: true, request: parsed.data };
  } catch {
    // Only hostile in-process input (throwing getters, proxies) gets here; wire input is plain JSON.
    return fail("BAD_REQUEST", "The payload could not be read.");
  }
}
