import {
  EventLogLevelSchema,
  type ExecutionDetail,
  JobStatusSchema,
  NodeStatusSchema,
  TERMINAL_STATUSES,
} from "@flowork/protocol";

/** The state of one run as the editor shows it, folded from engine events (SPEC section 4) or a stored execution. */

export type NodeRunStatus = "RUNNING" | "SUCCEEDED" | "FAILED" | "SKIPPED";
export type LogLevel = "DEBUG" | "INFO" | "WARN" | "ERROR" | "SUCCESS";

export interface LogLine {
  seq: number;
  job_id: string;
  node_id?: string;
  level: LogLevel;
  source: string;
  message: string;
  ts: string;
}

export interface NodeRun {
  status: NodeRunStatus;
  duration_ms?: number;
  attempt?: number;
  started_at?: string;
  output_port?: string;
  error?: { code: string; message: string };
}

/** A `SHOW_DEBUG_POPUP` event: what a `debug_popup` node showed (masked by the engine). */
export interface DebugPopup {
  seq: number;
  node_id: string;
  title: string;
  content: unknown;
}

export interface RunState {
  jobId: string | undefined;
  mode: "EXECUTE" | "SIMULATE" | undefined;
  status: string | undefined;
  error: string | undefined;
  errorCode?: string;
  startTime?: string;
  endTime?: string;
  nodes: Record<string, NodeRun>;
  logs: LogLine[];
  popups: DebugPopup[];
  /** `status_data.result`: per node id, the last payload it emitted on a port with no outgoing connection. */
  result?: Record<string, unknown>;
  /**
   * Set for a run read back from storage: replayed `log` events (subscribe_job) that are already listed are
   * dropped. A live run never drops a line, even two identical ones.
   */
  dedupeLogs?: boolean;
}

export const EMPTY_RUN: RunState = {
  jobId: undefined,
  mode: undefined,
  status: undefined,
  error: undefined,
  nodes: {},
  logs: [],
  popups: [],
};

export const MAX_LOGS = 2000;
const MAX_POPUPS = 200;
// The protocol's own lists (SPEC section 4), so a status or level added there is known here too.
const JOB_STATUSES = new Set<string>(JobStatusSchema.options);
const TERMINAL: ReadonlySet<string> = TERMINAL_STATUSES;
const NODE_STATUSES = new Set<string>(NodeStatusSchema.options);
const LEVELS = new Set<string>(EventLogLevelSchema.options);

let seq = 0;
const nextSeq = () => ++seq;

/** True while a run is active (queued, running or paused). */
export function isRunning(run: RunState): boolean {
  return (
    run.jobId !== undefined &&
    (run.status === "QUEUED" || run.status === "RUNNING" || run.status === "PAUSED")
  );
}

export function isTerminal(status: string | undefined): boolean {
  return status !== undefined && TERMINAL.has(status);
}

const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

function logKey(l: Pick<LogLine, "ts" | "level" | "node_id" | "message">): string {
  return `${l.ts}\u0000${l.level}\u0000${l.node_id ?? ""}\u0000${l.message}`;
}

/**
 * Applies one engine event to a run and returns the new state, or `undefined` when the event changes nothing
 * (not a job event this reducer knows, or malformed). The caller decides whether the event's job is this run.
 */
