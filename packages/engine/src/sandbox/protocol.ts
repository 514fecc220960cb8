/**
 * Messages between the sandbox pool (main thread) and its workers. Everything here is plain data: user values
 * cross as JSON strings only, never as structured-clone objects.
 */
import type { EventLogLevel } from "@flowork/protocol";

/** The two kinds of user code: a function body, or one expression. */
export type SandboxKind = "function" | "expression";

/** One captured `console.*` line. */
export interface SandboxLogEntry {
  level: EventLogLevel;
  message: string;
}

/** Caps on what `console.*` inside the sandbox may produce per run. */
export interface SandboxLogLimits {
  /** Lines kept per run; later lines are dropped and counted. */
  maxLines: number;
  /** Bytes (UTF-8) kept per line; a longer line is cut and marked. */
  maxLineBytes: number;
  /** Bytes kept over the whole run. */
  maxTotalBytes: number;
}

/** What one run needs, as the worker receives it. */
export interface SandboxTask {
  kind: SandboxKind;
  code: string;
  /** `JSON.stringify(payload)`. */
  payloadJson: string;
  /** `JSON.stringify(vars)`. */
  varsJson: string;
  timeoutMs: number;
  memoryBytes: number;
  maxStackBytes: number;
}

/** Codes a run can fail with inside the worker. `ABORTED` is only ever seen by the pool, never by callers. */
export type SandboxFailureCode = "USER_ERROR" | "SANDBOX_VIOLATION" | "NODE_TIMEOUT" | "ABORTED" | "INTERNAL";

/** A classified failure, ready to become a FloworkError on the main thread. */
export interface SandboxFailure {
  code: SandboxFailureCode;
  message: string;
  /** The JavaScript error name inside the sandbox (`TypeError`...), when there was one. */
  errorName?: string;
}

/** The outcome of one run. `resultJson` is undefined when the value was `undefined`. */
export type SandboxOutcome =
  | { ok: true; resultJson: string | undefined; logs: SandboxLogEntry[] }
  | { ok: false; failure: SandboxFailure; logs: SandboxLogEntry[] };

/** `workerData` of a sandbox worker. */
export interface SandboxWorkerData {
  /** Slot 0 holds the id of the run the main thread wants stopped. */
  abortFlag: Int32Array;
  logLimits: SandboxLogLimits;
  /** A worker whose wasm memory grew past its idle size plus this asks to be replaced (memory never shrinks). */
  retireAfterGrowthBytes: number;
}

/** Main thread to worker. */
export interface WorkerRunMessage {
  type: "run";
  id: number;
  task: SandboxTask;
}

/**
 * Worker to main thread. `retire`: replace this worker after this run (its QuickJS module may be damaged, or
 * its memory grew large).
 */
export type WorkerReply =
  | { type: "ready" }
  | { type: "result"; id: number; outcome: SandboxOutcome; retire: boolean };
