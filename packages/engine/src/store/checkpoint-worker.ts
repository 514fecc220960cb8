/**
 * Worker thread of {@link startBackgroundCheckpoints}: its own connection to the engine's SQLite file, copying
 * the WAL back into the database (`PRAGMA wal_checkpoint(PASSIVE)`: never blocks the engine's writer), so the
 * engine's event loop never pays for a checkpoint and its fsync.
 *
 * A checkpoint starts as soon as the engine reports a commit (at most one per `minGapMs`), so it usually
 * completes before the engine's next commit: only then may SQLite restart the WAL from its beginning, and a WAL
 * checkpointed on a slow timer under sustained load never restarts and grows without bound. A slow timer
 * (`intervalMs`) still runs for writes the engine did not report (other connections).
 */
import { parentPort, workerData } from "node:worker_threads";
import Database from "better-sqlite3";

interface CheckpointWorkerData {
  path: string;
  intervalMs: number;
  minGapMs: number;
  busyTimeoutMs: number;
}

const { path, intervalMs, minGapMs, busyTimeoutMs } = workerData as CheckpointWorkerData;
const db = new Database(path, { timeout: busyTimeoutMs, fileMustExist: true });
db.pragma(`busy_timeout = ${busyTimeoutMs}`);
let stopped = false;
let lastAt = 0;
let scheduled: ReturnType<typeof setTimeout> | undefined;

function checkpoint(): void {
  lastAt = performance.now();
  const row = db.pragma("wal_checkpoint(PASSIVE)") as { busy: number; log: number; checkpointed: number }[];
  parentPort?.postMessage({ type: "checkpointed", ...row[0] });
}

function checkpointReporting(): void {
  scheduled = undefined;
  if (stopped) return;
  try {
    checkpoint();
  } catch (err) {
    parentPort?.postMessage({ type: "error", message: err instanceof Error ? err.message : String(err) });
  }
}

/** Runs a checkpoint now, or once `minGapMs` has passed since the last one; requests meanwhile are merged. */
function soon(): void {
  if (scheduled !== undefined || stopped) return;
  const wait = Math.max(0, lastAt + minGapMs - performance.now());
  scheduled = setTimeout(checkpointReporting, wait);
}

const timer = setInterval(soon, intervalMs);

parentPort?.on("message", (message: unknown) => {
  const type = (message as { type?: string } | null)?.type;
  if (stopped) return;
  if (type === "committed") {
    soon();
    return;
  }
  if (type !== "stop") return;
  stopped = true;
  clearInterval(timer);
  if (scheduled !== undefined) clearTimeout(scheduled);
  try {
    checkpoint();
  } catch {
    // the engine's own close checkpoints what is left
  }
  db.close();
  parentPort?.close();
});
