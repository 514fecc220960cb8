import type { EngineToGatewayEvents, EngineVitals, GatewayToEngineEvents, RpcAck } from "@flowork/protocol";

/*
 * The `/engine-socket` events as the engine sees them (SPEC section 3) are defined once in `@flowork/protocol`
 * (`socket-events.ts`), where the gateway validates them from; these are the link's names for them.
 */

/** `engine_vitals_update` body (the engine's `Vitals`). */
export type LinkVitals = EngineVitals;
/** What the engine acks to `execute_rpc_from_gui`. */
export type LinkRpcAck = RpcAck;
/** Events the engine sends to the gateway. */
export type LinkEngineToGateway = EngineToGatewayEvents;
/** Events the gateway sends to the engine. */
export type LinkGatewayToEngine = GatewayToEngineEvents;

/** The gateway's origin for Socket.IO, from `GATEWAY_API_URL` (with or without `/api/v1`). */
export function gatewayOrigin(gatewayUrl: string): string {
  const url = new URL(gatewayUrl);
  const path = url.pathname.replace(/\/+$/, "").replace(/\/api\/v1$/, "");
  return `${url.protocol}//${url.host}${path}`;
}
