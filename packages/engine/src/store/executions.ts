import {
  type ExecutionDetail,
  type ExecutionSummary,
  FloworkError,
  isJobId,
  type JobEvent,
  JobIdSchema,
  type JobStatus,
  TERMINAL_STATUSES,
  type Workflow,
} from "@flowork/protocol";
import type { Kysely, Updateable } from "kysely";
import {
  nowIso,
  pageLimit,
  parseOrThrow,
  type StoreContext,
  type StoreOptions,
  storeContext,
  toNumber,
  toStoredTimestamp,
} from "./common.js";
import {
  type AppendedEvents,
  appendEventsIn,
  jobNotFound,
  readEvents,
  type StoredEvent,
} from "./execution-events.js";
import {
  readExecution,
  readUnfinished,
  SUMMARY_COLUMNS,
  toSummary,
  type UnfinishedExecution,
} from "./execution-reads.js";
import type { HistoryQuery, NewExecution, NodeRecord, StatusChange } from "./execution-types.js";
import type { PendingStatus } from "./journal-batch.js";
import type { EngineDatabase, ExecutionsTable } from "./schema.js";

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const PURGE_BATCH = 500;
const TERMINAL = [...TERMINAL_STATUSES];

/**
 * Execution history: one row per job, its events (numbered per job), its nodes' latest state and its
 * checkpoint. Timestamps are ISO-8601 UTC text; `started_at` holds the queue time until the run starts.
 */
export class ExecutionStore {
  readonly #db: Kysely<EngineDatabase>;
  readonly #ctx: StoreContext;

  constructor(db: Kysely<EngineDatabase>, options?: StoreOptions) {
    this.#db = db;
    this.#ctx = storeContext(options);
  }

  /**
   * Stores a new QUEUED execution.
   * @throws FloworkError VALIDATION_FAILED for a bad job id, CONFLICT when the job id is taken.
   */
  async create(input: NewExecution): Promise<ExecutionSummary> {
    const row = newExecutionRow(input, nowIso(this.#ctx));
    const inserted = await this.#db
      .insertInto("executions")
      .values(row)
      .onConflict((oc) => oc.column("job_id").doNothing())
      .returning("job_id")
      .executeTakeFirst();
    if (inserted === undefined) throw new FloworkError("CONFLICT", `job id ${input.job_id} is already used`);
    return toSummary(row);
  }

  /**
   * Sets a job's status and any of the given fields (timestamps normalised to UTC).
   * @throws FloworkError NOT_FOUND for an unknown job.
   */
  async setStatus(jobId: string, status: JobStatus, change: StatusChange = {}): Promise<void> {
    const set: Updateable<ExecutionsTable> = pendingStatus(status, change);
    const res = await this.#db
      .updateTable("executions")
      .set(set)
      .where("job_id", "=", jobId)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) === 0) throw jobNotFound(jobId);
  }

  /**
   * Stores `events` after the job's earlier ones, in one transaction, numbered with a per-job `seq` that only
   * grows (concurrent calls get disjoint ranges; `(job_id, seq)` is unique). For the hot path use `EventWriter`.
   * @throws FloworkError NOT_FOUND for an unknown job (nothing is written).
   */
  async appendEvents(jobId: string, events: readonly JobEvent[]): Promise<AppendedEvents> {
    if (events.length === 0) {
      const row = await this.#db
        .selectFrom("executions")
        .select("last_seq")
        .where("job_id", "=", jobId)
        .executeTakeFirst();
      if (row === undefined) throw jobNotFound(jobId);
      return { job_id: jobId, first_seq: row.last_seq + 1, last_seq: row.last_seq };
    }
    const done = await this.#db.transaction().execute((trx) => appendEventsIn(trx, jobId, events));
    if (done === undefined) throw jobNotFound(jobId);
    return done;
  }

