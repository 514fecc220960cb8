export type { EngineNamespace, GuiNamespace } from "./context.js";
export type { SocketDeps, SocketEngine, SocketLogger, SocketOptions, VisibleEngine } from "./deps.js";
export { createSocketEvents } from "./gateway-events.js";
export { attachSockets, DEFAULT_RPC_TIMEOUT_MS, type GatewaySockets } from "./server.js";
export { servicesSocketDeps } from "./services-deps.js";
export * from "./types.js";
