import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type Database from "better-sqlite3";
import type { StoredJobOps } from "./journal-batch.js";
import type { JournalWriteResult } from "./journal-statements.js";

/** SQLite's own default: a checkpoint on commit once the WAL holds this many pages. */
const SQLITE_DEFAULT_AUTOCHECKPOINT = 1000;

const CHECKPOINT = { type: "checkpoint" } as const;

/** Options of {@link startBackgroundCheckpoints}. */
export interface BackgroundCheckpointOptions {
  /** A checkpoint follows the first commit reported this long after the previous one started (default 100 ms). */
  everyMs?: number;
  /** The thread also checkpoints on its own this often, for writes nobody reported (default 1,000 ms). */
  fallbackIntervalMs?: number;
  /** Longest time {@link BackgroundCheckpoints.settled} makes a writer wait (default 250 ms). */
  maxWaitMs?: number;
  busyTimeoutMs: number;
  /** The checkpointer stopped working; SQLite's checkpoint-on-commit is back on the engine's connection. */
  onFallback?: (reason: string) => void;
}

/** A running checkpointer. */
export interface BackgroundCheckpoints {
  /** Checkpoints completed so far (for tests and metrics). */
  readonly count: number;
  /** The engine's connection committed: starts a checkpoint when one is due. */
  committed(): void;
  /**
   * While a checkpoint runs: a promise of its end (at most `maxWaitMs` away), for a writer that can wait before
   * its next transaction; otherwise undefined.
   */
  settled(): Promise<void> | undefined;
  /** Resolves true once the thread takes journal writes, false if it failed or was stopped before that. */
  readonly ready: Promise<boolean>;
  /**
   * True while the thread takes journal writes: from its `ready` message on, false once it has failed or stopped
   * (the journal writes on the engine's own connection meanwhile).
   */
  readonly journalling: boolean;
  /**
   * Writes a journal batch in one transaction on the thread's connection (see `writeStoredOps`).
   * @throws the thread's storage error (its `code` kept, e.g. `SQLITE_BUSY`), or an INTERNAL-like Error when the
   * thread is gone (the caller retries on its own connection).
   */
  writeJournal(jobs: StoredJobOps[], now: string): Promise<JournalWriteResult>;
  /**
   * Stops the thread; resolves once its connection is closed, so that the engine's connection, closed next, is the
   * last one and SQLite checkpoints and deletes the WAL (a clear copy of a value made secret must not stay there).
   */
  stop(): Promise<void>;
  /** Ends the thread at once, as a crash would (for tests of the fallback). */
  terminate(): Promise<void>;
}

/** A storage error reported by the store thread, with SQLite's code. */
export class StoreThreadError extends Error {
  readonly code: string | undefined;
  constructor(message: string, code?: string) {
    super(message);
    this.name = "StoreThreadError";
    this.code = code;
  }
}

type ThreadMessage =
  | { type: "journaled"; id: number; result: JournalWriteResult }
  | { type: "journal-error"; id: number; message: string; code?: string }
  | { type: "ready" }
  | { type: "checkpointed" }
  | { type: "error"; message?: string };

/**
 * Starts the store thread (`checkpoint-worker.ts`), which takes the journal's write transactions and the WAL
 * checkpoints off the engine's event loop.
 *
 * The journal: a run's history is written by group commit (`event-writer.ts`), a transaction of ~2 ms every
 * 25 ms under load, during which no request is served on the event loop. On the thread, those transactions run on
 * the other core, and the engine's connection is left with reads and the rare writes of presets, variables and
 * settings (SQLite lets one connection write at a time; each side waits for the other with the busy timeout, and
 * the engine's transactions begin IMMEDIATE so that they never fail on a stale snapshot).
 *
 * Checkpoints: by default SQLite checkpoints inside the commit that crosses 1,000 WAL pages: that commit copies
 * ~4 MB back into the database file and fsyncs it, on the main thread, while every request waits. Here the engine's connection never checkpoints (`wal_autocheckpoint = 0`) and a worker
 * thread with its own connection runs PASSIVE checkpoints (they never block writers or readers).
 *
 * SQLite can only restart the WAL from its beginning (instead of appending to it) when a checkpoint has copied
 * every frame before the next write transaction starts; a checkpoint on a timer, under sustained load, is always
 * overtaken by the next commit, and the WAL grows without bound. So a checkpoint starts right after a reported
 * commit (at most one per `everyMs`), and the journal waits for it ({@link BackgroundCheckpoints.settled})
 * before its next transaction: the WAL stays at about `everyMs` of writes. If the thread fails,
 * checkpoint-on-commit is switched back on, so the WAL can never grow without bound. The thread checkpoints after
 * its own journal commits the same way, before it takes the next one.
 *
 * If the thread fails, pending journal writes are rejected (the journal retries them) and the journal writes
 * on the engine's connection from then on.
 *
 * @returns undefined (SQLite's checkpoint-on-commit stays) when the worker's compiled file is not there: the
 * TypeScript sources run under a test runner.
 */
