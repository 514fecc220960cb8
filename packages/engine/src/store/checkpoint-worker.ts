/**
 * The store thread of {@link startBackgroundCheckpoints}: its own connection to the engine's SQLite file, on
 * which it runs the journal's write transactions and copies the WAL back into the database
 * (`PRAGMA wal_checkpoint(PASSIVE)`: never blocks a writer), so the engine's event loop pays for neither.
 *
 * Messages, handled one at a time in order:
 * - `journal` (id, jobs, now): writes the batch in one `BEGIN IMMEDIATE` transaction, answers `journaled` with
 *   the result (or `journal-error`), then checkpoints if the last checkpoint is `everyMs` old or ~512 KB of history
 *   went in since. A checkpoint that runs before the next journal transaction lets SQLite restart the WAL from its
 *   beginning, so the WAL holds about one checkpoint interval of writes.
 * - `checkpoint`: runs one now and answers `checkpointed` (or `error`) — for commits of the engine's own connection.
 * - `stop`: runs a last checkpoint and closes.
 * A slow timer (`intervalMs`) also checkpoints on its own, for writes nobody reported. `ready` is sent once the
 * connection is open.
 */
import { parentPort, workerData } from "node:worker_threads";
import Database from "better-sqlite3";
import type { StoredJobOps } from "./journal-batch.js";
import { journalStatements, writeStoredOps } from "./journal-statements.js";

interface StoreThreadData {
  path: string;
  intervalMs: number;
  everyMs: number;
  busyTimeoutMs: number;
}

interface JournalMessage {
  type: "journal";
  id: number;
  jobs: StoredJobOps[];
  now: string;
}

const { path, intervalMs, everyMs, busyTimeoutMs } = workerData as StoreThreadData;
const db = new Database(path, { timeout: busyTimeoutMs, fileMustExist: true });
db.pragma(`busy_timeout = ${busyTimeoutMs}`);
// The engine's connection settings that matter for writes (journal_mode WAL is stored in the file).
db.pragma("synchronous = NORMAL");
db.pragma("foreign_keys = ON");
db.pragma("secure_delete = ON");
db.pragma("wal_autocheckpoint = 0");
const sql = journalStatements("sqlite");
const statements = new Map<string, Database.Statement>();
const begin = db.prepare("begin immediate");
const commit = db.prepare("commit");
const rollback = db.prepare("rollback");
let stopped = false;
let lastCheckpoint = Number.NEGATIVE_INFINITY;
/** Characters of history written since the last checkpoint (an estimate of the WAL's growth). */
let writtenSince = 0;
/** A checkpoint follows a journal commit once this much was written since the last one, however recent it was. */
const CHECKPOINT_AFTER_CHARS = 512 * 1024;
let queue: Promise<void> = Promise.resolve();

function exec(text: string, params: unknown[]): Record<string, unknown>[] {
  let statement = statements.get(text);
  if (statement === undefined) {
    statement = db.prepare(text);
    statements.set(text, statement);
  }
  if (statement.reader) return statement.all(...params) as Record<string, unknown>[];
  statement.run(...params);
  return [];
}

function checkpoint(): void {
  lastCheckpoint = performance.now();
  writtenSince = 0;
  const row = db.pragma("wal_checkpoint(PASSIVE)") as { busy: number; log: number; checkpointed: number }[];
  parentPort?.postMessage({ type: "checkpointed", ...row[0] });
}

function checkpointReporting(): void {
  if (stopped) return;
  try {
    checkpoint();
  } catch (err) {
    parentPort?.postMessage({ type: "error", message: messageOf(err) });
  }
}

async function journal(message: JournalMessage): Promise<void> {
  try {
    begin.run();
    try {
      const result = await writeStoredOps(exec, sql, message.jobs, () => message.now);
      commit.run();
      parentPort?.postMessage({ type: "journaled", id: message.id, result });
    } catch (err) {
      if (db.inTransaction) rollback.run();
      throw err;
    }
  } catch (err) {
    parentPort?.postMessage({
      type: "journal-error",
      id: message.id,
      message: messageOf(err),
      code: codeOf(err),
    });
    return;
  }
  writtenSince += sizeOf(message.jobs);
  if (writtenSince >= CHECKPOINT_AFTER_CHARS || performance.now() - lastCheckpoint >= everyMs)
    checkpointReporting();
}

/** Characters of text a batch writes (rows and events): what makes the WAL grow. */
function sizeOf(jobs: StoredJobOps[]): number {
  let n = 0;
  for (const job of jobs) {
    for (const text of job.events) n += text.length;
    const row = job.create;
    if (row !== undefined)
      n += 200 + row.workflow_data.length + (row.initial_payload?.length ?? 0) + (row.result?.length ?? 0);
    if (job.status?.result !== undefined) n += job.status.result.length;
    if (typeof job.checkpoint === "string") n += job.checkpoint.length;
  }
  return n;
}

function stop(): void {
  stopped = true;
  clearInterval(timer);
  try {
    checkpoint();
  } catch {
    // the engine's own close checkpoints what is left
  }
  db.close();
  parentPort?.close();
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

const timer = setInterval(checkpointReporting, intervalMs);
// Until this arrives the engine writes its journal on its own connection (the thread's start takes ~100 ms).
parentPort?.postMessage({ type: "ready" });

parentPort?.on("message", (message: unknown) => {
  const type = (message as { type?: string } | null)?.type;
  if (stopped) return;
  if (type === "journal") {
    queue = queue.then(() => journal(message as JournalMessage));
  } else if (type === "checkpoint") {
    queue = queue.then(checkpointReporting);
  } else if (type === "stop") {
    queue = queue.then(stop);
  }
});
