/**
 * Worker-thread entry of the sandbox pool. It owns one QuickJS WebAssembly module and runs one task at a time,
 * synchronously; the main thread stops a run by writing its id into the shared abort flag (polled by the
 * QuickJS interrupt handler) or, if that is not enough, by terminating this thread.
 */
import { parentPort, workerData } from "node:worker_threads";
import {
  type CustomizeVariantOptions,
  newQuickJSWASMModuleFromVariant,
  newVariant,
  RELEASE_SYNC,
} from "quickjs-emscripten";
import { CappedHeap } from "./heap.js";
import type { SandboxOutcome, SandboxWorkerData, WorkerReply, WorkerRunMessage } from "./protocol.js";
import { QuickJSRunner } from "./quickjs-run.js";

const port = parentPort;
if (port === null) throw new Error("the sandbox worker must run in a worker thread");
const { abortFlag, logLimits, retireAfterGrowthBytes } = workerData as SandboxWorkerData;

const heap = new CappedHeap();
// Emscripten prints "Aborted(...)" to stderr when freeing a runtime trips QuickJS's leak assertion; that case
// is handled (the worker retires), so keep it out of the engine's output.
const emscriptenModule: NonNullable<CustomizeVariantOptions["emscriptenModule"]> & {
  printErr(text: string): void;
} = {
  printErr: () => {},
};
const module = await newQuickJSWASMModuleFromVariant(
  newVariant(RELEASE_SYNC, { wasmMemory: heap.memory, emscriptenModule }),
);
const runner = new QuickJSRunner(module, logLimits, heap);
runner.prepare();
heap.markBaseline();

/** A failure outside QuickJS's own error handling: the module may be damaged, so this worker retires. */
function crashOutcome(err: unknown): SandboxOutcome {
  const stack = err instanceof RangeError && /call stack/i.test(err.message);
  return {
    ok: false,
    logs: [],
    failure: stack
      ? { code: "SANDBOX_VIOLATION", message: "The code exceeded the maximum call stack size." }
      : { code: "SANDBOX_VIOLATION", message: "The sandbox stopped unexpectedly while running this code." },
  };
}

let idle: NodeJS.Immediate | undefined;

port.on("message", (message: WorkerRunMessage) => {
  if (message.type !== "run") return;
  if (idle !== undefined) clearImmediate(idle);
  idle = undefined;
  let outcome: SandboxOutcome;
  let crashed = false;
  try {
    outcome = runner.run(message.task, () => Atomics.load(abortFlag, 0) === message.id);
  } catch (err) {
    outcome = crashOutcome(err);
    crashed = true;
  }
  // Freed before answering, so a failure to free (see QuickJSRunner) retires this worker between runs.
  if (!crashed) {
    try {
      runner.release();
    } catch {
      // runner.broken is now set
    }
  }
  const retire = crashed || runner.broken || heap.size > heap.baseline + retireAfterGrowthBytes;
  port.postMessage({ type: "result", id: message.id, outcome, retire } satisfies WorkerReply);
  // Build the next context while the main thread handles the reply.
  if (!retire) idle = setImmediate(() => runner.prepare());
});

port.postMessage({ type: "ready" } satisfies WorkerReply);
