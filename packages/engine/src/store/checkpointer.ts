import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type Database from "better-sqlite3";

/** SQLite's own default: a checkpoint on commit once the WAL holds this many pages. */
const SQLITE_DEFAULT_AUTOCHECKPOINT = 1000;

const COMMITTED = { type: "committed" } as const;

/** Options of {@link startBackgroundCheckpoints}. */
export interface BackgroundCheckpointOptions {
  /** A checkpoint at least this often even when no commit was reported (default 1,000 ms). */
  intervalMs?: number;
  /** At most one checkpoint per this many ms, however often commits are reported (default 20 ms). */
  minGapMs?: number;
  busyTimeoutMs: number;
  /** The checkpointer stopped working; SQLite's checkpoint-on-commit is back on the engine's connection. */
  onFallback?: (reason: string) => void;
}

/** A running checkpointer. */
export interface BackgroundCheckpoints {
  /** Checkpoints completed so far (for tests and metrics). */
  readonly count: number;
  /** The engine's connection committed: a checkpoint follows soon (so the WAL can restart; see the worker). */
  committed(): void;
  /** Stops the thread (what is left is checkpointed by the connection's close). */
  stop(): void;
}

/**
 * Moves WAL checkpoints off the engine's event loop. By default SQLite checkpoints inside the commit that crosses
 * 1,000 WAL pages: that commit copies ~4 MB back into the database file and fsyncs it, on the main thread, while
 * every request waits. Here the engine's connection never checkpoints (`wal_autocheckpoint = 0`) and a worker
 * thread with its own connection runs a PASSIVE checkpoint (it never blocks writers or readers) right after
 * the engine's commits ({@link BackgroundCheckpoints.committed}, at most one per `minGapMs`), so it is usually
 * done before the next commit and SQLite can restart the WAL from its beginning: the file stays small under
 * sustained load. If the thread fails, checkpoint-on-commit is switched back on, so the WAL can never grow
 * without bound.
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
  const worker = new Worker(script, {
    workerData: {
      path,
      intervalMs: options.intervalMs ?? 1_000,
      minGapMs: options.minGapMs ?? 20,
      busyTimeoutMs: options.busyTimeoutMs,
    },
  });
  worker.unref();
  let count = 0;
  let stopping = false;
  let fellBack = false;
  const fallback = (reason: string) => {
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
    if (message.type === "checkpointed") count++;
    else if (message.type === "error") fallback(`checkpoint failed: ${message.message ?? "unknown error"}`);
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
      if (!stopping && !fellBack) worker.postMessage(COMMITTED);
    },
    stop() {
      if (stopping) return;
      stopping = true;
      worker.postMessage({ type: "stop" });
    },
  };
}
