/**
 * Worker thread of {@link startBackgroundCheckpoints}: its own connection to the engine's SQLite file, copying
 * the WAL back into the database (`PRAGMA wal_checkpoint(PASSIVE)`: never blocks the engine's writer) every
 * `intervalMs`, so the engine's event loop never pays for a checkpoint and its fsync.
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

const timer = setInterval(() => {
  try {
    checkpoint();
  } catch (err) {
    parentPort?.postMessage({ type: "error", message: err instanceof Error ? err.message : String(err) });
  }
}, intervalMs);

parentPort?.on("message", (message: unknown) => {
  if (stopped || (message as { type?: string } | null)?.type !== "stop") return;
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
