/**
 * The sandbox for user code (`code_javascript`, `expression`): QuickJS in a pool of worker threads.
 * Start with {@link createSandbox}; the rest is exported for tests and for hosts that assemble their own pool.
 */
export {
  classifyError,
  type DescribedError,
  type FailureContext,
  type InterruptReason,
  interruptFailure,
  memoryFailure,
} from "./classify.js";
export { sandboxError } from "./errors.js";
export { CappedHeap, type WasmMemory } from "./heap.js";
export { DEFAULT_LOG_LIMITS, LogCollector } from "./logs.js";
export { WorkerPool, type WorkerPoolOptions } from "./pool.js";
export { PRELUDE_HELPERS_SOURCE, PRELUDE_SOURCE } from "./prelude.js";
export type {
  SandboxFailure,
  SandboxFailureCode,
  SandboxKind,
  SandboxLogEntry,
  SandboxLogLimits,
  SandboxOutcome,
  SandboxTask,
  SandboxWorkerData,
  WorkerReply,
  WorkerRunMessage,
} from "./protocol.js";
export { type HeapLimiter, QuickJSRunner } from "./quickjs-run.js";
export {
  createSandbox,
  DEFAULT_SANDBOX_MEMORY_BYTES,
  DEFAULT_SANDBOX_STACK_BYTES,
  MAX_SANDBOX_MEMORY_BYTES,
  MIN_SANDBOX_MEMORY_BYTES,
  type Sandbox,
  type SandboxOptions,
} from "./sandbox.js";
export { defaultWorkerUrl } from "./worker-url.js";
