import type { QuickJSContext, QuickJSHandle, QuickJSRuntime, QuickJSWASMModule } from "quickjs-emscripten";
import {
  classifyError,
  type DescribedError,
  type FailureContext,
  type InterruptReason,
  interruptFailure,
  memoryFailure,
} from "./classify.js";
import { LogCollector } from "./logs.js";
import { PRELUDE_HELPERS_SOURCE, PRELUDE_SOURCE } from "./prelude.js";
import type { SandboxFailure, SandboxLogLimits, SandboxOutcome, SandboxTask } from "./protocol.js";

/** A fresh runtime and context with the prelude installed, waiting for one run. */
interface PreparedContext {
  runtime: QuickJSRuntime;
  context: QuickJSContext;
  run: QuickJSHandle;
  sink: { collector: LogCollector | undefined };
}

/** Moves the wasm memory's growth cap (see heap.ts); optional so tests can run without one. */
export interface HeapLimiter {
  limitGrowth(bytes: number | undefined): void;
  /** Whether growth was refused since the cap was last set. */
  readonly refused: boolean;
}

/**
 * Runs user code in QuickJS, one fresh runtime and context per run (so no state, timer or pending job can
 * outlive a run), reusing one WebAssembly module. It is synchronous: call it from a worker thread, never from
 * the main thread. A thrown exception (rather than a failed outcome) means the module itself may be damaged.
 *
 * Freeing a runtime can abort the whole WebAssembly module: QuickJS 2025-09 in quickjs-emscripten 0.32 asserts
 * `list_empty(&rt->gc_obj_list)` after some runs that allocate heavily (a garbage collection during the run;
 * quickjs-emscripten issues #235, #269) or run out of memory (#257). So {@link release} is a separate step the
 * owner takes between runs; once it fails, or a run ran out of memory, the runner is {@link broken} and its
 * module (the worker) must be replaced. Building the next context is separate too ({@link prepare}), so it
 * can happen while idle.
 */
export class QuickJSRunner {
  readonly #module: QuickJSWASMModule;
  readonly #logLimits: SandboxLogLimits;
  readonly #heap: HeapLimiter | undefined;
  #prepared: PreparedContext | undefined;
  #spent: PreparedContext | undefined;
  #broken = false;

  constructor(module: QuickJSWASMModule, logLimits: SandboxLogLimits, heap?: HeapLimiter) {
    this.#module = module;
    this.#logLimits = logLimits;
    this.#heap = heap;
  }

  /** True once this runner must not be used again; see the class comment. */
  get broken(): boolean {
    return this.#broken;
  }

