import { z } from "zod";
import { ERROR_CODES, type ErrorCode, toFloworkError } from "../errors.js";
import { AddressSchema, ExecutionModeSchema } from "./common.js";
import {
  JobIdSchema,
  PresetNameSchema,
  RequestIdSchema,
  VariableModeSchema,
  VariableNameSchema,
} from "./engine-fields.js";
import type { EngineRequestType } from "./engine-requests.js";
import { EventLogLevelSchema, JobStatusSchema, NodeStatusSchema } from "./events.js";
import { ManifestSchema } from "./manifest.js";
import { EngineSettingsPatchSchema } from "./settings.js";
import { WorkflowSchema } from "./workflow.js";

/*
 * Response frames of the Core Engine WebSocket (SPEC section 4) and the engine's internal `/health` body.
 * Re-exported from `./engine.js`.
 * The engine writes these and clients may validate them. Objects are not strict: a newer engine may add fields
 * and an older client must still read the rest.
 */

const response = <T extends string, S extends z.ZodRawShape>(type: T, shape: S) =>
  z.object({ type: z.literal(type), request_id: RequestIdSchema, ...shape });

/** An ISO-8601 timestamp as the engine emits it. */
const TimestampSchema = z.string().min(1).max(64);
const PresetVersionNumberSchema = z.number().int().min(1);

export const PongResponseSchema = response("pong", {
  engine_id: z.string(),
  version: z.string(),
  ts: TimestampSchema,
});

export const ExecuteWorkflowResponseSchema = response("execute_workflow_response", {
  job_id: JobIdSchema,
  status: z.literal("QUEUED"),
});
export const ExecuteStandaloneNodeResponseSchema = response("execute_standalone_node_response", {
  job_id: JobIdSchema,
});

const jobStatusResponse = <T extends string>(type: T) =>
  response(type, { job_id: JobIdSchema, status: JobStatusSchema });
export const StopWorkflowResponseSchema = jobStatusResponse("stop_workflow_response");
export const PauseWorkflowResponseSchema = jobStatusResponse("pause_workflow_response");
export const ResumeWorkflowResponseSchema = jobStatusResponse("resume_workflow_response");
/** Sent before the job's earlier events are replayed; `status` is the job's status at that moment. */
export const SubscribeJobResponseSchema = jobStatusResponse("subscribe_job_response");

/**
 * One row of the execution history. `preset_name` is null for an inline workflow; `started_by` is the lowercase
 * address of the user who started it, or null for a trigger (webhook, cron, interval); `ended_at`/`duration_ms`
 * are null while it runs.
 */
export const ExecutionSummarySchema = z.object({
  job_id: JobIdSchema,
  preset_name: z.string().nullable(),
  mode: ExecutionModeSchema,
  status: JobStatusSchema,
  started_by: z.string().nullable(),
  started_at: TimestampSchema,
  ended_at: TimestampSchema.nullable(),
  duration_ms: z.number().min(0).nullable(),
});
export type ExecutionSummary = z.infer<typeof ExecutionSummarySchema>;

/** One node's outcome in a stored execution (its last attempt). */
export const ExecutionNodeSchema = z.object({
  node_id: z.string(),
  module_id: z.string().optional(),
  status: NodeStatusSchema,
  attempts: z.number().int().min(0),
  duration_ms: z.number().min(0).nullable(),
  output_port: z.string().nullable(),
  /** Why the node failed (its last attempt), when it did. */
  error: z.object({ code: z.string(), message: z.string() }).optional(),
});
export type ExecutionNode = z.infer<typeof ExecutionNodeSchema>;

/** A stored `log` event of the execution (the job id is the execution's). */
export const ExecutionLogSchema = z.object({
  node_id: z.string().optional(),
  level: EventLogLevelSchema,
  source: z.string(),
  message: z.string(),
  ts: TimestampSchema,
});
export type ExecutionLog = z.infer<typeof ExecutionLogSchema>;

