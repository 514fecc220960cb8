import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type Database from "better-sqlite3";

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
  /** Stops the thread (what is left is checkpointed by the connection's close). */
  stop(): void;
}

/**
 * Moves WAL checkpoints off the engine's event loop. By default SQLite checkpoints inside the commit that crosses
 * 1,000 WAL pages: that commit copies ~4 MB back into the database file and fsyncs it, on the main thread, while
 * every request waits. Here the engine's connection never checkpoints (`wal_autocheckpoint = 0`) and a worker
 * thread with its own connection runs PASSIVE checkpoints (they never block writers or readers).
 *
 * SQLite can only restart the WAL from its beginning (instead of appending to it) when a checkpoint has copied
 * every frame before the next write transaction starts; a checkpoint on a timer, under sustained load, is always
 * overtaken by the next commit, and the WAL grows without bound. So a checkpoint starts right after a reported
 * commit (at most one per `everyMs`), and the journal waits for it ({@link BackgroundCheckpoints.settled})
 * before its next transaction: the WAL stays at about `everyMs` of writes. If the thread fails,
 * checkpoint-on-commit is switched back on, so the WAL can never grow without bound.
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
    workerData: {
      path,
      intervalMs: options.fallbackIntervalMs ?? 1_000,
      busyTimeoutMs: options.busyTimeoutMs,
    },
  });
  worker.unref();
  let count = 0;
  let stopping = false;
  let fellBack = false;
  let lastStart = Number.NEGATIVE_INFINITY;
  /** The checkpoint asked for and not answered yet. */
  let running: { promise: Promise<void>; resolve: () => void } | undefined;
  const finishRunning = () => {
    const r = running;
    running = undefined;
    r?.resolve();
  };
  const fallback = (reason: string) => {
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
  worker.on("message", (message: { type: string; message?: string }) => {
    if (message.type === "checkpointed") {
      count++;
      finishRunning();
    } else if (message.type === "error") {
      fallback(`checkpoint failed: ${message.message ?? "unknown error"}`);
    }
  });
  worker.on("error", (err) => fallback(`checkpoint thread failed: ${err.message}`));
  worker.on("exit", (code) => {
    if (!stopping) fallback(`checkpoint thread exited (${code})`);
  });
  return {
    get count() {
      return count;
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
      if (stopping) return;
      stopping = true;
      finishRunning();
      worker.postMessage({ type: "stop" });
    },
  };
}
