import type {
  ExecutionDetail,
  ExecutionLog,
  ExecutionMode,
  ExecutionNode,
  ExecutionSummary,
  JobStatus,
  LogEvent,
  Workflow,
} from "@flowork/protocol";
import type { Kysely } from "kysely";
import { isJsonObject, readJson, type StoreWarn } from "./common.js";
import { readEvents } from "./execution-events.js";
import { nodesFromEvents } from "./execution-nodes.js";
import type { EngineDatabase, ExecutionsTable } from "./schema.js";

/** A job that had not finished when the engine stopped, with what is needed to run it again. */
export interface UnfinishedExecution {
  job_id: string;
  preset_name: string | null;
  mode: ExecutionMode;
  status: JobStatus;
  started_by: string | null;
  started_at: string;
  workflow_data: Workflow;
  /** undefined when the run was started without one. */
  initial_payload: unknown;
  start_node_id: string | null;
}

/** The columns of an {@link ExecutionSummary}. */
export const SUMMARY_COLUMNS = [
  "job_id",
  "preset_name",
  "mode",
  "status",
  "started_by",
  "started_at",
  "ended_at",
  "duration_ms",
] as const;

/** An execution summary from its row (drivers may hand back numeric strings for doubles). */
export function toSummary(row: Pick<ExecutionsTable, (typeof SUMMARY_COLUMNS)[number]>): ExecutionSummary {
  return {
    job_id: row.job_id,
    preset_name: row.preset_name,
    mode: row.mode,
    status: row.status,
    started_by: row.started_by,
    started_at: row.started_at,
    ended_at: row.ended_at,
    duration_ms: row.duration_ms === null ? null : Number(row.duration_ms),
  };
}

/** One stored execution with its nodes and logs; an unreadable `result` or log line is left out and reported. */
export async function readExecution(
  db: Kysely<EngineDatabase>,
  warn: StoreWarn,
  jobId: string,
): Promise<ExecutionDetail | undefined> {
  const row = await db
    .selectFrom("executions")
    .select([...SUMMARY_COLUMNS, "error_code", "error_message", "result", "workflow_data"])
    .where("job_id", "=", jobId)
    .executeTakeFirst();
  if (row === undefined) return undefined;
  const nodes = await db
    .selectFrom("execution_nodes")
    .select(["node_id", "module_id", "status", "attempts", "duration_ms", "output_port"])
    .where("job_id", "=", jobId)
    .orderBy("ord")
    .orderBy("node_id")
    .execute();
  // One read of the run's events: its log lines, and its nodes when they were not recorded row by row.
  const events = (await readEvents(db, warn, jobId)).map((e) => e.event);
  const logEvents = events.filter((e): e is LogEvent => e.type === "log");
  const detail: ExecutionDetail = {
    ...toSummary(row),
    nodes:
      nodes.length === 0
        ? nodesFromEvents(events)
        : nodes.map((n) => {
            const node: ExecutionNode = {
              node_id: n.node_id,
              status: n.status,
              attempts: n.attempts,
              duration_ms: n.duration_ms === null ? null : Number(n.duration_ms),
              output_port: n.output_port,
            };
            if (n.module_id !== null) node.module_id = n.module_id;
            return node;
          }),
    logs: logEvents.map(toLog),
  };
  const workflow = readJson(row.workflow_data);
  if (workflow.ok && isJsonObject(workflow.value)) detail.workflow_data = workflow.value as Workflow;
  else warn("left out the corrupted workflow of an execution", { job_id: jobId });
  if (row.error_code !== null) detail.error_code = row.error_code;
  if (row.error_message !== null) detail.error_message = row.error_message;
  if (row.result !== null) {
    const read = readJson(row.result);
    if (read.ok && isJsonObject(read.value)) detail.result = read.value;
    else warn("left out the corrupted result of an execution", { job_id: jobId });
  }
  return detail;
}

function toLog(event: LogEvent): ExecutionLog {
  const log: ExecutionLog = {
    level: event.level,
    source: event.source,
    message: event.message,
    ts: event.ts,
  };
  if (event.node_id !== undefined) log.node_id = event.node_id;
  return log;
}

/** Jobs still QUEUED, RUNNING or PAUSED, oldest first; one whose stored workflow is unreadable is skipped. */
export async function readUnfinished(
  db: Kysely<EngineDatabase>,
  warn: StoreWarn,
): Promise<UnfinishedExecution[]> {
  const rows = await db
    .selectFrom("executions")
    .select([
      "job_id",
      "preset_name",
      "mode",
      "status",
      "started_by",
      "started_at",
      "workflow_data",
      "initial_payload",
      "start_node_id",
    ])
    .where("status", "in", ["QUEUED", "RUNNING", "PAUSED"])
    .orderBy("queued_at")
    .orderBy("job_id")
    .execute();
  const out: UnfinishedExecution[] = [];
  for (const row of rows) {
    const workflow = readJson(row.workflow_data);
    const payload =
      row.initial_payload === null ? { ok: true as const, value: undefined } : readJson(row.initial_payload);
    if (!workflow.ok || !isJsonObject(workflow.value) || !payload.ok) {
      warn("skipped an unfinished execution whose stored workflow or payload is corrupted", {
        job_id: row.job_id,
      });
      continue;
    }
    out.push({ ...row, workflow_data: workflow.value as Workflow, initial_payload: payload.value });
  }
  return out;
}
