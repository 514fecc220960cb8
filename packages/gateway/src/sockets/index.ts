export type { EngineNamespace, GuiNamespace } from "./context.js";
export type {
  SocketDeps,
  SocketEngine,
  SocketLogger,
  SocketOptions,
  VisibleEngine,
  VitalsRecord,
} from "./deps.js";
export { createSocketEvents } from "./gateway-events.js";
export {
  attachSockets,
  DEFAULT_RPC_TIMEOUT_MS,
  DEFAULT_VITALS_FLUSH_MAX_MS,
  DEFAULT_VITALS_FLUSH_MS,
  DEFAULT_VITALS_PERSIST_MS,
  type GatewaySockets,
} from "./server.js";
export { servicesSocketDeps } from "./services-deps.js";
export * from "./types.js";
export type { VitalsRelayStats } from "./vitals-relay.js";
