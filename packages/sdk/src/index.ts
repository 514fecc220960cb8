export {
  EngineClient,
  type EngineClientOptions,
  type EngineResponse,
  type WebSocketFactory,
  type WebSocketLike,
} from "./engine-client.js";
export * from "./gateway.js";
export { GatewayClient, type GatewayClientOptions } from "./gateway-client.js";
