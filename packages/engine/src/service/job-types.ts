import type { ExecutionMode, JobEvent, JobStatus } from "@flowork/protocol";

/** What the job manager needs from the execution store (the SQLite/PostgreSQL store implements it). */
export interface JobStore {
  create(input: {
    job_id: string;
    preset_name: string | null;
    mode: ExecutionMode;
    started_by: string | null;
    workflow_data: unknown;
    initial_payload: unknown;
    start_node_id?: string | null;
  }): Promise<void>;
  setStatus(
    jobId: string,
    status: JobStatus,
    fields?: {
      started_at?: string;
      ended_at?: string;
      duration_ms?: number;
      error_code?: string | null;
      error_message?: string | null;
      result?: unknown;
    },
  ): Promise<void>;
  exists(jobId: string): Promise<boolean>;
  events(jobId: string): Promise<JobEvent[]>;
  saveCheckpoint(jobId: string, state: string): Promise<void>;
  loadCheckpoint(jobId: string): Promise<string | undefined>;
  deleteCheckpoint(jobId: string): Promise<void>;
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

/** Batches event writes (see store/event-writer.ts). */
export interface EventAppender {
  append(jobId: string, event: JobEvent): void;
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
}
