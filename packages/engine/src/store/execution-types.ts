import type { ExecutionMode, NodeStatus, Workflow } from "@flowork/protocol";

/** A new execution, stored as QUEUED. */
export interface NewExecution {
  job_id: string;
  preset_name: string | null;
  mode: ExecutionMode;
  /** The starting user's address, or null for a trigger. */
  started_by: string | null;
  workflow_data: Workflow;
  initial_payload?: unknown;
  start_node_id?: string | null | undefined;
}

/** Fields a status change may set; omitted ones keep their stored value. */
export interface StatusChange {
  started_at?: string;
  ended_at?: string;
  duration_ms?: number;
  error_code?: string;
  error_message?: string;
  result?: Record<string, unknown>;
}

/** The latest state of one node of a run. */
export interface NodeRecord {
  node_id: string;
  module_id?: string | undefined;
  status: NodeStatus;
  attempts: number;
  duration_ms: number | null;
  output_port: string | null;
}

/** A page of the history: the newest first, `limit` 1..200 (default 50), only runs started before `before`. */
export interface HistoryQuery {
  limit?: number | undefined;
  before?: string | undefined;
}
