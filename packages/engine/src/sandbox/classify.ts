import type { SandboxFailure } from "./protocol.js";

/** An error as the prelude describes it (see prelude.ts). */
export interface DescribedError {
  name: string;
  message: string;
  /** `"violation"`: a trapped host name; `"not_json"`: the result cannot cross as JSON. */
  tag: string;
}

/** Why the interrupt handler stopped the run, if it did. */
export type InterruptReason = "timeout" | "abort" | undefined;

/**
 * Host globals that user code reaches for. A ReferenceError naming one of them is a sandbox rule, not a typo,
 * so it is reported as `SANDBOX_VIOLATION` with a message saying so.
 */
const HOST_GLOBALS = new Set([
  "process",
  "require",
  "module",
  "exports",
  "__dirname",
  "__filename",
  "global",
  "Buffer",
  "fetch",
  "XMLHttpRequest",
  "WebSocket",
  "EventSource",
  "navigator",
  "window",
  "document",
  "importScripts",
  "Deno",
  "Bun",
  "setTimeout",
  "setInterval",
  "setImmediate",
  "clearTimeout",
  "clearInterval",
  "clearImmediate",
]);

const TIMERS = new Set([
  "setTimeout",
  "setInterval",
  "setImmediate",
  "clearTimeout",
  "clearInterval",
  "clearImmediate",
]);

const MiB = 1024 * 1024;

function formatBytes(bytes: number): string {
  return bytes % MiB === 0 ? `${bytes / MiB} MiB` : `${bytes} bytes`;
}

/** Limits quoted in messages. */
export interface FailureContext {
  timeoutMs: number;
  memoryBytes: number;
}

/** The failure for a run the interrupt handler stopped. */
export function interruptFailure(reason: "timeout" | "abort", ctx: FailureContext): SandboxFailure {
  return reason === "timeout"
    ? {
        code: "NODE_TIMEOUT",
        message: `The code ran longer than its ${ctx.timeoutMs} ms limit and was stopped.`,
      }
    : { code: "ABORTED", message: "The run was aborted." };
}

/** The failure for a run that went over its memory limit. */
export function memoryFailure(ctx: FailureContext, errorName?: string): SandboxFailure {
  return {
    code: "SANDBOX_VIOLATION",
    message: `The code used more than its memory limit of ${formatBytes(ctx.memoryBytes)}.`,
    ...(errorName === undefined ? {} : { errorName }),
  };
}

/**
 * Turns an error thrown inside QuickJS into a typed failure. Order matters: limits first (they can surface as
 * any error name), then trapped names, then everything else is the user's own error.
 */
export function classifyError(error: DescribedError, ctx: FailureContext): SandboxFailure {
  const { name, message, tag } = error;
  const errorName = name === "" ? {} : { errorName: name };
  if (tag === "violation") return { code: "SANDBOX_VIOLATION", message, ...errorName };
  if (tag === "not_json") return { code: "USER_ERROR", message, ...errorName };
  if (name === "InternalError" && message === "out of memory") return memoryFailure(ctx, name);
  if ((name === "InternalError" || name === "RangeError") && /stack overflow|call stack/i.test(message)) {
    return {
      code: "SANDBOX_VIOLATION",
      message: "The code exceeded the maximum call stack size.",
      ...errorName,
    };
  }
  if (name === "ReferenceError") {
    const missing = /^'?([\w$]+)'? is not defined$/.exec(message)?.[1];
    if (missing !== undefined && HOST_GLOBALS.has(missing)) {
      const why = TIMERS.has(missing) ? " (no timers: finish synchronously or with promises)" : "";
      return {
        code: "SANDBOX_VIOLATION",
        message: `${missing} is not available in the sandbox${why}.`,
        ...errorName,
      };
    }
    const module = /could not load module '([^']*)'/.exec(message)?.[1];
    if (module !== undefined) {
      return {
        code: "SANDBOX_VIOLATION",
        message: `import() is not available in the sandbox (tried to load '${module}').`,
        ...errorName,
      };
    }
  }
  if (name === "InternalError" && message === "interrupted") {
    // Interrupted without our handler saying so: treat as the time limit, the only interrupt we set.
    return interruptFailure("timeout", ctx);
  }
  const text =
    message === ""
      ? "The code threw an error."
      : name === "Error" || name === ""
        ? message
        : `${name}: ${message}`;
  return { code: "USER_ERROR", message: text, ...errorName };
}
