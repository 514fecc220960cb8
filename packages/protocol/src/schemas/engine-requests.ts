import { z } from "zod";
import { ExecutionModeSchema, JsonValueSchema, type Role } from "./common.js";
import {
  BeforeCursorSchema,
  JobIdSchema,
  PresetNameSchema,
  RequestIdSchema,
  VariableModeSchema,
  VariableNameSchema,
  VariableValueSchema,
} from "./engine-fields.js";
import { ComponentTypeSchema } from "./manifest.js";
import { EngineSettingsPatchSchema } from "./settings.js";
import { WorkflowSchema } from "./workflow.js";

/*
 * Request payloads of the Core Engine WebSocket (SPEC section 4), the role each needs and which ones change
 * state. Re-exported from `./engine.js`.
 */

const request = <T extends string, S extends z.ZodRawShape>(type: T, shape: S) =>
  z.strictObject({ type: z.literal(type), request_id: RequestIdSchema, ...shape });
const jobRequest = <T extends string>(type: T) => request(type, { job_id: JobIdSchema });

/** `ping`: answered with `pong`. */
export const PingRequestSchema = request("ping", {});

/** Runs a workflow given inline (`workflow_data`) or by preset (`preset_name`): exactly one of the two. */
export const ExecuteWorkflowRequestSchema = request("execute_workflow", {
  job_id: JobIdSchema.optional(),
  workflow_data: WorkflowSchema.optional(),
  preset_name: PresetNameSchema.optional(),
  initial_payload: JsonValueSchema.optional(),
  start_node_id: z.string().min(1).max(200).optional(),
  mode: ExecutionModeSchema,
}).refine((r) => (r.workflow_data === undefined) !== (r.preset_name === undefined), {
  message: "exactly one of workflow_data and preset_name is required",
});

/** Runs one component on `initial_payload`, outside any workflow (the editor's "test this node"). */
export const ExecuteStandaloneNodeRequestSchema = request("execute_standalone_node", {
  job_id: JobIdSchema.optional(),
  node_data: z.strictObject({
    module_id: z.string().min(1).max(200),
    config_values: z.record(z.string(), z.unknown()).default({}),
  }),
  initial_payload: JsonValueSchema.optional(),
  mode: ExecutionModeSchema,
});

/** Job commands: a runner may act on its own jobs, an admin on any (checked by the engine). */
export const StopWorkflowRequestSchema = jobRequest("stop_workflow");
export const PauseWorkflowRequestSchema = jobRequest("pause_workflow");
export const ResumeWorkflowRequestSchema = jobRequest("resume_workflow");
/** Streams a job's events, the stored earlier ones first. */
export const SubscribeJobRequestSchema = jobRequest("subscribe_job");
/** One stored execution with its nodes and logs. */
export const RequestExecutionRequestSchema = jobRequest("request_execution");

/** The newest executions first; `limit` 1..200 (default 50), `before` pages back by `started_at`. */
export const RequestExecutionHistoryRequestSchema = request("request_execution_history", {
  limit: z.number().int().min(1).max(200).optional(),
  before: BeforeCursorSchema.optional(),
});

/** The manifests of every component, optionally of one type; reloads plugins first. */
export const RequestComponentsListRequestSchema = request("request_components_list", {
  component_type: ComponentTypeSchema.optional(),
});

/** Every preset's latest version. */
export const RequestPresetsListRequestSchema = request("request_presets_list", {});

/** A preset's workflow: the latest version, or `version`. */
export const LoadPresetRequestSchema = request("load_preset", {
  name: PresetNameSchema,
  version: z.number().int().min(1).optional(),
});

/** Every saved version of a preset, with the signature that saved it. */
export const RequestPresetVersionsRequestSchema = request("request_preset_versions", {
  name: PresetNameSchema,
});

/** Saves a new version of a preset (never overwrites one). */
export const SavePresetRequestSchema = request("save_preset", {
  name: PresetNameSchema,
  workflow_data: WorkflowSchema,
});

/** Deletes a preset and all its versions. */
export const DeletePresetRequestSchema = request("delete_preset", { name: PresetNameSchema });

/** Every variable, secrets masked. */
export const RequestVariablesRequestSchema = request("request_variables", {});

/**
 * `update_variable.data`. An absent `value`/`values` keeps the stored one (empty for a new variable), so a GUI
 * can toggle `is_enabled` on a secret without re-sending it.
 */
export const VariableDataSchema = z.strictObject({
  value: VariableValueSchema.optional(),
  values: z.array(VariableValueSchema).max(1000).optional(),
  mode: VariableModeSchema,
  is_secret: z.boolean(),
  is_enabled: z.boolean(),
});
export type VariableData = z.infer<typeof VariableDataSchema>;

/** Creates or replaces a variable. */
export const UpdateVariableRequestSchema = request("update_variable", {
  name: VariableNameSchema,
  data: VariableDataSchema,
});

/** Deletes a variable. */
export const DeleteVariableRequestSchema = request("delete_variable", { name: VariableNameSchema });

