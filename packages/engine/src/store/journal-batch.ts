import type { JobEvent, JobStatus } from "@flowork/protocol";
import { storedEventText } from "./execution-events.js";
import type { ExecutionsTable } from "./schema.js";

/** A status change waiting in the journal: the new status and the fields to set (omitted ones are kept). */
export interface PendingStatus {
  status: JobStatus;
  started_at?: string;
  ended_at?: string;
  duration_ms?: number;
  error_code?: string;
  error_message?: string;
  /** Already JSON text. */
  result?: string;
}

/** Everything waiting to be written for one job. */
export interface JobOps {
  /** A new row (QUEUED, or already carrying later status changes folded into it). */
  create?: ExecutionsTable;
  status?: PendingStatus;
  events: JobEvent[];
  /** The job's checkpoint: a state to store, null to delete it, undefined to leave it. */
  checkpoint?: string | null;
}

/** What one flush writes: per job, in the order jobs were first touched. */
export type JournalBatch = Map<string, JobOps>;

/** The ops of `jobId` in `batch`, created empty on first use. */
export function opsFor(batch: JournalBatch, jobId: string): JobOps {
  let ops = batch.get(jobId);
  if (ops === undefined) {
    ops = { events: [] };
    batch.set(jobId, ops);
  }
  return ops;
}

/**
 * Applies a status change to pending ops: folded into a pending new row (so create → RUNNING → SUCCEEDED inside
 * one flush is one INSERT), or merged over an earlier pending change (later fields win).
 */
export function applyStatus(ops: JobOps, change: PendingStatus): void {
  if (ops.create !== undefined) {
    const row = ops.create;
    row.status = change.status;
    if (change.started_at !== undefined) row.started_at = change.started_at;
    if (change.ended_at !== undefined) row.ended_at = change.ended_at;
    if (change.duration_ms !== undefined) row.duration_ms = change.duration_ms;
    if (change.error_code !== undefined) row.error_code = change.error_code;
    if (change.error_message !== undefined) row.error_message = change.error_message;
    if (change.result !== undefined) row.result = change.result;
    return;
  }
  ops.status = ops.status === undefined ? { ...change } : { ...ops.status, ...change };
}

/**
 * Puts a batch whose write failed back in front of what was buffered since, so a retry writes both with every
 * job's operations still in order. `older` is modified and returned.
 */
export function mergeBatches(older: JournalBatch, newer: JournalBatch): JournalBatch {
  for (const [jobId, next] of newer) {
    const ops = older.get(jobId);
    if (ops === undefined) {
      older.set(jobId, next);
      continue;
    }
    if (next.create !== undefined && ops.create === undefined) ops.create = next.create;
    if (next.status !== undefined) applyStatus(ops, next.status);
    for (const event of next.events) ops.events.push(event);
    if (next.checkpoint !== undefined) ops.checkpoint = next.checkpoint;
  }
  return older;
}

/** Events held by a batch. */
export function countEvents(batch: JournalBatch): number {
  let n = 0;
  for (const ops of batch.values()) n += ops.events.length;
  return n;
}

/**
 * One job's operations as the journal's SQL writes them: plain data (it crosses to the store thread), events
 * already in their stored form.
 */
export interface StoredJobOps {
  job_id: string;
  create?: ExecutionsTable;
  status?: PendingStatus;
  /** The events, flattened as `type, stored text` pairs (see `storedEventText`). */
  events: string[];
  checkpoint?: string | null;
}

/** The batch as {@link StoredJobOps}, in the order jobs were first touched. */
export function storedOpsOf(batch: JournalBatch): StoredJobOps[] {
  const jobs: StoredJobOps[] = [];
  for (const [jobId, ops] of batch) {
    const events: string[] = [];
    for (const event of ops.events) events.push(event.type, storedEventText(jobId, event));
    const job: StoredJobOps = { job_id: jobId, events };
    if (ops.create !== undefined) job.create = ops.create;
    if (ops.status !== undefined) job.status = ops.status;
    if (ops.checkpoint !== undefined) job.checkpoint = ops.checkpoint;
    jobs.push(job);
  }
  return jobs;
}
