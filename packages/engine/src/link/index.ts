export {
  connectGatewayLink,
  type GatewayLink,
  type GatewayLinkOptions,
  type LinkLogger,
} from "./gateway-link.js";
export {
  JobEventHub,
  type JobEventListener,
  type JobEventMeta,
  type JobEventSource,
} from "./job-event-hub.js";
export { ackOf, type LinkDispatcher, RpcRelay } from "./rpc-relay.js";
export * from "./wire.js";
