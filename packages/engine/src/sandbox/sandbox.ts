import { FloworkError } from "@flowork/protocol";
import type { SandboxRequest, SandboxResult, SandboxRunner } from "../components/types.js";
import { sandboxError } from "./errors.js";
import { DEFAULT_LOG_LIMITS } from "./logs.js";
import { WorkerPool } from "./pool.js";
import type { SandboxLogLimits, SandboxTask } from "./protocol.js";
import { defaultWorkerUrl } from "./worker-url.js";

const MiB = 1024 * 1024;

/** Memory a run may use when the request does not say (QuickJS heap, inputs included). */
export const DEFAULT_SANDBOX_MEMORY_BYTES = 64 * MiB;
/** Smallest `memoryBytes` honoured; smaller requests are raised to it. */
export const MIN_SANDBOX_MEMORY_BYTES = 2 * MiB;
/** Largest `memoryBytes` honoured; larger requests are lowered to it (the wasm heap tops out at 2 GiB). */
export const MAX_SANDBOX_MEMORY_BYTES = 1024 * MiB;
/** QuickJS stack per run: about 2,700 plain recursive calls. */
export const DEFAULT_SANDBOX_STACK_BYTES = 512 * 1024;
/** Longest `timeoutMs` honoured (timers cannot wait longer than about 24.8 days anyway). */
const MAX_TIMEOUT_MS = 2_000_000_000;

/** Options of {@link createSandbox}. */
export interface SandboxOptions {
  /** Worker threads kept warm (default 2). */
  poolSize?: number;
  /** Memory limit for requests without `memoryBytes` (default 64 MiB). */
  defaultMemoryBytes?: number;
  /** QuickJS stack limit per run (default 512 KiB). */
  maxStackBytes?: number;
  /** How long past `timeoutMs` a silent worker is given before it is terminated (default 1,000 ms). */
  graceMs?: number;
  /** Caps on console output per run (default 1,000 lines, 64 KiB a line, 1 MiB in all). */
  logLimits?: Partial<SandboxLogLimits>;
  /** The worker script; tests pass a fake one. Default: the compiled `worker.js` (see worker-url.ts). */
  workerUrl?: URL;
}

/** A {@link SandboxRunner} backed by a worker pool. */
export interface Sandbox extends SandboxRunner {
  /** Starts the workers now rather than on the first run. */
  warmUp(): Promise<void>;
  /** Fails pending runs and terminates the workers. Later runs reject. */
  close(): Promise<void>;
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

function toJson(value: unknown, what: "payload" | "vars"): string {
  try {
    return JSON.stringify(value) ?? "null";
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new FloworkError("USER_ERROR", `The ${what} cannot be passed to the sandbox as JSON: ${reason}`);
  }
}

/**
 * Creates a sandbox for user code (`code_javascript`, `expression`). Code runs in QuickJS inside worker
 * threads, never in the host's isolate; data crosses as JSON only.
 *
 * - `function`: `code` is an async function body with `payload` and `vars` in scope. Its (awaited) return
 *   value is the result; returning `undefined` (or nothing) passes on `payload` as the code left it.
 * - `expression`: `code` is one expression; `payload` and `vars` are deep-frozen. `undefined` stays undefined.
 *
 * Failures reject with a FloworkError: `USER_ERROR` (the code threw, or returned something that is not
 * JSON), `SANDBOX_VIOLATION` (a host API, memory or stack limit, a crashed worker), `NODE_TIMEOUT`. An aborted
 * `signal` rejects with `signal.reason`.
 *
 * @example
 * const sandbox = createSandbox();
 * const { value, logs } = await sandbox.run({
 *   kind: "function", code: "console.log('hi'); return { ...payload, n: payload.n + 1 };",
 *   payload: { n: 1 }, vars: {}, timeoutMs: 1000,
 * });
 * // value: { n: 2 }, logs: [{ level: "INFO", message: "hi" }]
 * await sandbox.close();
 */
export function createSandbox(options: SandboxOptions = {}): Sandbox {
  const defaultMemory = options.defaultMemoryBytes ?? DEFAULT_SANDBOX_MEMORY_BYTES;
  const maxStackBytes = options.maxStackBytes ?? DEFAULT_SANDBOX_STACK_BYTES;
  const pool = new WorkerPool({
    size: Math.max(1, Math.floor(options.poolSize ?? 2)),
    workerUrl: options.workerUrl ?? defaultWorkerUrl(),
    graceMs: options.graceMs ?? 1_000,
    logLimits: { ...DEFAULT_LOG_LIMITS, ...options.logLimits },
    // Native stack well above what QuickJS may use (its deepest paths need ~16x its own count).
    stackSizeMb: Math.max(16, Math.ceil((maxStackBytes * 64) / MiB)),
    // Runs within the default limit never cause a replacement; a larger limit's growth is given back after.
    retireAfterGrowthBytes: Math.ceil(defaultMemory * 1.25),
  });

  return {
    async run(request: SandboxRequest): Promise<SandboxResult> {
      if (request.kind !== "function" && request.kind !== "expression") {
        throw new FloworkError("INTERNAL", `Unknown sandbox kind: ${String(request.kind)}`);
      }
      if (typeof request.code !== "string")
        throw new FloworkError("USER_ERROR", "The code must be a string.");
      const timeout = Number.isFinite(request.timeoutMs) ? request.timeoutMs : MAX_TIMEOUT_MS;
      const requested = request.memoryBytes;
      const memory = requested !== undefined && Number.isFinite(requested) ? requested : defaultMemory;
      const task: SandboxTask = {
        kind: request.kind,
        code: request.code,
        payloadJson: toJson(request.payload, "payload"),
        varsJson: toJson(request.vars ?? {}, "vars"),
        timeoutMs: clamp(Math.floor(timeout), 1, MAX_TIMEOUT_MS),
        memoryBytes: clamp(Math.floor(memory), MIN_SANDBOX_MEMORY_BYTES, MAX_SANDBOX_MEMORY_BYTES),
        maxStackBytes,
      };
      const outcome = await pool.run(task, request.signal);
      if (!outcome.ok) throw sandboxError(outcome.failure, outcome.logs);
      return {
        value: outcome.resultJson === undefined ? undefined : JSON.parse(outcome.resultJson),
        logs: outcome.logs,
      };
    },
    warmUp: () => pool.warmUp(),
    close: () => pool.close(),
  };
}