export const ExecutionDetailSchema = ExecutionSummarySchema.extend({
  error_code: z.string().optional(),
  error_message: z.string().optional(),
  result: z.record(z.string(), z.unknown()).optional(),
  nodes: z.array(ExecutionNodeSchema),
  logs: z.array(ExecutionLogSchema),
  /** The workflow exactly as the run executed it (a preset resolved to its version at the time). */
  workflow_data: WorkflowSchema.optional(),
});
export type ExecutionDetail = z.infer<typeof ExecutionDetailSchema>;

export const ExecutionHistoryResponseSchema = response("execution_history_response", {
  executions: z.array(ExecutionSummarySchema),
});
export const ExecutionResponseSchema = response("execution_response", { execution: ExecutionDetailSchema });

/** A plugin that failed to load, as listed to clients (no server paths). */
export const PluginErrorViewSchema = z.object({ id: z.string(), code: z.string(), message: z.string() });

export const ComponentsListResponseSchema = response("components_list_response", {
  components: z.array(ManifestSchema),
  plugin_errors: z.array(PluginErrorViewSchema).optional(),
});

export const PresetListingSchema = z.object({
  name: PresetNameSchema,
  version: PresetVersionNumberSchema,
  updated_at: TimestampSchema,
  updated_by: z.string(),
});
export type PresetListing = z.infer<typeof PresetListingSchema>;

/**
 * One saved version of a preset. `message`/`signature` are the signed envelope's `auth` that saved it, so anyone
 * can re-verify authorship; absent for versions imported without one.
 */
export const PresetVersionSchema = z.object({
  version: PresetVersionNumberSchema,
  updated_at: TimestampSchema,
  updated_by: z.string(),
  message: z.string().optional(),
  signature: z.string().optional(),
});
export type PresetVersion = z.infer<typeof PresetVersionSchema>;

export const PresetsListResponseSchema = response("presets_list_response", {
  presets: z.array(PresetListingSchema),
});
export const LoadPresetResponseSchema = response("load_preset_response", {
  name: PresetNameSchema,
  version: PresetVersionNumberSchema,
  workflow_data: WorkflowSchema,
});
export const PresetVersionsResponseSchema = response("preset_versions_response", {
  versions: z.array(PresetVersionSchema),
});
export const SavePresetResponseSchema = response("save_preset_response", {
  name: PresetNameSchema,
  version: PresetVersionNumberSchema,
});
export const DeletePresetResponseSchema = response("delete_preset_response", { name: PresetNameSchema });

/** A variable as clients see it: a secret's `value` is always `""` and its `values` `[]`. */
export const VariableViewSchema = z
  .object({
    name: VariableNameSchema,
    value: z.string(),
    values: z.array(z.string()),
    mode: VariableModeSchema,
    is_secret: z.boolean(),
    is_enabled: z.boolean(),
  })
  .refine((v) => !v.is_secret || (v.value === "" && v.values.length === 0), {
    message: "a secret's value is never shown",
  });
export type VariableView = z.infer<typeof VariableViewSchema>;

export const VariablesResponseSchema = response("variables_response", {
  variables: z.array(VariableViewSchema),
});
export const UpdateVariableResponseSchema = response("update_variable_response", {
  variable: VariableViewSchema,
});
export const DeleteVariableResponseSchema = response("delete_variable_response", {
  name: VariableNameSchema,
});

