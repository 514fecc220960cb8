import { z } from "zod";
import { ExecutionModeSchema } from "./common.js";

/** Job statuses (SPEC section 4). Terminal ones end a run. */
export const JobStatusSchema = z.enum([
  "QUEUED",
  "RUNNING",
  "PAUSED",
  "SUCCEEDED",
  "FAILED",
  "STOPPED",
  "INTERRUPTED",
]);
export type JobStatus = z.infer<typeof JobStatusSchema>;
export const TERMINAL_STATUSES: ReadonlySet<JobStatus> = new Set([
  "SUCCEEDED",
  "FAILED",
  "STOPPED",
  "INTERRUPTED",
]);

export const NodeStatusSchema = z.enum(["RUNNING", "SUCCEEDED", "FAILED", "SKIPPED"]);
export type NodeStatus = z.infer<typeof NodeStatusSchema>;

export const EventLogLevelSchema = z.enum(["DEBUG", "INFO", "WARN", "ERROR", "SUCCESS"]);
export type EventLogLevel = z.infer<typeof EventLogLevelSchema>;

export const StatusDataSchema = z.object({
  status: JobStatusSchema,
  mode: ExecutionModeSchema,
  start_time: z.string(),
  end_time: z.string().optional(),
  error_message: z.string().optional(),
  error_code: z.string().optional(),
  result: z.record(z.string(), z.unknown()).optional(),
});
export type StatusData = z.infer<typeof StatusDataSchema>;

export const WorkflowStatusUpdateSchema = z.object({
  type: z.literal("workflow_status_update"),
  job_id: z.string(),
  status_data: StatusDataSchema,
});

export const NodeExecutionMetricSchema = z.object({
  type: z.literal("NODE_EXECUTION_METRIC"),
  job_id: z.string(),
  node_id: z.string(),
  module_id: z.string(),
  status: NodeStatusSchema,
  attempt: z.number().int().min(1),
  started_at: z.string(),
  duration_ms: z.number().optional(),
  output_port: z.string().optional(),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
});

export const LogEventSchema = z.object({
  type: z.literal("log"),
  job_id: z.string(),
  node_id: z.string().optional(),
  level: EventLogLevelSchema,
  source: z.string(),
  message: z.string(),
  ts: z.string(),
});

export const DebugPopupEventSchema = z.object({
  type: z.literal("SHOW_DEBUG_POPUP"),
  job_id: z.string(),
  node_id: z.string(),
  title: z.string(),
  content: z.unknown(),
});

export const EngineStatusEventSchema = z.object({
  type: z.literal("engine_status_update"),
  engine_id: z.string(),
  is_busy: z.boolean(),
  cpu_percent: z.number(),
  memory_percent: z.number(),
});

/** Events produced by a workflow run (the runtime emits these; the engine stores and relays them). */
export const JobEventSchema = z.discriminatedUnion("type", [
  WorkflowStatusUpdateSchema,
  NodeExecutionMetricSchema,
  LogEventSchema,
  DebugPopupEventSchema,
]);
export type JobEvent = z.infer<typeof JobEventSchema>;
export type WorkflowStatusUpdate = z.infer<typeof WorkflowStatusUpdateSchema>;
export type NodeExecutionMetric = z.infer<typeof NodeExecutionMetricSchema>;
export type LogEvent = z.infer<typeof LogEventSchema>;
export type DebugPopupEvent = z.infer<typeof DebugPopupEventSchema>;
export type EngineStatusEvent = z.infer<typeof EngineStatusEventSchema>;

export const EngineEventSchema = z.discriminatedUnion("type", [
  WorkflowStatusUpdateSchema,
  NodeExecutionMetricSchema,
  LogEventSchema,
  DebugPopupEventSchema,
  EngineStatusEventSchema,
]);
export type EngineEvent = z.infer<typeof EngineEventSchema>;
