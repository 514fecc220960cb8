import { FloworkError, type JobEvent, type JobStatus } from "@flowork/protocol";
import type { Kysely } from "kysely";
import type { StoreWarn } from "./common.js";
import type { StoredEvent } from "./execution-events.js";
import type { NewExecution, StatusChange } from "./execution-types.js";
import { newExecutionRow, pendingStatus } from "./executions.js";
import { applyStatus, countEvents, type JournalBatch, mergeBatches, opsFor } from "./journal-batch.js";
import { writeJournalBatch } from "./journal-sql.js";
import type { JournalWriteResult } from "./journal-statements.js";
import type { EngineDatabase } from "./schema.js";

/** Options of {@link EventWriter}. */
export interface EventWriterOptions {
  /** Longest time an operation waits in the buffer, in ms (default 25). */
  intervalMs?: number;
  /** Buffered events (all jobs) that trigger a flush at once (default 500). */
  maxBuffered?: number;
  /**
   * How long a batch whose write failed (database down) is kept and retried, in ms (default 300,000). After that,
   * or when more than `maxRetained` events wait, it is dropped and `onError` is told. 0 drops at the first failure.
   */
  retryForMs?: number;
  /** Events kept across failed writes before the oldest batch is dropped (default 200,000). */
  maxRetained?: number;
  /** A write failed; `dropped` events were given up (0 when the batch is kept for a retry). */
  onError?: (err: unknown, dropped: number) => void;
  /** Operations of a job that does not exist were dropped. */
  onWarn?: StoreWarn;
  /** The clock for checkpoint and row timestamps (default `new Date()`). */
  now?: () => Date;
  /**
   * Asked before each write transaction; a promise makes the write wait for it (SQLite: the running WAL
   * checkpoint, so that the next commit can restart the WAL; see `checkpointer.ts`).
   */
  beforeWrite?: () => Promise<void> | undefined;
  /**
   * Writes one batch in one transaction (default: {@link writeJournalBatch} on the writer's database; with SQLite,
   * the store thread's connection: see `checkpointer.ts`).
   */
  write?: (batch: JournalBatch, now: () => string) => Promise<JournalWriteResult>;
}

/** Called after each commit with the job's newly stored events and their `seq`. */
export type StoredEventsListener = (jobId: string, events: StoredEvent[]) => void;

const FIRST_RETRY_MS = 100;
const LAST_RETRY_MS = 5_000;

/**
 * The execution journal: group commit for every write a run makes, the store's hot path. `create`, `setStatus`,
 * `append` and the checkpoint calls are synchronous and only buffer; every `intervalMs` (or as soon as
 * `maxBuffered` events wait, or when a reader calls `flush`) everything buffered, for every
 * job, is written in ONE transaction (`writeJournalBatch`): a short run's row, its status changes and its events
 * are one INSERT of the row plus one multi-row INSERT of events, shared with every other run of that flush.
 * Flushes run one after another, so each job's operations keep their order.
 *
 * A write that fails (the database restarting) is kept and retried with backoff, in front of what arrived
 * meanwhile, for `retryForMs`; `flush()` callers of the failed attempt are rejected.
 *
 * For `subscribe_job` replay without gaps or duplicates: `subscribe` to stored events, read
 * `ExecutionStore.events(job)`, then forward listener events whose `seq` is above the last one replayed.
 *
 * @example
 * const writer = new EventWriter(db);
 * writer.create({ job_id, preset_name: null, mode: "EXECUTE", started_by: null, workflow_data });
 * runtime.onEvent((e) => writer.append(e.job_id, e));
 * await writer.close(); // on shutdown: writes what is left
 */
