import { Worker } from "node:worker_threads";
import { FloworkError } from "@flowork/protocol";
import { sandboxError } from "./errors.js";
import type {
  SandboxLogLimits,
  SandboxOutcome,
  SandboxTask,
  SandboxWorkerData,
  WorkerReply,
  WorkerRunMessage,
} from "./protocol.js";

/** Settings of a {@link WorkerPool}. */
export interface WorkerPoolOptions {
  /** Workers kept (spawned on demand, then kept warm). */
  size: number;
  /** The worker entry script. */
  workerUrl: URL;
  /** How long past `timeoutMs` (or after an abort) a silent worker is given before it is terminated. */
  graceMs: number;
  logLimits: SandboxLogLimits;
  /** Native stack of each worker thread; generous, so QuickJS's own stack limit always trips first. */
  stackSizeMb: number;
  /** See {@link SandboxWorkerData.retireAfterGrowthBytes}. */
  retireAfterGrowthBytes: number;
}

interface Job {
  id: number;
  task: SandboxTask;
  settled: boolean;
  resolve(outcome: SandboxOutcome): void;
  reject(err: unknown): void;
}

interface Slot {
  worker: Worker;
  abortFlag: Int32Array;
  ready: boolean;
  retired: boolean;
  /** The run this worker is busy with; still set after an abort until the worker answers. */
  job: Job | undefined;
  /** Watchdog of the current run, or the drain timer after an abort. */
  timer: NodeJS.Timeout | undefined;
  lastError: unknown;
  whenReady: Promise<void>;
  markReady(): void;
  failBoot(err: unknown): void;
}

/**
 * A small pool of sandbox workers. One run per worker at a time; more runs queue. A worker that does not
 * answer within `timeoutMs + graceMs` (or `graceMs` after an abort) is terminated and replaced; a worker that
 * dies fails its run with a typed error and is replaced. Idle workers are unref'd so they never keep the
 * process alive.
 */
export class WorkerPool {
  readonly #options: WorkerPoolOptions;
  readonly #slots: Slot[] = [];
  readonly #queue: Job[] = [];
  readonly #exits = new Set<Promise<unknown>>();
  #nextId = 1;
  #closed = false;
  /** Callers waiting in {@link warmUp}: booting workers stay ref'd for them. */
  #warming = 0;

  constructor(options: WorkerPoolOptions) {
    this.#options = options;
  }

