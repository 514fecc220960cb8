import { FloworkError } from "@flowork/protocol";
import type { SandboxFailure, SandboxLogEntry } from "./protocol.js";

/**
 * The FloworkError for a failed run. Console lines printed before the failure travel in `details.logs` so the
 * caller can still show them; `details.error_name` is the JavaScript error name inside the sandbox.
 * Timeouts and internal failures may pass on a retry; the user's errors and rule violations will not.
 */
export function sandboxError(failure: SandboxFailure, logs: SandboxLogEntry[] = []): FloworkError {
  const code = failure.code === "ABORTED" ? "INTERNAL" : failure.code;
  const details: Record<string, unknown> = {};
  if (failure.errorName !== undefined) details["error_name"] = failure.errorName;
  if (logs.length > 0) details["logs"] = logs;
  return new FloworkError(code, failure.message, {
    ...(Object.keys(details).length > 0 ? { details } : {}),
    retryable: code === "NODE_TIMEOUT" || code === "INTERNAL",
  });
}
