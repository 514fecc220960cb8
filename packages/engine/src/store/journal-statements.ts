import type { AppendedEvents } from "./execution-events.js";
import type { PendingStatus, StoredJobOps } from "./journal-batch.js";
import type { StoreDialect } from "./migrations/dialect.js";
import type { ExecutionsTable } from "./schema.js";

// Loaded by the store thread too (checkpoint-worker.ts): plain statement texts and their order, no Kysely and no
// schema library, so that the thread starts quickly.

/** What one journal transaction wrote. */
export interface JournalWriteResult {
  /** Events stored per job, with their `seq` range. */
  written: AppendedEvents[];
  /** Jobs whose operations were dropped: no such execution (or a new row whose id was taken). */
  missing: string[];
}

const EXECUTION_COLUMNS = [
  "job_id",
  "preset_name",
  "mode",
  "status",
  "started_by",
  "queued_at",
  "started_at",
  "ended_at",
  "duration_ms",
  "error_code",
  "error_message",
  "result",
  "workflow_data",
  "initial_payload",
  "start_node_id",
  "last_seq",
] as const satisfies readonly (keyof ExecutionsTable)[];

/** The largest multi-row event INSERT; batches are cut into power-of-two chunks so few statement texts exist. */
const MAX_EVENT_ROWS = 128;
/** The largest multi-row execution INSERT (16 parameters a row), cut the same way. */
const MAX_EXECUTION_ROWS = 64;

/**
 * The journal's SQL, written once per dialect as plain text and run through Kysely's executor (so the SQLite
 * statement cache and PostgreSQL's connection handling apply) without building queries per call: on the hot
 * path the query builder cost as much as the statements themselves.
 */
export class JournalStatements {
  /** Bumps `last_seq` by n and applies a status change (NULL = keep); RETURNING proves the job exists. */
  readonly updateExecution: string;
  readonly upsertCheckpoint: string;
  readonly deleteCheckpoint: string;
  readonly #dialect: StoreDialect;
  readonly #insertEvents = new Map<number, string>();
  readonly #insertExecutions = new Map<number, string>();

  constructor(dialect: StoreDialect) {
    this.#dialect = dialect;
    this.updateExecution = this.#sql(
      "update executions set status = coalesce(?, status), started_at = coalesce(?, started_at), " +
        "ended_at = coalesce(?, ended_at), duration_ms = coalesce(?, duration_ms), " +
        "error_code = coalesce(?, error_code), error_message = coalesce(?, error_message), " +
        "result = coalesce(?, result), last_seq = last_seq + ? where job_id = ? returning last_seq",
    );
    this.upsertCheckpoint = this.#sql(
      "insert into checkpoints (job_id, state, updated_at) values (?, ?, ?) " +
        "on conflict (job_id) do update set state = excluded.state, updated_at = excluded.updated_at",
    );
    this.deleteCheckpoint = this.#sql("delete from checkpoints where job_id = ?");
  }

  /** `insert into execution_events` for `rows` rows; a replayed write of the same (job, seq) is ignored. */
  insertEvents(rows: number): string {
    let text = this.#insertEvents.get(rows);
    if (text === undefined) {
      const values = Array.from({ length: rows }, () => "(?, ?, ?, ?)").join(", ");
      text = this.#sql(
        `insert into execution_events (job_id, seq, type, data) values ${values} on conflict (job_id, seq) do nothing`,
      );
      this.#insertEvents.set(rows, text);
    }
    return text;
  }

  /** `insert into executions` for `rows` new rows; RETURNING names the ones inserted (an id already taken is not). */
  insertExecutions(rows: number): string {
    let text = this.#insertExecutions.get(rows);
    if (text === undefined) {
      const marks = `(${EXECUTION_COLUMNS.map(() => "?").join(", ")})`;
      const values = Array.from({ length: rows }, () => marks).join(", ");
      text = this.#sql(
        `insert into executions (${EXECUTION_COLUMNS.join(", ")}) values ${values} on conflict (job_id) do nothing returning job_id`,
      );
      this.#insertExecutions.set(rows, text);
    }
    return text;
  }

  /** `?` placeholders as the dialect wants them (`$1, $2...` on PostgreSQL). */
  #sql(text: string): string {
    if (this.#dialect === "sqlite") return text;
    let n = 0;
    return text.replace(/\?/g, () => `$${++n}`);
  }
}

const statementsByDialect = new Map<StoreDialect, JournalStatements>();