/** One accepted state-changing command, with the signed message and signature that authorised it. */
export const AuditEntrySchema = z.object({
  ts: TimestampSchema,
  address: AddressSchema,
  type: z.string(),
  message: z.string(),
  signature: z.string(),
  payload_sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type AuditEntry = z.infer<typeof AuditEntrySchema>;

export const AuditLogResponseSchema = response("audit_log_response", { entries: z.array(AuditEntrySchema) });

/** Complete settings, every key present (what the engine answers with). */
export const FullEngineSettingsSchema = EngineSettingsPatchSchema.required();
export const SettingsResponseSchema = response("settings_response", { settings: FullEngineSettingsSchema });
export const SaveSettingsResponseSchema = response("save_settings_response", {
  settings: FullEngineSettingsSchema,
});

/**
 * The error frame. `request_id` is null when the frame had none that could be read (malformed JSON, oversized
 * frame). `details` never echoes submitted values.
 */
export const EngineErrorFrameSchema = z.object({
  type: z.literal("error"),
  request_id: RequestIdSchema.nullable(),
  code: z.enum(ERROR_CODES as [ErrorCode, ...ErrorCode[]]),
  message: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
});
export type EngineErrorFrame = z.infer<typeof EngineErrorFrameSchema>;

/** Every response frame the engine sends for a request, success or error. */
export const EngineResponseSchema = z.discriminatedUnion("type", [
  PongResponseSchema,
  ExecuteWorkflowResponseSchema,
  ExecuteStandaloneNodeResponseSchema,
  StopWorkflowResponseSchema,
  PauseWorkflowResponseSchema,
  ResumeWorkflowResponseSchema,
  SubscribeJobResponseSchema,
  ExecutionHistoryResponseSchema,
  ExecutionResponseSchema,
  ComponentsListResponseSchema,
  PresetsListResponseSchema,
  LoadPresetResponseSchema,
  PresetVersionsResponseSchema,
  SavePresetResponseSchema,
  DeletePresetResponseSchema,
  VariablesResponseSchema,
  UpdateVariableResponseSchema,
  DeleteVariableResponseSchema,
  AuditLogResponseSchema,
  SettingsResponseSchema,
  SaveSettingsResponseSchema,
  EngineErrorFrameSchema,
]);
export type EngineResponse = z.infer<typeof EngineResponseSchema>;
export type EngineResponseType = EngineResponse["type"];

/** The success response type of each request type, as the SPEC table names them. */
export const RESPONSE_TYPE_OF = Object.freeze({
  ping: "pong",
  execute_workflow: "execute_workflow_response",
  execute_standalone_node: "execute_standalone_node_response",
  stop_workflow: "stop_workflow_response",
  pause_workflow: "pause_workflow_response",
  resume_workflow: "resume_workflow_response",
  subscribe_job: "subscribe_job_response",
  request_execution_history: "execution_history_response",
  request_execution: "execution_response",
  request_components_list: "components_list_response",
  request_presets_list: "presets_list_response",
  load_preset: "load_preset_response",
  request_preset_versions: "preset_versions_response",
  save_preset: "save_preset_response",
  delete_preset: "delete_preset_response",
  request_variables: "variables_response",
  update_variable: "update_variable_response",
  delete_variable: "delete_variable_response",
  request_audit_log: "audit_log_response",
  request_settings: "settings_response",
  save_settings: "save_settings_response",
} as const satisfies Record<EngineRequestType, Exclude<EngineResponseType, "error">>);

/** The response frame answering a request of type `T`. */
export type EngineResponseOf<T extends EngineRequestType> = Extract<
  EngineResponse,
  { type: (typeof RESPONSE_TYPE_OF)[T] }
>;

/** The engine's internal `GET /health` body (SPEC section 4, internal HTTP). */
export const EngineHealthSchema = z.object({
  status: z.literal("ready"),
  engine_id: z.string(),
  version: z.string(),
  uptime_s: z.number().min(0),
  active_jobs: z.number().int().min(0),
});
export type EngineHealth = z.infer<typeof EngineHealthSchema>;

/**
 * Builds the error frame for a request, from anything thrown: a `FloworkError` keeps its code, message and
 * details; anything else becomes `INTERNAL` with the generic message, so no internal detail leaves the engine.
 */
export function toEngineErrorFrame(requestId: string | null, err: unknown): EngineErrorFrame {
  const body = toFloworkError(err).toBody();
  return { type: "error", request_id: requestId, ...body };
}
