export {
  EngineClient,
  type EngineClientOptions,
  type EngineResponse,
  type WebSocketFactory,
  type WebSocketLike,
} from "./engine-client.js";
