import { AddressSchema, type ErrorBody, type RoleSchema } from "@flowork/protocol";
import { z } from "zod";

/**
 * Wire types and schemas of the gateway's two Socket.IO namespaces (SPEC section 3). Every event that arrives
 * is validated with the schema of the same name before anything else reads it.
 */

/** Engine health numbers of `engine_vitals_update` (engine → gateway). */
export const VitalsSchema = z.object({
  cpu_percent: z.number().finite().min(0).max(100),
  memory_percent: z.number().finite().min(0).max(100),
  ram_rss_mb: z.number().finite().min(0),
  uptime_s: z.number().finite().min(0),
  active_jobs: z.number().int().min(0),
  queued_jobs: z.number().int().min(0),
  version: z.string().max(64),
});
export type Vitals = z.infer<typeof VitalsSchema>;

/** Longest event name an engine may relay. */
const MAX_EVENT_NAME = 128;

/** `forward_event_to_gui` (engine → gateway). */
export const ForwardEventSchema = z.object({
  event_name: z.string().min(1).max(MAX_EVENT_NAME),
  event_data: z.unknown(),
  target_address: AddressSchema.optional(),
});
export type ForwardEvent = z.infer<typeof ForwardEventSchema>;

/** `usage_report` (engine → gateway): deltas since the previous report. `period` is `YYYY-MM`. */
export const UsageReportSchema = z.object({
  period: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/),
  executions: z.number().int().min(0).max(1_000_000),
});
export type UsageReport = z.infer<typeof UsageReportSchema>;

/** An error as it travels in an ack. */
export interface WireError {
  code: ErrorBody["code"] | string;
  message: string;
  details?: Record<string, unknown>;
}

/** What an engine acks to `execute_rpc_from_gui`, and what the GUI gets back from `rpc_forward_to_engine`. */
export type RpcAck = { ok: true; response: Record<string, unknown> } | { ok: false; error: WireError };

/** The engine's ack, validated before it is passed on (an engine is not trusted to be well-formed). */
export const RpcAckSchema = z.union([
  z.object({ ok: z.literal(true), response: z.record(z.string(), z.unknown()) }),
  z.object({
    ok: z.literal(false),
    error: z.object({
      code: z.string().max(64),
      message: z.string().max(4096),
      details: z.record(z.string(), z.unknown()).optional(),
    }),
  }),
]);

/** `rpc_forward_to_engine` (GUI → gateway). The envelope is passed on untouched: the engine verifies it. */
export const RpcForwardSchema = z.object({
  engine_id: z.string().min(1).max(128),
  envelope: z.record(z.string(), z.unknown()),
});
export type RpcForward = z.infer<typeof RpcForwardSchema>;

/** The `/gui-socket` handshake (Context `Socket`); the verifier checks each field itself. */
export const GuiHandshakeSchema = z.object({
  address: z.unknown(),
  message: z.unknown(),
  signature: z.unknown(),
});

/** The `/engine-socket` handshake. */
export const EngineHandshakeSchema = z.object({ token: z.string().min(1).max(512) });

export type EngineStatus = "online" | "offline";

/** One row of `initial_engine_statuses`. */
export interface EngineStatusRow {
  engine_id: string;
  name: string;
  status: EngineStatus;
  last_seen: string | null;
  vitals: Vitals | null;
  role: z.infer<typeof RoleSchema>;
}

/** `engine_status_update` (gateway → GUI). */
export interface EngineStatusUpdate {
  engine_id: string;
  name: string;
  status: EngineStatus;
  last_seen: string | null;
}

/** `notification` (gateway → GUI). */
export interface NotificationEvent {
  id: string;
  level: "info" | "success" | "warning" | "error";
  title: string;
  text: string;
  ts: string;
}

/** Events an engine sends to the gateway. */
export interface EngineToGateway {
  engine_vitals_update: (vitals: Vitals) => void;
  forward_event_to_gui: (event: ForwardEvent) => void;
  usage_report: (report: UsageReport) => void;
}

/** Events the gateway sends to an engine. */
export interface GatewayToEngine {
  auth_success: (info: { engine_id: string; name: string; owner_address: string | null }) => void;
  force_refresh_auth_list: (body: Record<string, never>) => void;
  quota_update: (body: { tier: string; quotas: Record<string, unknown> }) => void;
  execute_rpc_from_gui: (
    body: { request_id: string; envelope: Record<string, unknown> },
    ack: (answer: RpcAck) => void,
  ) => void;
  /** Live health for `GET /user/engines/:id/health`; the engine acks its `/health` body. */
  health_check: (body: Record<string, never>, ack: (health: Record<string, unknown>) => void) => void;
}

/** Events a GUI sends to the gateway. */
export interface GuiToGateway {
  rpc_forward_to_engine: (body: RpcForward, ack: (answer: RpcAck) => void) => void;
}

/** Events the gateway sends to a GUI. */
export interface GatewayToGui {
  initial_engine_statuses: (rows: EngineStatusRow[]) => void;
  engine_status_update: (update: EngineStatusUpdate) => void;
  engine_vitals_update: (body: { engine_id: string; vitals: Vitals }) => void;
  engine_deleted: (body: { engine_id: string }) => void;
  new_shared_engine: (body: {
    engine_id: string;
    name: string;
    role: string;
    status: EngineStatus;
    last_seen: string | null;
  }) => void;
  shared_engine_updated: (body: { engine_id: string; role: string }) => void;
  removed_shared_engine: (body: { engine_id: string }) => void;
  notification: (body: NotificationEvent) => void;
  engine_event: (body: { engine_id: string; event_name: string; event_data: unknown }) => void;
}

/** What an engine socket carries (`socket.data`); readable from every replica through `fetchSockets`. */
export interface EngineSocketData {
  engine_id: string;
  name: string;
  owner_address: string | null;
  vitals: Vitals | null;
  connected_at: string;
}

/** What a GUI socket carries. */
export interface GuiSocketData {
  address: string;
}

/** No events between servers: replicas talk through rooms and broadcast acks only. */
export type InterServer = Record<string, never>;

/** Room of every GUI socket of one user. */
export const userRoom = (address: string): string => `user:${address.toLowerCase()}`;
/** Room of an engine's socket (engine namespace) and of every GUI allowed to see it (GUI namespace). */
export const engineRoom = (engineId: string): string => `engine:${engineId}`;