  /**
   * Records a node's latest state (insert or replace); nodes keep the order they were first recorded in.
   * @throws FloworkError NOT_FOUND for an unknown job.
   */
  async recordNode(jobId: string, node: NodeRecord): Promise<void> {
    const state = {
      module_id: node.module_id ?? null,
      status: node.status,
      attempts: node.attempts,
      duration_ms: node.duration_ms,
      output_port: node.output_port,
      updated_at: nowIso(this.#ctx),
    };
    await this.#db.transaction().execute(async (trx) => {
      await requireJob(trx, jobId);
      const last = await trx
        .selectFrom("execution_nodes")
        .select((eb) => eb.fn.max("ord").as("ord"))
        .where("job_id", "=", jobId)
        .executeTakeFirst();
      await trx
        .insertInto("execution_nodes")
        .values({ job_id: jobId, node_id: node.node_id, ord: toNumber(last?.ord) + 1, ...state })
        .onConflict((oc) => oc.columns(["job_id", "node_id"]).doUpdateSet(state))
        .execute();
    });
  }

  /** The newest executions first (`limit` ≤ 200, default 50), before the `before` timestamp when given. */
  async history(query: HistoryQuery = {}): Promise<ExecutionSummary[]> {
    let q = this.#db
      .selectFrom("executions")
      .select([...SUMMARY_COLUMNS])
      .orderBy("started_at", "desc")
      .orderBy("job_id", "desc")
      .limit(pageLimit(query.limit, 50, 200));
    if (query.before !== undefined) q = q.where("started_at", "<", toStoredTimestamp(query.before, "before"));
    return (await q.execute()).map(toSummary);
  }

  /** A stored execution's status, or undefined (one indexed lookup: the queue worker asks for every job). */
  async status(jobId: string): Promise<JobStatus | undefined> {
    const row = await this.#db
      .selectFrom("executions")
      .select("status")
      .where("job_id", "=", jobId)
      .executeTakeFirst();
    return row?.status;
  }

  /** Whether an execution with this id is stored. */
  async exists(jobId: string): Promise<boolean> {
    return (await this.status(jobId)) !== undefined;
  }

  /** One execution with its nodes and log lines, or undefined. */
  get(jobId: string): Promise<ExecutionDetail | undefined> {
    return readExecution(this.#db, this.#ctx.warn, jobId);
  }

  /** The job's stored events after `afterSeq` (default: all), in order (the `subscribe_job` replay). */
  events(jobId: string, afterSeq = 0, limit?: number): Promise<StoredEvent[]> {
    return readEvents(
      this.#db,
      this.#ctx.warn,
      jobId,
      limit === undefined ? { afterSeq } : { afterSeq, limit },
    );
  }

  /** Jobs still QUEUED, RUNNING or PAUSED (after a crash: to resume or mark INTERRUPTED), oldest first. */
  unfinished(): Promise<UnfinishedExecution[]> {
    return readUnfinished(this.#db, this.#ctx.warn);
  }

  /**
   * Stores the job's resumable state (replacing the previous one).
   * @throws FloworkError NOT_FOUND for an unknown job.
   */
  async saveCheckpoint(jobId: string, state: string): Promise<void> {
    const updatedAt = nowIso(this.#ctx);
    await this.#db.transaction().execute(async (trx) => {
      await requireJob(trx, jobId);
      await trx
        .insertInto("checkpoints")
        .values({ job_id: jobId, state, updated_at: updatedAt })
        .onConflict((oc) => oc.column("job_id").doUpdateSet({ state, updated_at: updatedAt }))
        .execute();
    });
  }

  /** The job's last checkpoint, or undefined. */
  async loadCheckpoint(jobId: string): Promise<string | undefined> {
    const row = await this.#db
      .selectFrom("checkpoints")
      .select("state")
      .where("job_id", "=", jobId)
      .executeTakeFirst();
    return row?.state;
  }

  /** Drops the job's checkpoint; false when it had none. */
  async deleteCheckpoint(jobId: string): Promise<boolean> {
    const res = await this.#db.deleteFrom("checkpoints").where("job_id", "=", jobId).executeTakeFirst();
    return Number(res.numDeletedRows) > 0;
  }

  /**
   * Deletes finished executions (terminal status) that ended before `isoDate` (or, lacking an end time, started
   * before it), with their events, nodes and checkpoints, in batches of 500 so no transaction holds the write
   * lock for long. Unfinished jobs are never purged.
   * @returns how many executions were removed.
   */
  async purgeOlderThan(isoDate: string): Promise<number> {
    const cutoff = toStoredTimestamp(isoDate, "isoDate");
    let removed = 0;
    for (;;) {
      const count = await this.#db.transaction().execute(async (trx) => {
        const ids = (
          await trx
            .selectFrom("executions")
            .select("job_id")
            .where("status", "in", TERMINAL)
            .where((eb) => eb(eb.fn.coalesce("ended_at", "started_at"), "<", cutoff))
            .limit(PURGE_BATCH)
            .execute()
        ).map((r) => r.job_id);
        if (ids.length === 0) return 0;
        await trx.deleteFrom("execution_events").where("job_id", "in", ids).execute();
        await trx.deleteFrom("execution_nodes").where("job_id", "in", ids).execute();
        await trx.deleteFrom("checkpoints").where("job_id", "in", ids).execute();
        await trx.deleteFrom("executions").where("job_id", "in", ids).execute();
        return ids.length;
      });
      removed += count;
      if (count < PURGE_BATCH) return removed;
    }
  }
}

