import { FloworkError, type JobEvent } from "@flowork/protocol";
import type { Kysely, Transaction } from "kysely";
import { isJsonObject, readJson, type StoreWarn } from "./common.js";
import type { EngineDatabase } from "./schema.js";

/** A stored event with its per-job sequence number (1, 2, 3... in the order they were appended). */
export interface StoredEvent {
  seq: number;
  event: JobEvent;
}

/** What one append wrote for one job. */
export interface AppendedEvents {
  job_id: string;
  /** `seq` of the first and last event written (first > last when none were). */
  first_seq: number;
  last_seq: number;
}

/**
 * The stored text of an event: its JSON without the leading `type` and `job_id`, which the row holds in its own
 * columns (about 60 bytes of every event, ~15 % of a short run's history). {@link eventFromStored} puts them back.
 * An event whose JSON does not start with those two keys is stored whole (and read back as it is).
 */
export function storedEventText(jobId: string, event: JobEvent): string {
  const text = JSON.stringify(event);
  const prefix = `{"type":${JSON.stringify(event.type)},"job_id":${JSON.stringify(jobId)}`;
  if (!text.startsWith(prefix)) return text;
  const next = text.charCodeAt(prefix.length);
  if (next === 0x2c /* , */) return `{${text.slice(prefix.length + 1)}`;
  if (next === 0x7d /* } */ && text.length === prefix.length + 1) return "{}";
  return text;
}

/** The event a stored row holds (either form of {@link storedEventText}), or undefined when it is not one. */
export function eventFromStored(jobId: string, type: string, data: string): JobEvent | undefined {
  const read = readJson(data);
  if (!read.ok || !isJsonObject(read.value)) return undefined;
  const value = read.value;
  if (typeof value["type"] === "string") return value as unknown as JobEvent;
  if ("job_id" in value) return undefined;
  return { type, job_id: jobId, ...value } as unknown as JobEvent;
}

/** Rows per INSERT: 4 parameters each stays far below SQLite's and PostgreSQL's parameter limits. */
const ROWS_PER_INSERT = 250;

/**
 * Writes `events` for one job inside `trx`, numbering them after the job's last `seq`. The counter is bumped with
 * `UPDATE ... SET last_seq = last_seq + n RETURNING last_seq`, which takes the job's row lock on PostgreSQL and
 * the write lock on SQLite, so concurrent appends get disjoint ranges; `(job_id, seq)` is the primary key, so
 * a duplicate could never be stored anyway.
 *
 * @returns undefined when the job does not exist (nothing written).
 */
export async function appendEventsIn(
  trx: Transaction<EngineDatabase>,
  jobId: string,
  events: readonly JobEvent[],
): Promise<AppendedEvents | undefined> {
  const n = events.length;
  const head = await trx
    .updateTable("executions")
    .set((eb) => ({ last_seq: eb("last_seq", "+", n) }))
    .where("job_id", "=", jobId)
    .returning("last_seq")
    .executeTakeFirst();
  if (head === undefined) return undefined;
  const first = head.last_seq - n + 1;
  for (let start = 0; start < n; start += ROWS_PER_INSERT) {
    const rows = events.slice(start, start + ROWS_PER_INSERT).map((event, i) => ({
      job_id: jobId,
      seq: first + start + i,
      type: event.type,
      data: storedEventText(jobId, event),
    }));
    await trx.insertInto("execution_events").values(rows).execute();
  }
  return { job_id: jobId, first_seq: first, last_seq: head.last_seq };
}

/**
 * Appends each job's events, all in one transaction. Jobs that do not exist are left out of the result (the
 * caller reports them) instead of failing the others.
 */
export async function appendEventBatches(
  db: Kysely<EngineDatabase>,
  batches: Iterable<readonly [jobId: string, events: readonly JobEvent[]]>,
): Promise<{ written: AppendedEvents[]; missing: string[] }> {
  return db.transaction().execute(async (trx) => {
    const written: AppendedEvents[] = [];
    const missing: string[] = [];
    for (const [jobId, events] of batches) {
      if (events.length === 0) continue;
      const done = await appendEventsIn(trx, jobId, events);
      if (done === undefined) missing.push(jobId);
      else written.push(done);
    }
    return { written, missing };
  });
}

/** Throws the store's NOT_FOUND for a job. */
export function jobNotFound(jobId: string): FloworkError {
  return new FloworkError("NOT_FOUND", `no execution ${jobId}`);
}

/** Reads stored events after `afterSeq`, in order; unreadable rows are skipped and reported. */
export async function readEvents(
  db: Kysely<EngineDatabase>,
  warn: StoreWarn,
  jobId: string,
  options: { afterSeq?: number; limit?: number; type?: JobEvent["type"] } = {},
): Promise<StoredEvent[]> {
  let query = db
    .selectFrom("execution_events")
    .select(["seq", "type", "data"])
    .where("job_id", "=", jobId)
    .where("seq", ">", options.afterSeq ?? 0)
    .orderBy("seq");
  if (options.type !== undefined) query = query.where("type", "=", options.type);
  if (options.limit !== undefined) query = query.limit(options.limit);
  const rows = await query.execute();
  const out: StoredEvent[] = [];
  for (const row of rows) {
    const event = eventFromStored(jobId, row.type, row.data);
    if (event !== undefined) {
      out.push({ seq: row.seq, event });
    } else {
      warn("skipped a corrupted execution event", { job_id: jobId, seq: row.seq });
    }
  }
  return out;
}
