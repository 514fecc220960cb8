/**
 * Worker-thread entry of the sandbox pool. It owns one QuickJS WebAssembly module and runs one task at a time,
 * synchronously; the main thread stops a run by writing its id into the shared abort flag (polled by the
 * QuickJS interrupt handler) or, if that is not enough, by terminating this thread.
 */
import { parentPort, workerData } from "node:worker_threads";
import { getQuickJS } from "quickjs-emscripten";
import type { SandboxOutcome, SandboxWorkerData, WorkerReply, WorkerRunMessage } from "./protocol.js";
import { QuickJSRunner } from "./quickjs-run.js";

const port = parentPort;
if (port === null) throw new Error("the sandbox worker must run in a worker thread");
const { abortFlag, logLimits } = workerData as SandboxWorkerData;
const runner = new QuickJSRunner(await getQuickJS(), logLimits);

/** A failure outside QuickJS's own error handling: the module may be damaged, so this worker retires. */
function crashOutcome(err: unknown): SandboxOutcome {
  const stack = err instanceof RangeError && /call stack/i.test(err.message);
  return {
    ok: false,
    fatal: true,
    logs: [],
    failure: stack
      ? { code: "SANDBOX_VIOLATION", message: "The code exceeded the maximum call stack size." }
      : { code: "SANDBOX_VIOLATION", message: "The sandbox stopped unexpectedly while running this code." },
  };
}

let idleTimer: NodeJS.Immediate | undefined;

port.on("message", (message: WorkerRunMessage) => {
  if (message.type !== "run") return;
  if (idleTimer !== undefined) clearImmediate(idleTimer);
  let outcome: SandboxOutcome;
  try {
    outcome = runner.run(message.task, () => Atomics.load(abortFlag, 0) === message.id);
  } catch (err) {
    outcome = crashOutcome(err);
  }
  const reply: WorkerReply = { type: "result", id: message.id, ...outcome };
  port.postMessage(reply);
  if (outcome.ok || outcome.fatal !== true) {
    // Build the next context while the main thread handles the reply.
    idleTimer = setImmediate(() => {
      idleTimer = undefined;
      runner.prepare();
    });
  }
});

runner.prepare();
port.postMessage({ type: "ready" } satisfies WorkerReply);