async function requireJob(db: Kysely<EngineDatabase>, jobId: string): Promise<void> {
  const row = await db
    .selectFrom("executions")
    .select("job_id")
    .where("job_id", "=", jobId)
    .executeTakeFirst();
  if (row === undefined) throw jobNotFound(jobId);
}

/**
 * The JSON text of a workflow document, computed once per document object: a preset run by a webhook or a
 * schedule passes the same (cached, never mutated) document every time.
 */
const workflowTexts = new WeakMap<object, string>();
function workflowText(workflow: Workflow): string {
  let text = workflowTexts.get(workflow);
  if (text === undefined) {
    text = JSON.stringify(workflow);
    workflowTexts.set(workflow, text);
  }
  return text;
}

/**
 * The stored row of a new QUEUED execution (`queued_at` = `started_at` = `now` until the run starts).
 * @throws FloworkError VALIDATION_FAILED for a bad job id.
 */
export function newExecutionRow(input: NewExecution, now: string): ExecutionsTable {
  // The common case (a generated or well-formed id) skips zod; anything else gets its full error.
  if (!isJobId(input.job_id)) parseOrThrow(JobIdSchema, input.job_id, "invalid job id");
  return {
    job_id: input.job_id,
    preset_name: input.preset_name,
    mode: input.mode,
    status: "QUEUED",
    started_by:
      input.started_by !== null && ADDRESS.test(input.started_by)
        ? input.started_by.toLowerCase()
        : input.started_by,
    queued_at: now,
    started_at: now,
    ended_at: null,
    duration_ms: null,
    error_code: null,
    error_message: null,
    result: null,
    workflow_data: workflowText(input.workflow_data),
    initial_payload: input.initial_payload === undefined ? null : JSON.stringify(input.initial_payload),
    start_node_id: input.start_node_id ?? null,
    last_seq: 0,
  };
}

/**
 * A status change as stored: timestamps normalised to UTC, the result as JSON text; omitted fields stay omitted.
 * @throws FloworkError VALIDATION_FAILED for a timestamp that is not ISO-8601.
 */
export function pendingStatus(status: JobStatus, change: StatusChange): PendingStatus {
  const set: PendingStatus = { status };
  if (change.started_at !== undefined) set.started_at = toStoredTimestamp(change.started_at, "started_at");
  if (change.ended_at !== undefined) set.ended_at = toStoredTimestamp(change.ended_at, "ended_at");
  if (change.duration_ms !== undefined) set.duration_ms = change.duration_ms;
  if (change.error_code !== undefined) set.error_code = change.error_code;
  if (change.error_message !== undefined) set.error_message = change.error_message;
  if (change.result !== undefined) set.result = JSON.stringify(change.result);
  return set;
}
