/**
 * Worker thread of {@link startBackgroundCheckpoints}: its own connection to the engine's SQLite file, copying
 * the WAL back into the database (`PRAGMA wal_checkpoint(PASSIVE)`: never blocks the engine's writer), so the
 * engine's event loop never pays for a checkpoint and its fsync.
 *
 * Messages: `checkpoint` runs one now and answers `checkpointed` (or `error`); `stop` runs a last one and closes.
 * A slow timer (`intervalMs`) also checkpoints on its own, for writes the engine did not report.
 */
import { parentPort, workerData } from "node:worker_threads";
import Database from "better-sqlite3";

interface CheckpointWorkerData {
  path: string;
  intervalMs: number;
  busyTimeoutMs: number;
}

const { path, intervalMs, busyTimeoutMs } = workerData as CheckpointWorkerData;
const db = new Database(path, { timeout: busyTimeoutMs, fileMustExist: true });
db.pragma(`busy_timeout = ${busyTimeoutMs}`);
let stopped = false;

function checkpoint(): void {
  const row = db.pragma("wal_checkpoint(PASSIVE)") as { busy: number; log: number; checkpointed: number }[];
  parentPort?.postMessage({ type: "checkpointed", ...row[0] });
}

function checkpointReporting(): void {
  if (stopped) return;
  try {
    checkpoint();
  } catch (err) {
    parentPort?.postMessage({ type: "error", message: err instanceof Error ? err.message : String(err) });
  }
}

const timer = setInterval(checkpointReporting, intervalMs);

parentPort?.on("message", (message: unknown) => {
  const type = (message as { type?: string } | null)?.type;
  if (stopped) return;
  if (type === "checkpoint") {
    checkpointReporting();
    return;
  }
  if (type !== "stop") return;
  stopped = true;
  clearInterval(timer);
  try {
    checkpoint();
  } catch {
    // the engine's own close checkpoints what is left
  }
  db.close();
  parentPort?.close();
});
