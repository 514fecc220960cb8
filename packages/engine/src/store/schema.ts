import type { ExecutionMode, JobStatus, NodeStatus } from "@flowork/protocol";
import type { Generated } from "kysely";

/*
 * The engine database, as Kysely sees it. Dialect-neutral by construction:
 * - timestamps are ISO-8601 UTC strings (`Date#toISOString()`, always `YYYY-MM-DDTHH:mm:ss.sssZ`), so text order is
 *   time order on SQLite and PostgreSQL alike and they go on the wire unchanged;
 * - JSON documents are TEXT (`JSON.stringify`), parsed by the stores, never queried with JSON operators;
 * - booleans are INTEGER 0/1;
 * - counters (`version`, `seq`, `attempts`) are INTEGER (int4 on PostgreSQL, so they arrive as JS numbers);
 *   durations are DOUBLE PRECISION.
 */

/** One row per preset name ever saved: the version counter, so version numbers are never reused. */
export interface PresetHeadsTable {
  name: string;
  latest_version: number;
  /** 1 once deleted (its versions are gone; a later save continues the numbering). */
  deleted: number;
}

/** Every saved version of every live preset. */
export interface PresetVersionsTable {
  name: string;
  version: number;
  workflow_data: string;
  updated_at: string;
  updated_by: string;
  message: string | null;
  signature: string | null;
}

/** Variables; `value`/`value_list` hold `SecretBox` ciphertexts when `is_secret` is 1. */
export interface VariablesTable {
  name: string;
  value: string;
  /** JSON array of strings (or its ciphertext). */
  value_list: string;
  mode: "single" | "random" | "sequential";
  is_secret: number;
  is_enabled: number;
  updated_at: string;
}

/** Saved settings, one JSON-encoded value per key; missing keys take their defaults. */
export interface SettingsTable {
  key: string;
  value: string;
  updated_at: string;
}

/** One row per job: its summary, outcome, what it ran (for crash recovery) and its event counter. */
export interface ExecutionsTable {
  job_id: string;
  preset_name: string | null;
  mode: ExecutionMode;
  status: JobStatus;
  started_by: string | null;
  queued_at: string;
  /** The queue time until the run starts, then its start time. */
  started_at: string;
  ended_at: string | null;
  duration_ms: number | null;
  error_code: string | null;
  error_message: string | null;
  /** JSON object or null. */
  result: string | null;
  /** JSON workflow. */
  workflow_data: string;
  /** JSON value, or null when none was given. */
  initial_payload: string | null;
  start_node_id: string | null;
  /** The `seq` of the job's last stored event (0 before any). */
  last_seq: number;
}

/** Every stored event of a job, numbered by `seq`; primary key `(job_id, seq)`. */
export interface ExecutionEventsTable {
  job_id: string;
  seq: number;
  type: string;
  /** The whole `JobEvent` as JSON. */
  data: string;
}

/** The latest state of each node of a job; primary key `(job_id, node_id)`. */
export interface ExecutionNodesTable {
  job_id: string;
  node_id: string;
  /** Order in which the node was first recorded. */
  ord: number;
  module_id: string | null;
  status: NodeStatus;
  attempts: number;
  duration_ms: number | null;
  output_port: string | null;
  updated_at: string;
}

/** A job's last resumable state (a JSON `RunCheckpoint`, kept as the runtime's text). */
export interface CheckpointsTable {
  job_id: string;
  state: string;
  updated_at: string;
}

/** Append-only audit entries; `id` orders entries with the same `ts`. */
export interface AuditLogTable {
  id: Generated<number>;
  ts: string;
  address: string;
  type: string;
  message: string;
  signature: string;
  payload_sha256: string;
}

/** Install-wide values: the scrypt salt and the secret-key check value. */
export interface MetaTable {
  key: string;
  value: string;
}

/** Every table of the engine database. */
export interface EngineDatabase {
  meta: MetaTable;
  preset_heads: PresetHeadsTable;
  preset_versions: PresetVersionsTable;
  variables: VariablesTable;
  settings: SettingsTable;
  executions: ExecutionsTable;
  execution_events: ExecutionEventsTable;
  execution_nodes: ExecutionNodesTable;
  checkpoints: CheckpointsTable;
  audit_log: AuditLogTable;
}
