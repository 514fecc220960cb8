export { GATEWAY_VERSION, type GatewayConfig, gatewayConfigFrom } from "./config.js";
export { openGatewayDb } from "./db/index.js";
export { type GatewayEvents, NO_EVENTS, type Notification } from "./events.js";
export { buildGatewayApp } from "./http/app.js";
export { type GatewayLogger, type RunningGateway, startGateway } from "./server.js";
export { createGatewayServices } from "./services/index.js";
export * from "./sockets/index.js";