export class EventWriter {
  readonly #intervalMs: number;
  readonly #maxBuffered: number;
  readonly #retryForMs: number;
  readonly #maxRetained: number;
  readonly #onError: (err: unknown, dropped: number) => void;
  readonly #warn: StoreWarn;
  readonly #now: () => Date;
  readonly #beforeWrite: (() => Promise<void> | undefined) | undefined;
  readonly #writeBatch: (batch: JournalBatch, now: () => string) => Promise<JournalWriteResult>;
  readonly #nowText = () => this.#now().toISOString();
  readonly #listeners = new Set<StoredEventsListener>();
  #buffer: JournalBatch = new Map();
  #buffered = 0;
  #timer: NodeJS.Timeout | undefined;
  #immediate: NodeJS.Immediate | undefined;
  #chain: Promise<void> = Promise.resolve();
  /** The flush not yet started, which later `flush()` calls join. */
  #next: Promise<void> | undefined;
  /** A batch whose write failed, waiting for its retry; the time of its first failure and the next delay. */
  #failed: { batch: JournalBatch; since: number; delayMs: number } | undefined;
  #closed = false;
  readonly #stats = { transactions: 0, events: 0, dropped: 0 };

  constructor(db: Kysely<EngineDatabase>, options: EventWriterOptions = {}) {
    this.#intervalMs = Math.max(0, options.intervalMs ?? 25);
    this.#maxBuffered = Math.max(1, options.maxBuffered ?? 500);
    this.#retryForMs = Math.max(0, options.retryForMs ?? 300_000);
    this.#maxRetained = Math.max(1, options.maxRetained ?? 200_000);
    this.#onError = options.onError ?? (() => {});
    this.#warn = options.onWarn ?? (() => {});
    this.#now = options.now ?? (() => new Date());
    this.#beforeWrite = options.beforeWrite;
    this.#writeBatch = options.write ?? ((batch, now) => writeJournalBatch(db, batch, now));
  }