  /**
   * Frees the last run's runtime. Throws (and leaves the runner broken) if that aborts the module. A run that
   * ran out of memory is not freed at all: its runtime is abandoned with the module.
   */
  release(): void {
    const spent = this.#spent;
    if (spent === undefined || this.#broken) return;
    this.#spent = undefined;
    try {
      spent.run.dispose();
      spent.context.dispose();
      spent.runtime.dispose();
    } catch (err) {
      this.#broken = true;
      throw err;
    }
  }

  /** Frees the last run's runtime if needed and builds the next context; call it while idle. */
  prepare(): void {
    if (this.#broken) return;
    this.release();
    this.#prepared ??= this.#create();
  }

  /** Runs one task to completion. `shouldAbort` is polled from the interrupt handler. */
  run(task: SandboxTask, shouldAbort: () => boolean = () => false): SandboxOutcome {
    if (this.#broken) throw new Error("this QuickJSRunner is broken and must be replaced");
    this.release();
    const prepared = this.#prepared ?? this.#create();
    this.#prepared = undefined;
    this.#spent = prepared;
    const collector = new LogCollector(this.#logLimits);
    prepared.sink.collector = collector;
    try {
      let result = this.#execute(prepared, task, shouldAbort);
      const limits = { timeoutMs: task.timeoutMs, memoryBytes: task.memoryBytes };
      // Out of memory can surface as anything (even `throw null` when no error object fits): trust the heap.
      if ("code" in result && result.code === "USER_ERROR" && this.#heap?.refused === true) {
        result = memoryFailure(limits);
      }
      if (
        this.#heap?.refused === true ||
        ("code" in result && result.message === memoryFailure(limits).message)
      ) {
        this.#broken = true;
      }
      const logs = collector.finish();
      return "json" in result
        ? { ok: true, resultJson: result.json, logs }
        : { ok: false, failure: result, logs };
    } finally {
      prepared.sink.collector = undefined;
      this.#heap?.limitGrowth(undefined);
    }
  }

  #create(): PreparedContext {
    const runtime = this.#module.newRuntime();
    const context = runtime.newContext();
    const sink: PreparedContext["sink"] = { collector: undefined };
    const hostLog = context.newFunction("hostLog", (level, message) => {
      const text = context.typeof(message) === "string" ? context.getString(message) : "";
      sink.collector?.add(context.getNumber(level), text);
    });
    const setup = context.evalCode(PRELUDE_SOURCE, "flowork-prelude.js", { type: "global" });
    if (setup.error) {
      const detail = JSON.stringify(context.dump(setup.error));
      setup.error.dispose();
      hostLog.dispose();
      context.dispose();
      runtime.dispose();
      throw new Error(`sandbox prelude failed: ${detail}`);
    }
    const helpers = context.newString(PRELUDE_HELPERS_SOURCE);
    const call = context.callFunction(setup.value, context.undefined, hostLog, helpers);
    for (const handle of [setup.value, hostLog, helpers]) handle.dispose();
    return { runtime, context, run: context.unwrapResult(call), sink };
  }

  #execute(
    prepared: PreparedContext,
    task: SandboxTask,
    shouldAbort: () => boolean,
  ): Success | SandboxFailure {
    const { runtime, context } = prepared;
    const limits: FailureContext = { timeoutMs: task.timeoutMs, memoryBytes: task.memoryBytes };
    const deadline = performance.now() + task.timeoutMs;
    let reason: InterruptReason;
    const interrupted = (): boolean => {
      if (reason === undefined) {
        if (shouldAbort()) reason = "abort";
        else if (performance.now() > deadline) reason = "timeout";
      }
      return reason !== undefined;
    };
    // Inputs are copied in before the limits apply so the copy cannot fail half-way; they still occupy the heap
    // and so count toward `memoryBytes` like everything the code builds.
    const args = [task.kind, task.code, task.payloadJson, task.varsJson].map((s) => context.newString(s));
    runtime.setMemoryLimit(task.memoryBytes);
    runtime.setMaxStackSize(task.maxStackBytes);
    runtime.setInterruptHandler(interrupted);
    this.#heap?.limitGrowth(task.memoryBytes);
    const call = context.callFunction(prepared.run, context.undefined, args);
    for (const arg of args) arg.dispose();
    if (call.error) {
      const failure = failureOf(context, call.error, reason, limits);
      call.error.dispose();
      return failure;
    }
    const promise = call.value;
    try {
      let jobFailure: SandboxFailure | undefined;
      for (;;) {
        if (reason !== undefined) return interruptFailure(reason, limits);
        const state = context.getPromiseState(promise);
        if (state.type === "fulfilled") {
          if (state.notAPromise === true)
            return { code: "INTERNAL", message: "The sandbox returned no promise." };
          // The code is done; copying the result out of QuickJS may need room beyond the cap.
          this.#heap?.limitGrowth(undefined);
          const text = context.typeof(state.value) === "string" ? context.getString(state.value) : "";
          state.value.dispose();
          return decode(text, limits);
        }
        if (state.type === "rejected") {
          const failure = failureOf(context, state.error, reason, limits);
          state.error.dispose();
          return failure;
        }
        const jobs = runtime.executePendingJobs();
        if (jobs.error) {
          jobFailure = failureOf(context, jobs.error, reason, limits);
          jobs.error.dispose();
        } else if (jobs.value === 0) {
          return jobFailure ?? { code: "USER_ERROR", message: NEVER_SETTLED };
        }
        // Also polled here: a job queue can spin without running enough bytecode to reach the handler.
        interrupted();
      }
    } finally {
      promise.dispose();
    }
  }
}

interface Success {
  json: string | undefined;
}

const NEVER_SETTLED = "The code's promise never settled (the sandbox has no timers or I/O to wait for).";

/** The failure for an error handle that escaped the prelude (interrupt, out of memory, stack overflow). */
function failureOf(
  context: QuickJSContext,
  error: QuickJSHandle,
  reason: InterruptReason,
  limits: FailureContext,
): SandboxFailure {
  if (reason !== undefined) return interruptFailure(reason, limits);
  const described = readError(context, error);
  return described === undefined
    ? { code: "SANDBOX_VIOLATION", message: "The code failed in a way the sandbox could not read." }
    : classifyError(described, limits);
}

/** Decodes the prelude's tagged string: `R<json>`, `U` or `E<description>`. */
function decode(text: string, limits: FailureContext): Success | SandboxFailure {
  const tag = text.charAt(0);
  if (tag === "R") return { json: text.slice(1) };
  if (tag === "U") return { json: undefined };
  if (tag === "E") {
    try {
      const parsed: unknown = JSON.parse(text.slice(1));
      if (parsed !== null && typeof parsed === "object") {
        const { name, message, tag: errorTag } = parsed as Record<string, unknown>;
        return classifyError(
          {
            name: typeof name === "string" ? name : "Error",
            message: typeof message === "string" ? message : "",
            tag: typeof errorTag === "string" ? errorTag : "",
          },
          limits,
        );
      }
    } catch {
      // fall through
    }
  }
  return { code: "INTERNAL", message: "The sandbox returned an unreadable result." };
}

/** Reads `name` and `message` of an error the prelude could not describe itself (out of memory, stack). */
function readError(context: QuickJSContext, error: QuickJSHandle): DescribedError | undefined {
  try {
    if (context.typeof(error) !== "object")
      return { name: "", message: String(context.dump(error)), tag: "" };
    const read = (key: string): string => {
      const handle = context.getProp(error, key);
      try {
        return context.typeof(handle) === "string" ? context.getString(handle) : "";
      } finally {
        handle.dispose();
      }
    };
    return { name: read("name"), message: read("message"), tag: "" };
  } catch {
    return undefined;
  }
}
