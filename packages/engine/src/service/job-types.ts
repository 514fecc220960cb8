import type { ExecutionMode, JobEvent, JobStatus } from "@flowork/protocol";
import type { NewExecution, StatusChange } from "../store/execution-types.js";

/** What the job manager reads from the execution store (the SQLite/PostgreSQL store implements it). */
export interface JobStore {
  /** Whether the job is stored (writes still buffered in the journal count: it flushes first). */
  exists(jobId: string): Promise<boolean>;
  events(jobId: string): Promise<JobEvent[]>;
  loadCheckpoint(jobId: string): Promise<string | undefined>;
  unfinished(): Promise<UnfinishedJob[]>;
}

export interface UnfinishedJob {
  job_id: string;
  preset_name: string | null;
  mode: ExecutionMode;
  started_by: string | null;
  workflow_data: unknown;
  initial_payload: unknown;
  start_node_id: string | null;
  status: JobStatus;
}

/**
 * The execution journal (the store's `EventWriter`): every write of a run, buffered and group-committed in
 * order. The calls are synchronous; `flush` resolves once everything buffered before it is stored.
 */
export interface EventAppender {
  create(input: NewExecution): void;
  setStatus(jobId: string, status: JobStatus, fields?: StatusChange): void;
  append(jobId: string, event: JobEvent): void;
  saveCheckpoint(jobId: string, state: string): void;
  deleteCheckpoint(jobId: string): void;
  flush(): Promise<void>;
}

/** A request to run something. */
export interface JobRequest {
  jobId?: string;
  /** Inline workflow document, or a saved preset's name (its latest version). */
  workflow?: unknown;
  presetName?: string;
  mode: ExecutionMode;
  initialPayload?: unknown;
  startNodeId?: string;
  /** Lowercase address of the signer; null for triggers (webhook, cron). */
  startedBy: string | null;
  /** Run at once, outside the concurrency queue (a sub-workflow whose parent holds a slot). */
  bypassQueue?: boolean;
  /** Nesting depth of sub-workflows. */
  depth?: number;
  /** Queue mode, on a worker: the engine's kill switch when it queued the run (on top of the worker's own). */
  disabledComponents?: readonly string[];
}
