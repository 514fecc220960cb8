import { z } from "zod";
import { AddressSchema, RoleSchema } from "./schemas/common.js";

/**
 * The gateway's Socket.IO events (SPEC section 3, plus the `engine_vitals_batch` addition documented in
 * `docs/gateway.md`): one definition for the gateway, the engine's link and the SDK's GUI client.
 *
 * Every event that crosses a trust boundary has a zod schema, and the side that receives it validates it before
 * reading it: the gateway validates what engines and GUIs send, the engine's link what the gateway acks, the SDK
 * the batches it unpacks. The `...Events` interfaces are typed event maps for Socket.IO's generics
 * (`Server<...>`, `io(...) as Socket<...>`), so an event name or payload typo is a compile error. No I/O here.
 */

// ------------------------------------------------------------------------------------------ shared pieces

/** Engine health numbers: the body of `engine_vitals_update` (engine → gateway), relayed to GUIs. */
export const EngineVitalsSchema = z.object({
  cpu_percent: z.number().finite().min(0).max(100),
  memory_percent: z.number().finite().min(0).max(100),
  ram_rss_mb: z.number().finite().min(0),
  uptime_s: z.number().finite().min(0),
  active_jobs: z.number().int().min(0),
  queued_jobs: z.number().int().min(0),
  version: z.string().max(64),
});
export type EngineVitals = z.infer<typeof EngineVitalsSchema>;

/** An error as it travels in an ack: `code` is a SPEC section 9 code (an engine may send its own). */
export const SocketWireErrorSchema = z.object({
  code: z.string().max(64),
  message: z.string().max(4096),
  details: z.record(z.string(), z.unknown()).optional(),
});
export type SocketWireError = z.infer<typeof SocketWireErrorSchema>;

/**
 * What an engine acks to `execute_rpc_from_gui`, and what a GUI gets back from `rpc_forward_to_engine`.
 * The gateway validates the engine's ack with it before passing it on (an engine is not trusted to be well-formed).
 */
export const RpcAckSchema = z.union([
  z.object({ ok: z.literal(true), response: z.record(z.string(), z.unknown()) }),
  z.object({ ok: z.literal(false), error: SocketWireErrorSchema }),
]);
export type RpcAck = z.infer<typeof RpcAckSchema>;

/** An engine's presence as GUIs see it. */
export const EngineConnectionStatusSchema = z.enum(["online", "offline"]);
export type EngineConnectionStatus = z.infer<typeof EngineConnectionStatusSchema>;

const EngineIdSchema = z.string().min(1).max(128);

// ------------------------------------------------------------------------------------------ /engine-socket

/** The `/engine-socket` handshake `auth`. */
export const EngineHandshakeSchema = z.object({ token: z.string().min(1).max(512) });
export type EngineHandshake = z.infer<typeof EngineHandshakeSchema>;

/** Longest event name an engine may relay. */
export const MAX_RELAYED_EVENT_NAME = 128;

/** `forward_event_to_gui` (engine → gateway): to `target_address`'s GUIs, or to every GUI allowed to see the engine. */
export const ForwardEventToGuiSchema = z.object({
  event_name: z.string().min(1).max(MAX_RELAYED_EVENT_NAME),
  event_data: z.unknown(),
  target_address: AddressSchema.optional(),
});
export type ForwardEventToGui = z.infer<typeof ForwardEventToGuiSchema>;

/** `usage_report` (engine → gateway): execution deltas since the previous report; `period` is `YYYY-MM`. */
export const UsageReportSchema = z.object({
  period: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/),
  executions: z.number().int().min(0).max(1_000_000),
});
export type UsageReport = z.infer<typeof UsageReportSchema>;

/** `auth_success` (gateway → engine). */
export const AuthSuccessSchema = z.object({
  engine_id: EngineIdSchema,
  name: z.string(),
  owner_address: z.string().nullable(),
});
export type AuthSuccess = z.infer<typeof AuthSuccessSchema>;

/** `quota_update` (gateway → engine). */
export const QuotaUpdateSchema = z.object({
  tier: z.string(),
  quotas: z.record(z.string(), z.unknown()),
});
export type QuotaUpdate = z.infer<typeof QuotaUpdateSchema>;

/** `execute_rpc_from_gui` (gateway → engine): the GUI's envelope, untouched; the engine verifies it. */
export const ExecuteRpcFromGuiSchema = z.object({
  request_id: z.string().min(1).max(128),
  envelope: z.record(z.string(), z.unknown()),
});
export type ExecuteRpcFromGui = z.infer<typeof ExecuteRpcFromGuiSchema>;

/** Events an engine sends to the gateway. */
export interface EngineToGatewayEvents {
  engine_vitals_update: (vitals: EngineVitals) => void;
  forward_event_to_gui: (event: ForwardEventToGui) => void;
  usage_report: (report: UsageReport) => void;
}

/** Events the gateway sends to an engine. */
export interface GatewayToEngineEvents {
  auth_success: (info: AuthSuccess) => void;
  /** Refetch `get-engine-auth-info`; the body is `{}`. */
  force_refresh_auth_list: (body: Record<string, never>) => void;
  quota_update: (body: QuotaUpdate) => void;
  execute_rpc_from_gui: (body: ExecuteRpcFromGui, ack: (answer: RpcAck) => void) => void;
  /** Live health for `GET /user/engines/:id/health`; the engine acks its `/health` body. */
  health_check: (body: Record<string, never>, ack: (health: Record<string, unknown>) => void) => void;
}