export function startBackgroundCheckpoints(
  database: Database.Database,
  path: string,
  options: BackgroundCheckpointOptions,
): BackgroundCheckpoints | undefined {
  const script = new URL("./checkpoint-worker.js", import.meta.url);
  if (!existsSync(fileURLToPath(script))) return undefined;
  database.pragma("wal_autocheckpoint = 0");
  const everyMs = options.everyMs ?? 100;
  const maxWaitMs = options.maxWaitMs ?? 250;
  const worker = new Worker(script, {
    // The process's own flags are not the thread's (`--input-type` of `node -e` would stop it from starting).
    execArgv: [],
    workerData: {
      path,
      everyMs,
      intervalMs: options.fallbackIntervalMs ?? 1_000,
      busyTimeoutMs: options.busyTimeoutMs,
    },
  });
  worker.unref();
  let count = 0;
  let stopping = false;
  let fellBack = false;
  let ready = false;
  let announceReady!: (journalling: boolean) => void;
  const readyPromise = new Promise<boolean>((resolve) => {
    announceReady = resolve;
  });
  let lastStart = Number.NEGATIVE_INFINITY;
  /** The checkpoint asked for and not answered yet. */
  let running: { promise: Promise<void>; resolve: () => void } | undefined;
  const finishRunning = () => {
    const r = running;
    running = undefined;
    r?.resolve();
  };
  let nextId = 0;
  const journalWrites = new Map<
    number,
    { resolve: (r: JournalWriteResult) => void; reject: (e: Error) => void }
  >();
  /**
   * The thread keeps the process alive while it holds a journal write (a CLI run closing its store waits for it) and
   * while it is stopping (whoever awaits the stop is kept alive until the thread's connection is closed); otherwise
   * it lets the process end.
   */
  const holdProcess = () => {
    if (stopping || journalWrites.size > 0) worker.ref();
    else worker.unref();
  };
  const failJournalWrites = (reason: string) => {
    for (const pending of journalWrites.values()) pending.reject(new StoreThreadError(reason));
    journalWrites.clear();
    holdProcess();
  };
  /**
   * The thread stopped working: new journal writes go to the engine's connection (a write in flight on a thread
   * that still runs finishes there first: the journal never has two in flight).
   */
  const fallback = (reason: string) => {
    announceReady(false);
    finishRunning();
    if (fellBack || stopping) return;
    fellBack = true;
    try {
      database.pragma(`wal_autocheckpoint = ${SQLITE_DEFAULT_AUTOCHECKPOINT}`);
    } catch {
      // the connection is closing
    }
    options.onFallback?.(reason);
  };
  worker.on("message", (message: ThreadMessage) => {
    if (message.type === "journaled" || message.type === "journal-error") {
      const pending = journalWrites.get(message.id);
      journalWrites.delete(message.id);
      holdProcess();
      if (message.type === "journaled") pending?.resolve(message.result);
      else pending?.reject(new StoreThreadError(message.message, message.code));
    } else if (message.type === "ready") {
      ready = !fellBack && !stopping;
      announceReady(ready);
    } else if (message.type === "checkpointed") {
      count++;
      finishRunning();
    } else if (message.type === "error") {
      fallback(`checkpoint failed: ${message.message ?? "unknown error"}`);
    }
  });
  // The thread is gone: a write it held may or may not have committed; the journal retries it here.
  worker.on("error", (err) => {
    fallback(`store thread failed: ${err.message}`);
    failJournalWrites(`store thread failed: ${err.message}`);
  });
  let exited!: () => void;
  const exit = new Promise<void>((resolve) => {
    exited = resolve;
  });
  worker.on("exit", (code) => {
    exited();
    if (!stopping) fallback(`store thread exited (${code})`);
    failJournalWrites(`store thread exited (${code})`);
  });
  return {
    get count() {
      return count;
    },
    ready: readyPromise,
    get journalling() {
      return ready && !fellBack && !stopping;
    },
    writeJournal(jobs, now) {
      if (fellBack || stopping) return Promise.reject(new StoreThreadError("the store thread has stopped"));
      const id = ++nextId;
      return new Promise<JournalWriteResult>((resolve, reject) => {
        journalWrites.set(id, { resolve, reject });
        holdProcess();
        worker.postMessage({ type: "journal", id, jobs, now });
      });
    },
    committed() {
      if (stopping || fellBack || running !== undefined) return;
      const now = performance.now();
      if (now - lastStart < everyMs) return;
      lastStart = now;
      let resolve!: () => void;
      const promise = new Promise<void>((r) => {
        resolve = r;
      });
      running = { promise, resolve };
      worker.postMessage(CHECKPOINT);
    },
    settled() {
      if (running === undefined) return undefined;
      const { promise } = running;
      return new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, maxWaitMs);
        void promise.then(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
    stop() {
      if (stopping) return exit;
      stopping = true;
      finishRunning();
      announceReady(false);
      failJournalWrites("the store thread has stopped");
      worker.postMessage({ type: "stop" });
      return exit;
    },
    async terminate() {
      await worker.terminate();
    },
  };
}
