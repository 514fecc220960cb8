export {
  type GatewayToGuiEvents,
  type GuiEngineStatusRow,
  type GuiRpcAck,
  GuiSocketClient,
  type GuiSocketClientOptions,
  type GuiToGatewayEvents,
  type GuiVitals,
  type GuiWireError,
} from "./gateway-socket.js";