  /** Counters since construction (for metrics): committed write transactions, events stored, events dropped. */
  get stats(): { transactions: number; events: number; dropped: number } {
    return { ...this.#stats };
  }

  /** Events waiting to be written (including a failed batch waiting for its retry). */
  get pending(): number {
    return this.#buffered + (this.#failed === undefined ? 0 : countEvents(this.#failed.batch));
  }

  /**
   * Buffers a new QUEUED execution row; later operations of the job in the same flush are folded into it.
   * @throws FloworkError VALIDATION_FAILED for a bad job id, INTERNAL after `close()`.
   */
  create(input: NewExecution): void {
    this.#open();
    const row = newExecutionRow(input, this.#now().toISOString());
    const ops = opsFor(this.#buffer, input.job_id);
    ops.create = row;
    this.#schedule(false);
  }

  /**
   * Buffers a status change of a job (fields left out keep their stored value).
   * @throws FloworkError VALIDATION_FAILED for a bad timestamp, INTERNAL after `close()`.
   */
  setStatus(jobId: string, status: JobStatus, change: StatusChange = {}): void {
    this.#open();
    applyStatus(opsFor(this.#buffer, jobId), pendingStatus(status, change));
    this.#schedule(false);
  }

  /** Buffers the job's resumable state (replacing an earlier one). @throws FloworkError INTERNAL after `close()`. */
  saveCheckpoint(jobId: string, state: string): void {
    this.#open();
    opsFor(this.#buffer, jobId).checkpoint = state;
    this.#schedule(false);
  }

  /** Buffers the removal of the job's checkpoint. @throws FloworkError INTERNAL after `close()`. */
  deleteCheckpoint(jobId: string): void {
    this.#open();
    opsFor(this.#buffer, jobId).checkpoint = null;
    this.#schedule(false);
  }

  /**
   * Buffers one event of `jobId` (the job must exist in the store or be created through this writer first).
   * @throws FloworkError INTERNAL after `close()`.
   */
  append(jobId: string, event: JobEvent): void {
    this.#open();
    opsFor(this.#buffer, jobId).events.push(event);
    this.#buffered++;
    this.#schedule(this.#buffered >= this.#maxBuffered);
  }

  /**
   * Writes everything buffered so far; resolves once it (and every earlier flush) is committed. Calls made while
   * a write is in flight share the next write (group commit), so a burst of flushes is one transaction.
   * @throws the storage error when that transaction failed (its operations are kept for a retry, or dropped and
   * reported to `onError` once `retryForMs` has passed).
   */
  flush(): Promise<void> {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    if (this.#next === undefined) {
      const before = this.#beforeWrite;
      const ready = before === undefined ? this.#chain : this.#chain.then(before);
      const next = ready.then(() => {
        // Taken only now, when the previous write is done: everything appended meanwhile goes in this one.
        this.#next = undefined;
        let batch = this.#buffer;
        const failed = this.#failed;
        this.#buffer = new Map();
        this.#buffered = 0;
        this.#failed = undefined;
        if (failed !== undefined) batch = mergeBatches(failed.batch, batch);
        return this.#write(batch, failed);
      });
      this.#next = next;
      this.#chain = next.catch(() => {});
    }
    return this.#next;
  }

  /** Listens to stored events (after commit); returns the unsubscribe function. */
  subscribe(listener: StoredEventsListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Writes what is buffered and refuses further operations. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.flush();
  }

  #open(): void {
    if (this.#closed) throw new FloworkError("INTERNAL", "the event writer is closed");
  }

  /**
   * `soon` (`maxBuffered` reached): on the next macrotask, so what the current tick still appends joins the same
   * transaction; otherwise after `intervalMs`.
   */
  #schedule(soon: boolean): void {
    if (soon)
      this.#immediate ??= setImmediate(() => {
        this.#immediate = undefined;
        this.#flushInBackground();
      });
    else this.#timer ??= setTimeout(() => this.#flushInBackground(), this.#intervalMs).unref();
  }

  #flushInBackground(): void {
    this.flush().catch(() => {}); // reported to onError by #write
  }

  async #write(
    batch: JournalBatch,
    failedBefore: { since: number; delayMs: number } | undefined,
  ): Promise<void> {
    if (batch.size === 0) return;
    let result: JournalWriteResult;
    try {
      result = await this.#writeBatch(batch, this.#nowText);
    } catch (err) {
      this.#retryLater(batch, failedBefore, err);
      throw err;
    }
    const { written, missing } = result;
    this.#stats.transactions++;
    for (const done of written) this.#stats.events += done.last_seq - done.first_seq + 1;
    for (const jobId of missing) {
      const dropped = batch.get(jobId)?.events.length ?? 0;
      this.#stats.dropped += dropped;
      this.#warn("dropped the writes of an unknown job", { job_id: jobId, count: dropped });
    }
    if (this.#listeners.size === 0) return;
    for (const done of written) {
      const events = (batch.get(done.job_id)?.events ?? []).map((event, i) => ({
        seq: done.first_seq + i,
        event,
      }));
      for (const listener of this.#listeners) {
        try {
          listener(done.job_id, events);
        } catch (err) {
          this.#warn("a stored-events listener threw", {
            error: err instanceof Error ? err.message : String(err),
          });
        }
      }
    }
  }

  /** Keeps a failed batch for a retry with backoff, or drops it once it has failed for too long or is too big. */
  #retryLater(
    batch: JournalBatch,
    before: { since: number; delayMs: number } | undefined,
    err: unknown,
  ): void {
    const since = before?.since ?? Date.now();
    const events = countEvents(batch);
    if (
      this.#closed ||
      Date.now() - since >= this.#retryForMs ||
      events + this.#buffered > this.#maxRetained
    ) {
      this.#stats.dropped += events;
      this.#onError(err, events);
      return;
    }
    const delayMs = Math.min(LAST_RETRY_MS, before === undefined ? FIRST_RETRY_MS : before.delayMs * 2);
    this.#failed = { batch, since, delayMs };
    this.#onError(err, 0);
    setTimeout(() => this.#flushInBackground(), delayMs).unref();
  }
}