// ------------------------------------------------------------------------------------------ /gui-socket

/**
 * The `/gui-socket` handshake `auth` (Context `Socket`). The verifier checks `address`, `message` and
 * `signature` itself (and answers with the SPEC code), so they are `unknown` here. `vitals_batch: true` opts the
 * socket into `engine_vitals_batch` instead of one `engine_vitals_update` per engine.
 */
export const GuiHandshakeSchema = z.object({
  address: z.unknown().optional(),
  message: z.unknown().optional(),
  signature: z.unknown().optional(),
  vitals_batch: z.boolean().optional(),
});
export type GuiHandshake = z.infer<typeof GuiHandshakeSchema>;

/** `rpc_forward_to_engine` (GUI → gateway). The envelope is passed on untouched: the engine verifies it. */
export const RpcForwardSchema = z.object({
  engine_id: EngineIdSchema,
  envelope: z.record(z.string(), z.unknown()),
});
export type RpcForward = z.infer<typeof RpcForwardSchema>;

/** One row of `initial_engine_statuses` (gateway → GUI). */
export const EngineStatusRowSchema = z.object({
  engine_id: z.string(),
  name: z.string(),
  status: EngineConnectionStatusSchema,
  last_seen: z.string().nullable(),
  vitals: EngineVitalsSchema.nullable(),
  role: RoleSchema,
});
export type EngineStatusRow = z.infer<typeof EngineStatusRowSchema>;

/** `engine_status_update` (gateway → GUI). */
export const EngineStatusUpdateSchema = z.object({
  engine_id: z.string(),
  name: z.string(),
  status: EngineConnectionStatusSchema,
  last_seen: z.string().nullable(),
});
export type EngineStatusUpdate = z.infer<typeof EngineStatusUpdateSchema>;

/** `engine_vitals_update` (gateway → GUI): one engine's latest vitals. */
export const EngineVitalsUpdateSchema = z.object({
  engine_id: z.string().min(1).max(128),
  vitals: EngineVitalsSchema,
});
export type EngineVitalsUpdate = z.infer<typeof EngineVitalsUpdateSchema>;

/** Most items in one `engine_vitals_batch` frame; a GUI that sees more engines gets several frames. */
export const MAX_VITALS_BATCH_ITEMS = 1_000;

/**
 * `engine_vitals_batch` (gateway → GUI, for sockets that opted in with `vitals_batch: true`): the latest vitals of
 * every engine the socket may see that reported since the previous batch, at most one frame per flush period.
 */
export const EngineVitalsBatchSchema = z.array(EngineVitalsUpdateSchema).max(MAX_VITALS_BATCH_ITEMS);
export type EngineVitalsBatch = z.infer<typeof EngineVitalsBatchSchema>;

/** `new_shared_engine` (gateway → GUI). */
export const NewSharedEngineSchema = z.object({
  engine_id: z.string(),
  name: z.string(),
  role: RoleSchema,
  status: EngineConnectionStatusSchema,
  last_seen: z.string().nullable(),
});
export type NewSharedEngine = z.infer<typeof NewSharedEngineSchema>;

/** `shared_engine_updated` (gateway → GUI). */
export const SharedEngineUpdatedSchema = z.object({ engine_id: z.string(), role: RoleSchema });
export type SharedEngineUpdated = z.infer<typeof SharedEngineUpdatedSchema>;

/** `engine_deleted`, `removed_shared_engine` (gateway → GUI). */
export const EngineRefSchema = z.object({ engine_id: z.string() });
export type EngineRef = z.infer<typeof EngineRefSchema>;

/** `notification` (gateway → GUI). */
export const GuiNotificationSchema = z.object({
  id: z.string(),
  level: z.enum(["info", "success", "warning", "error"]),
  title: z.string(),
  text: z.string(),
  ts: z.string(),
});
export type GuiNotification = z.infer<typeof GuiNotificationSchema>;

/** `engine_event` (gateway → GUI): an engine event relayed (logs, status). */
export const EngineEventRelaySchema = z.object({
  engine_id: z.string(),
  event_name: z.string(),
  event_data: z.unknown(),
});
export type EngineEventRelay = z.infer<typeof EngineEventRelaySchema>;

/** Events a GUI sends to the gateway. */
export interface GuiToGatewayEvents {
  rpc_forward_to_engine: (body: RpcForward, ack: (answer: RpcAck) => void) => void;
}

/** Events the gateway sends to a GUI. */
export interface GatewayToGuiEvents {
  initial_engine_statuses: (rows: EngineStatusRow[]) => void;
  engine_status_update: (update: EngineStatusUpdate) => void;
  engine_vitals_update: (body: EngineVitalsUpdate) => void;
  engine_vitals_batch: (items: EngineVitalsBatch) => void;
  engine_deleted: (body: EngineRef) => void;
  new_shared_engine: (body: NewSharedEngine) => void;
  shared_engine_updated: (body: SharedEngineUpdated) => void;
  removed_shared_engine: (body: EngineRef) => void;
  notification: (body: GuiNotification) => void;
  engine_event: (body: EngineEventRelay) => void;
}