/** The newest audit entries first; `limit` 1..500 (default 100), `before` pages back by `ts`. */
export const RequestAuditLogRequestSchema = request("request_audit_log", {
  limit: z.number().int().min(1).max(500).optional(),
  before: BeforeCursorSchema.optional(),
});

/** The engine's settings, defaults filled in. */
export const RequestSettingsRequestSchema = request("request_settings", {});

/** Merges a partial settings object (unknown keys rejected) into the saved settings. */
export const SaveSettingsRequestSchema = request("save_settings", { settings: EngineSettingsPatchSchema });

/** The schema of each request type. */
export const ENGINE_REQUEST_SCHEMAS = {
  ping: PingRequestSchema,
  execute_workflow: ExecuteWorkflowRequestSchema,
  execute_standalone_node: ExecuteStandaloneNodeRequestSchema,
  stop_workflow: StopWorkflowRequestSchema,
  pause_workflow: PauseWorkflowRequestSchema,
  resume_workflow: ResumeWorkflowRequestSchema,
  subscribe_job: SubscribeJobRequestSchema,
  request_execution_history: RequestExecutionHistoryRequestSchema,
  request_execution: RequestExecutionRequestSchema,
  request_components_list: RequestComponentsListRequestSchema,
  request_presets_list: RequestPresetsListRequestSchema,
  load_preset: LoadPresetRequestSchema,
  request_preset_versions: RequestPresetVersionsRequestSchema,
  save_preset: SavePresetRequestSchema,
  delete_preset: DeletePresetRequestSchema,
  request_variables: RequestVariablesRequestSchema,
  update_variable: UpdateVariableRequestSchema,
  delete_variable: DeleteVariableRequestSchema,
  request_audit_log: RequestAuditLogRequestSchema,
  request_settings: RequestSettingsRequestSchema,
  save_settings: SaveSettingsRequestSchema,
} as const;

/** Every engine request `payload` (SPEC section 4), discriminated on `type`; unknown fields are rejected. */
export const EngineRequestSchema = z.discriminatedUnion("type", [
  PingRequestSchema,
  ExecuteWorkflowRequestSchema,
  ExecuteStandaloneNodeRequestSchema,
  StopWorkflowRequestSchema,
  PauseWorkflowRequestSchema,
  ResumeWorkflowRequestSchema,
  SubscribeJobRequestSchema,
  RequestExecutionHistoryRequestSchema,
  RequestExecutionRequestSchema,
  RequestComponentsListRequestSchema,
  RequestPresetsListRequestSchema,
  LoadPresetRequestSchema,
  RequestPresetVersionsRequestSchema,
  SavePresetRequestSchema,
  DeletePresetRequestSchema,
  RequestVariablesRequestSchema,
  UpdateVariableRequestSchema,
  DeleteVariableRequestSchema,
  RequestAuditLogRequestSchema,
  RequestSettingsRequestSchema,
  SaveSettingsRequestSchema,
]);
export type EngineRequest = z.infer<typeof EngineRequestSchema>;
export type EngineRequestType = EngineRequest["type"];
/** The request of one type, e.g. `EngineRequestOf<"save_preset">`. */
export type EngineRequestOf<T extends EngineRequestType> = Extract<EngineRequest, { type: T }>;

/** Every request type, in SPEC table order. */
export const ENGINE_REQUEST_TYPES = Object.keys(ENGINE_REQUEST_SCHEMAS) as EngineRequestType[];

/** True when `value` names an engine request type. */
export function isEngineRequestType(value: unknown): value is EngineRequestType {
  return typeof value === "string" && Object.hasOwn(ENGINE_REQUEST_SCHEMAS, value);
}

/**
 * The weakest role that may send each request. `stop/pause/resume_workflow` say `runner`: a runner may act on
 * the jobs it started, and the engine requires `admin` for anyone else's.
 */
export const MIN_ROLE: Readonly<Record<EngineRequestType, Role>> = Object.freeze({
  ping: "reader",
  execute_workflow: "runner",
  execute_standalone_node: "runner",
  stop_workflow: "runner",
  pause_workflow: "runner",
  resume_workflow: "runner",
  subscribe_job: "reader",
  request_execution_history: "reader",
  request_execution: "reader",
  request_components_list: "reader",
  request_presets_list: "reader",
  load_preset: "reader",
  request_preset_versions: "reader",
  save_preset: "admin",
  delete_preset: "admin",
  request_variables: "reader",
  update_variable: "admin",
  delete_variable: "admin",
  request_audit_log: "admin",
  request_settings: "reader",
  save_settings: "admin",
});

/** Requests that change state: each accepted one is written to the audit log with its signature. */
export const STATE_CHANGING_TYPES: ReadonlySet<EngineRequestType> = new Set<EngineRequestType>([
  "execute_workflow",
  "execute_standalone_node",
  "stop_workflow",
  "pause_workflow",
  "resume_workflow",
  "save_preset",
  "delete_preset",
  "update_variable",
  "delete_variable",
  "save_settings",
]);
