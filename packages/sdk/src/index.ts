export { type Eip1193Provider, signerFromEip1193 } from "./eip1193-signer.js";
export {
  EngineClient,
  type EngineClientOptions,
  type EngineResponse,
  type WebSocketFactory,
  type WebSocketLike,
} from "./engine-client.js";
export * from "./gateway.js";
export { GatewayClient, type GatewayClientOptions } from "./gateway-client.js";
