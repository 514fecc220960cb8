import { FloworkError } from "@flowork/protocol";

/** Why a run's abort signal fired. */
export type AbortKind = "stopped" | "failed" | "ended";

/**
 * The reason a run's signal aborted. Deliberately not an Error: it is created on every run's end, and capturing a
 * stack trace for it cost more than a whole pure node (measured with --cpu-prof). Use the shared instances.
 */
export class RunAborted {
  readonly name = "RunAborted";
  private constructor(readonly kind: AbortKind) {}
  get message(): string {
    return `run ${this.kind}`;
  }
  static readonly stopped = new RunAborted("stopped");
  static readonly failed = new RunAborted("failed");
  static readonly ended = new RunAborted("ended");
}

/**
 * Turns anything a component threw into a FloworkError. A plain Error from component code becomes `USER_ERROR`
 * carrying its message (retryable: we cannot tell); typed errors keep their code and retry hint.
 */
export function nodeError(err: unknown): FloworkError {
  if (err instanceof FloworkError) return err;
  if (err instanceof Error)
    return new FloworkError("USER_ERROR", err.message || "the node failed", { retryable: true, cause: err });
  return new FloworkError("USER_ERROR", typeof err === "string" ? err : "the node failed", {
    retryable: true,
  });
}

/** Whether a failed attempt may be tried again (the node's retries are not used up). */
export function isRetryable(err: FloworkError): boolean {
  return err.retryable;
}

/** The payload routed to a node's `error` port: `{...payload, error}`, or `{payload, error}` for a non-object. */
export function errorPayload(payload: unknown, err: FloworkError): Record<string, unknown> {
  const error = { code: err.code, message: err.message };
  if (payload !== null && typeof payload === "object" && !Array.isArray(payload)) {
    return { ...(payload as Record<string, unknown>), error };
  }
  return { payload, error };
}
