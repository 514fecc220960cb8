/**
 * The `/engine-socket` events as the engine sees them (SPEC section 3). The gateway validates them with zod on
 * arrival; these are the engine's own copy, to be replaced by the protocol package's once it holds them.
 */

/** `engine_vitals_update` body (the engine's `Vitals`). */
export interface LinkVitals {
  cpu_percent: number;
  memory_percent: number;
  ram_rss_mb: number;
  uptime_s: number;
  active_jobs: number;
  queued_jobs: number;
  version: string;
}

/** What the engine acks to `execute_rpc_from_gui`. */
export type LinkRpcAck =
  | { ok: true; response: Record<string, unknown> }
  | { ok: false; error: { code: string; message: string; details?: Record<string, unknown> } };

/** Events the engine sends to the gateway. */
export interface LinkEngineToGateway {
  engine_vitals_update: (vitals: LinkVitals) => void;
  forward_event_to_gui: (body: { event_name: string; event_data: unknown; target_address?: string }) => void;
  usage_report: (body: { period: string; executions: number }) => void;
}

/** Events the gateway sends to the engine. */
export interface LinkGatewayToEngine {
  auth_success: (info: { engine_id: string; name: string; owner_address: string | null }) => void;
  force_refresh_auth_list: (body: unknown) => void;
  quota_update: (body: unknown) => void;
  execute_rpc_from_gui: (body: unknown, ack: (answer: LinkRpcAck) => void) => void;
  health_check: (body: unknown, ack: (health: Record<string, unknown>) => void) => void;
}

/** The gateway's origin for Socket.IO, from `GATEWAY_API_URL` (with or without `/api/v1`). */
export function gatewayOrigin(gatewayUrl: string): string {
  const url = new URL(gatewayUrl);
  const path = url.pathname.replace(/\/+$/, "").replace(/\/api\/v1$/, "");
  return `${url.protocol}//${url.host}${path}`;
}