  /** Runs one task. Rejects with a FloworkError if the worker times out or dies, or with `signal.reason`. */
  run(task: SandboxTask, signal?: AbortSignal): Promise<SandboxOutcome> {
    if (this.#closed) return Promise.reject(new FloworkError("INTERNAL", "The sandbox is closed."));
    if (signal?.aborted === true) return Promise.reject(signal.reason);
    return new Promise<SandboxOutcome>((resolve, reject) => {
      const onAbort = (): void => this.#abort(job, signal?.reason);
      const done = (): void => {
        job.settled = true;
        signal?.removeEventListener("abort", onAbort);
      };
      const job: Job = {
        id: this.#takeId(),
        task,
        settled: false,
        resolve: (outcome) => {
          if (job.settled) return;
          done();
          resolve(outcome);
        },
        reject: (err) => {
          if (job.settled) return;
          done();
          reject(err);
        },
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#queue.push(job);
      this.#pump(true);
    });
  }

  /** Starts every worker now and waits until they are ready. */
  async warmUp(): Promise<void> {
    if (this.#closed) throw new FloworkError("INTERNAL", "The sandbox is closed.");
    while (this.#slots.length < this.#options.size) this.#spawn();
    this.#warming++;
    this.#refreshRefs();
    try {
      await Promise.all(this.#slots.map((slot) => slot.whenReady));
    } finally {
      this.#warming--;
      this.#refreshRefs();
    }
  }

  /** Fails queued and running work, and terminates every worker. */
  async close(): Promise<void> {
    this.#closed = true;
    const closed = new FloworkError("INTERNAL", "The sandbox was closed.");
    for (const job of this.#queue.splice(0)) job.reject(closed);
    for (const slot of [...this.#slots]) {
      slot.job?.reject(closed);
      this.#retire(slot);
    }
    await Promise.all([...this.#exits]);
  }

  #takeId(): number {
    const id = this.#nextId;
    this.#nextId = id >= 0x7fffffff ? 1 : id + 1;
    return id;
  }

  /** Dispatches queued runs to idle workers; with `startPool` (new demand), first starts any missing worker. */
  #pump(startPool = false): void {
    // Only new demand starts the pool: a worker that cannot boot must not be respawned in a loop.
    if (startPool && !this.#closed) {
      while (this.#slots.length < this.#options.size) this.#spawn();
    }
    while (this.#queue.length > 0) {
      const slot = this.#slots.find((s) => s.ready && s.job === undefined);
      if (slot === undefined) break;
      const job = this.#queue.shift();
      if (job !== undefined) this.#dispatch(slot, job);
    }
    this.#refreshRefs();
  }

  #dispatch(slot: Slot, job: Job): void {
    slot.job = job;
    const message: WorkerRunMessage = { type: "run", id: job.id, task: job.task };
    slot.worker.postMessage(message);
    slot.timer = setTimeout(() => {
      if (slot.job !== job) return;
      job.reject(
        sandboxError({
          code: "NODE_TIMEOUT",
          message: `The code did not stop within its ${job.task.timeoutMs} ms limit; its worker was terminated.`,
        }),
      );
      this.#retire(slot);
    }, job.task.timeoutMs + this.#options.graceMs);
  }

  #abort(job: Job, reason: unknown): void {
    if (job.settled) return;
    job.reject(reason);
    const queued = this.#queue.indexOf(job);
    if (queued >= 0) {
      this.#queue.splice(queued, 1);
      return;
    }
    const slot = this.#slots.find((s) => s.job === job);
    if (slot === undefined) return;
    // Ask the interrupt handler to stop; if the worker stays silent, terminate it.
    Atomics.store(slot.abortFlag, 0, job.id);
    clearTimeout(slot.timer);
    slot.timer = setTimeout(() => {
      if (slot.job === job) this.#retire(slot);
    }, this.#options.graceMs);
  }

  #spawn(): Slot {
    const abortFlag = new Int32Array(new SharedArrayBuffer(4));
    const workerData: SandboxWorkerData = {
      abortFlag,
      logLimits: this.#options.logLimits,
      retireAfterGrowthBytes: this.#options.retireAfterGrowthBytes,
    };
    const worker = new Worker(this.#options.workerUrl, {
      workerData,
      execArgv: [],
      env: {},
      resourceLimits: { stackSizeMb: this.#options.stackSizeMb },
    });
    let markReady = (): void => {};
    let failBoot: (err: unknown) => void = () => {};
    const whenReady = new Promise<void>((resolve, reject) => {
      markReady = resolve;
      failBoot = reject;
    });
    whenReady.catch(() => {});
    const slot: Slot = {
      worker,
      abortFlag,
      ready: false,
      retired: false,
      job: undefined,
      timer: undefined,
      lastError: undefined,
      whenReady,
      markReady,
      failBoot,
    };
    this.#slots.push(slot);
    worker.on("message", (reply: WorkerReply) => this.#onReply(slot, reply));
    worker.on("error", (err) => {
      slot.lastError = err;
    });
    worker.on("messageerror", (err) => {
      slot.lastError = err;
    });
    const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
    this.#exits.add(exited);
    worker.once("exit", (exitCode: number) => {
      this.#exits.delete(exited);
      this.#onExit(slot, exitCode);
    });
    return slot;
  }

  #onReply(slot: Slot, reply: WorkerReply): void {
    if (slot.retired) return;
    if (reply.type === "ready") {
      slot.ready = true;
      slot.markReady();
      this.#pump();
      return;
    }
    const job = slot.job;
    if (job === undefined || job.id !== reply.id) return;
    slot.job = undefined;
    clearTimeout(slot.timer);
    slot.timer = undefined;
    job.resolve(reply.outcome);
    if (reply.retire) {
      this.#retire(slot);
    } else {
      // Least recently used first: the worker that just answered is still building its next context.
      this.#slots.splice(this.#slots.indexOf(slot), 1);
      this.#slots.push(slot);
    }
    this.#pump();
  }

  #onExit(slot: Slot, exitCode: number): void {
    clearTimeout(slot.timer);
    const index = this.#slots.indexOf(slot);
    if (index >= 0) this.#slots.splice(index, 1);
    if (slot.retired) return;
    slot.retired = true;
    const cause = slot.lastError ?? new Error(`exit code ${exitCode}`);
    if (!slot.ready) {
      // Operators need the reason (a missing build, a bad install); it names no user data.
      const reason = cause instanceof Error ? cause.message : String(cause);
      const err = new FloworkError("INTERNAL", `The sandbox worker failed to start: ${reason}`, {
        retryable: true,
        cause,
      });
      slot.failBoot(err);
      // Fail the waiting runs unless another worker may still take them; the next run tries again.
      if (this.#slots.length === 0) for (const job of this.#queue.splice(0)) job.reject(err);
    } else {
      slot.job?.reject(
        new FloworkError(
          "SANDBOX_VIOLATION",
          "The sandbox worker stopped unexpectedly while running this code.",
          {
            cause,
          },
        ),
      );
      if (!this.#closed) this.#spawn();
    }
    this.#pump();
  }

  /** Terminates a worker on purpose and, unless the pool is closing, starts a fresh one in its place. */
  #retire(slot: Slot): void {
    if (slot.retired) return;
    slot.retired = true;
    slot.job = undefined;
    clearTimeout(slot.timer);
    const index = this.#slots.indexOf(slot);
    if (index >= 0) this.#slots.splice(index, 1);
    slot.failBoot(new FloworkError("INTERNAL", "The sandbox was closed."));
    void slot.worker.terminate();
    if (!this.#closed) this.#spawn();
    this.#refreshRefs();
  }

  #refreshRefs(): void {
    for (const slot of this.#slots) {
      const busy = slot.job !== undefined || (!slot.ready && (this.#queue.length > 0 || this.#warming > 0));
      if (busy) slot.worker.ref();
      else slot.worker.unref();
    }
  }
}