export function reduceRunEvent(run: RunState, name: string, data: unknown): RunState | undefined {
  if (!isRecord(data)) return undefined;
  const jobId = str(data.job_id);
  if (!jobId) return undefined;
  if (name === "NODE_EXECUTION_METRIC") {
    const nodeId = str(data.node_id);
    const status = str(data.status);
    if (!nodeId || !status || !NODE_STATUSES.has(status)) return undefined;
    const err = isRecord(data.error) ? data.error : undefined;
    const entry: NodeRun = {
      status: status as NodeRunStatus,
      ...(typeof data.duration_ms === "number" && { duration_ms: data.duration_ms }),
      ...(typeof data.attempt === "number" && { attempt: data.attempt }),
      ...(typeof data.started_at === "string" && { started_at: data.started_at }),
      ...(typeof data.output_port === "string" && { output_port: data.output_port }),
      ...(err && { error: { code: String(err.code ?? ""), message: String(err.message ?? "") } }),
    };
    return { ...run, nodes: { ...run.nodes, [nodeId]: entry } };
  }
  if (name === "log") {
    const level = str(data.level);
    const line: LogLine = {
      seq: nextSeq(),
      job_id: jobId,
      ...(typeof data.node_id === "string" && { node_id: data.node_id }),
      level: level && LEVELS.has(level) ? (level as LogLevel) : "INFO",
      source: String(data.source ?? ""),
      message: String(data.message ?? ""),
      ts: String(data.ts ?? new Date().toISOString()),
    };
    if (run.dedupeLogs) {
      const key = logKey(line);
      if (run.logs.some((l) => logKey(l) === key)) return undefined;
    }
    return { ...run, logs: [...run.logs, line].slice(-MAX_LOGS) };
  }
  if (name === "workflow_status_update") {
    const sd = isRecord(data.status_data) ? data.status_data : {};
    const status = str(sd.status);
    const mode = str(sd.mode);
    return {
      ...run,
      status: status && JOB_STATUSES.has(status) ? status : run.status,
      ...(mode === "EXECUTE" || mode === "SIMULATE" ? { mode } : {}),
      error: str(sd.error_message) ?? run.error,
      ...(typeof sd.error_code === "string" && { errorCode: sd.error_code }),
      ...(typeof sd.start_time === "string" && { startTime: sd.start_time }),
      ...(typeof sd.end_time === "string" && { endTime: sd.end_time }),
      ...(isRecord(sd.result) && { result: sd.result }),
    };
  }
  if (name === "SHOW_DEBUG_POPUP") {
    const nodeId = str(data.node_id);
    if (!nodeId) return undefined;
    const title = String(data.title ?? "");
    if (
      run.dedupeLogs &&
      run.popups.some(
        (p) => p.node_id === nodeId && p.title === title && same(p.content, data.content ?? null),
      )
    ) {
      return undefined;
    }
    const popup: DebugPopup = { seq: nextSeq(), node_id: nodeId, title, content: data.content ?? null };
    return { ...run, popups: [...run.popups, popup].slice(-MAX_POPUPS) };
  }
  return undefined;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * A job-control answer (`pause_workflow_response`, `resume_workflow_response`, `stop_workflow_response`):
 * takes its status unless the run already ended (the answer may arrive after the final event).
 */
export function applyControlStatus(run: RunState, status: string): RunState {
  if (isTerminal(run.status) || !JOB_STATUSES.has(status)) return run;
  return { ...run, status };
}

/** The run state of a stored execution (`execution_response`), ready to show. */
export function runFromExecution(detail: ExecutionDetail): RunState {
  const nodes: Record<string, NodeRun> = {};
  for (const n of detail.nodes) {
    nodes[n.node_id] = {
      status: n.status,
      ...(n.duration_ms !== null && { duration_ms: n.duration_ms }),
      ...(n.attempts > 0 && { attempt: n.attempts }),
      ...(n.output_port !== null && { output_port: n.output_port }),
    };
  }
  return {
    jobId: detail.job_id,
    mode: detail.mode,
    status: detail.status,
    error: detail.error_message,
    ...(detail.error_code !== undefined && { errorCode: detail.error_code }),
    startTime: detail.started_at,
    ...(detail.ended_at !== null && { endTime: detail.ended_at }),
    nodes,
    logs: detail.logs.map((l) => ({
      seq: nextSeq(),
      job_id: detail.job_id,
      ...(l.node_id !== undefined && { node_id: l.node_id }),
      level: l.level,
      source: l.source,
      message: l.message,
      ts: l.ts,
    })),
    popups: [],
    ...(detail.result !== undefined && { result: detail.result }),
    dedupeLogs: true,
  };
}

/** Everything the run knows about one node, for the debug popup. */
export interface NodeDetail {
  node: NodeRun | undefined;
  /** Present only when the engine reported it: the node's last payload on an unconnected port. */
  output: { value: unknown } | undefined;
  popups: DebugPopup[];
  logs: LogLine[];
}

export function nodeDetail(run: RunState, nodeId: string): NodeDetail {
  const result = run.result;
  return {
    node: run.nodes[nodeId],
    output: result && Object.hasOwn(result, nodeId) ? { value: result[nodeId] } : undefined,
    popups: run.popups.filter((p) => p.node_id === nodeId),
    logs: run.logs.filter((l) => l.node_id === nodeId),
  };
}
