import { FloworkError, type JobEvent, TERMINAL_STATUSES } from "@flowork/protocol";
import type { Kysely } from "kysely";
import type { StoreWarn } from "./common.js";
import { appendEventBatches, type StoredEvent } from "./execution-events.js";
import type { EngineDatabase } from "./schema.js";

/** Options of {@link EventWriter}. */
export interface EventWriterOptions {
  /** Longest time an event waits in the buffer, in ms (default 25). */
  intervalMs?: number;
  /** Buffered events (all jobs) that trigger a flush at once (default 500). */
  maxBuffered?: number;
  /** A flush failed; its events are dropped (they were already sent live). */
  onError?: (err: unknown, dropped: number) => void;
  /** Events of a job that does not exist were dropped. */
  onWarn?: StoreWarn;
}

/** Called after each commit with the job's newly stored events and their `seq`. */
export type StoredEventsListener = (jobId: string, events: StoredEvent[]) => void;

/**
 * Group commit for job events, the store's hot path. `append` is synchronous and only buffers; every
 * `intervalMs` (or as soon as `maxBuffered` events wait, or at once for a terminal `workflow_status_update`)
 * everything buffered, for every job, is written in ONE transaction, numbered per job as
 * `ExecutionStore.appendEvents` does. Flushes run one after another, so each job's events keep their order.
 *
 * For `subscribe_job` replay without gaps or duplicates: `subscribe` to stored events, read
 * `ExecutionStore.events(job)`, then forward listener events whose `seq` is above the last one replayed.
 *
 * @example
 * const writer = new EventWriter(db);
 * runtime.onEvent((e) => writer.append(e.job_id, e));
 * await writer.close(); // on shutdown: writes what is left
 */
export class EventWriter {
  readonly #db: Kysely<EngineDatabase>;
  readonly #intervalMs: number;
  readonly #maxBuffered: number;
  readonly #onError: (err: unknown, dropped: number) => void;
  readonly #warn: StoreWarn;
  readonly #listeners = new Set<StoredEventsListener>();
  #buffer = new Map<string, JobEvent[]>();
  #buffered = 0;
  #timer: NodeJS.Timeout | undefined;
  #chain: Promise<void> = Promise.resolve();
  /** The flush not yet started, which later `flush()` calls join. */
  #next: Promise<void> | undefined;
  #closed = false;
  readonly #stats = { transactions: 0, events: 0, dropped: 0 };

  constructor(db: Kysely<EngineDatabase>, options: EventWriterOptions = {}) {
    this.#db = db;
    this.#intervalMs = Math.max(0, options.intervalMs ?? 25);
    this.#maxBuffered = Math.max(1, options.maxBuffered ?? 500);
    this.#onError = options.onError ?? (() => {});
    this.#warn = options.onWarn ?? (() => {});
  }

  /** Counters since construction (for metrics): committed write transactions, events stored, events dropped. */
  get stats(): { transactions: number; events: number; dropped: number } {
    return { ...this.#stats };
  }

  /** Events waiting to be written. */
  get pending(): number {
    return this.#buffered;
  }

  /**
   * Buffers one event of `jobId` (the job must have been created in the `ExecutionStore`).
   * @throws FloworkError INTERNAL after `close()`.
   */
  append(jobId: string, event: JobEvent): void {
    if (this.#closed) throw new FloworkError("INTERNAL", "the event writer is closed");
    const list = this.#buffer.get(jobId);
    if (list === undefined) this.#buffer.set(jobId, [event]);
    else list.push(event);
    this.#buffered++;
    const terminal =
      event.type === "workflow_status_update" && TERMINAL_STATUSES.has(event.status_data.status);
    if (terminal || this.#buffered >= this.#maxBuffered) this.#flushInBackground();
    else this.#timer ??= setTimeout(() => this.#flushInBackground(), this.#intervalMs).unref();
  }

  /**
   * Writes everything appended so far; resolves once it (and every earlier flush) is committed. Calls made while
   * a write is in flight share the next write (group commit), so a burst of flushes is one transaction.
   * @throws the storage error when that transaction failed (its events are dropped and `onError` is told).
   */
  flush(): Promise<void> {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    if (this.#next === undefined) {
      const next = this.#chain.then(() => {
        // Taken only now, when the previous write is done: everything appended meanwhile goes in this one.
        this.#next = undefined;
        const batch = this.#buffer;
        const count = this.#buffered;
        this.#buffer = new Map();
        this.#buffered = 0;
        return this.#write(batch, count);
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

  /** Writes what is buffered and refuses further events. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.flush();
  }

  #flushInBackground(): void {
    this.flush().catch(() => {}); // reported to onError by #write
  }

  async #write(batch: Map<string, JobEvent[]>, count: number): Promise<void> {
    if (count === 0) return;
    let result: Awaited<ReturnType<typeof appendEventBatches>>;
    try {
      result = await appendEventBatches(this.#db, batch);
    } catch (err) {
      this.#stats.dropped += count;
      this.#onError(err, count);
      throw err;
    }
    const { written, missing } = result;
    this.#stats.transactions++;
    for (const done of written) this.#stats.events += done.last_seq - done.first_seq + 1;
    for (const jobId of missing) {
      const dropped = batch.get(jobId)?.length ?? 0;
      this.#stats.dropped += dropped;
      this.#warn("dropped events of an unknown job", { job_id: jobId, count: dropped });
    }
    if (this.#listeners.size === 0) return;
    for (const done of written) {
      const events = (batch.get(done.job_id) ?? []).map((event, i) => ({ seq: done.first_seq + i, event }));
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
}