/** The journal's statement texts for `dialect` (made once). */
export function journalStatements(dialect: StoreDialect): JournalStatements {
  let s = statementsByDialect.get(dialect);
  if (s === undefined) {
    s = new JournalStatements(dialect);
    statementsByDialect.set(dialect, s);
  }
  return s;
}

/**
 * Runs one statement inside the journal's transaction and returns its rows. `params` is a fresh array the
 * executor may keep (no copy of up to 1,024 values per statement).
 */
export type JournalExec = (
  text: string,
  params: unknown[],
) => Promise<Record<string, unknown>[]> | Record<string, unknown>[];

function statusParams(s: PendingStatus | undefined): unknown[] {
  if (s === undefined) return [null, null, null, null, null, null, null];
  return [
    s.status,
    s.started_at ?? null,
    s.ended_at ?? null,
    s.duration_ms ?? null,
    s.error_code ?? null,
    s.error_message ?? null,
    s.result ?? null,
  ];
}

/**
 * The statements of one journal transaction, run through `exec` inside a transaction the caller opened: new
 * execution rows (with the status changes folded into them), status changes and `last_seq` bumps of existing
 * rows, every job's events numbered after its last `seq`, and checkpoint writes/deletes. A job that does not exist
 * is reported in `missing` and skipped, never failing the others. Events of rows created here are numbered from 1
 * without a read; others take their range from `update ... returning last_seq`, which holds the row lock, so
 * other processes appending to the same job (queue workers) get disjoint ranges.
 */
export async function writeStoredOps(
  exec: JournalExec,
  sql: JournalStatements,
  jobs: readonly StoredJobOps[],
  now: () => string,
): Promise<JournalWriteResult> {
  const written: AppendedEvents[] = [];
  const missing: string[] = [];
  const created = await insertNewRows(exec, sql, jobs);
  const eventRows: unknown[] = [];
  let eventCount = 0;
  for (const job of jobs) {
    const jobId = job.job_id;
    const events = job.events;
    const n = events.length >> 1;
    let lastSeq: number | undefined;
    const isNew = created.has(jobId);
    if (isNew) lastSeq = n;
    if (!isNew || job.status !== undefined) {
      const rows = await exec(sql.updateExecution, [...statusParams(job.status), isNew ? 0 : n, jobId]);
      const head = rows[0];
      if (head === undefined) {
        missing.push(jobId);
        continue;
      }
      if (!isNew) lastSeq = Number(head["last_seq"]);
    }
    if (lastSeq === undefined) continue;
    if (n > 0) {
      const first = lastSeq - n + 1;
      for (let i = 0; i < n; i++) eventRows.push(jobId, first + i, events[2 * i], events[2 * i + 1]);
      eventCount += n;
      written.push({ job_id: jobId, first_seq: first, last_seq: lastSeq });
    }
    if (job.checkpoint === null) await exec(sql.deleteCheckpoint, [jobId]);
    else if (job.checkpoint !== undefined) await exec(sql.upsertCheckpoint, [jobId, job.checkpoint, now()]);
  }
  let offset = 0;
  while (offset < eventCount) {
    const rows = chunkSize(eventCount - offset, MAX_EVENT_ROWS);
    await exec(sql.insertEvents(rows), eventRows.slice(offset * 4, (offset + rows) * 4));
    offset += rows;
  }
  return { written, missing };
}

/**
 * Inserts the batch's new rows (each with its `last_seq` = its events in this batch) in multi-row INSERTs.
 * @returns the ids actually inserted: an id already stored (a replayed batch, a taken id) is not among them.
 */
async function insertNewRows(
  exec: JournalExec,
  sql: JournalStatements,
  jobs: readonly StoredJobOps[],
): Promise<Set<string>> {
  const params: unknown[] = [];
  let count = 0;
  for (const job of jobs) {
    if (job.create === undefined) continue;
    const row: ExecutionsTable = job.create;
    for (const column of EXECUTION_COLUMNS)
      params.push(column === "last_seq" ? job.events.length >> 1 : row[column]);
    count++;
  }
  const created = new Set<string>();
  const width = EXECUTION_COLUMNS.length;
  let offset = 0;
  while (offset < count) {
    const rows = chunkSize(count - offset, MAX_EXECUTION_ROWS);
    const inserted = await exec(
      sql.insertExecutions(rows),
      params.slice(offset * width, (offset + rows) * width),
    );
    for (const r of inserted) created.add(r["job_id"] as string);
    offset += rows;
  }
  return created;
}

/** The largest power of two ≤ min(remaining, max). */
function chunkSize(remaining: number, max: number): number {
  let size = max;
  while (size > remaining) size >>= 1;
  return size;
}
