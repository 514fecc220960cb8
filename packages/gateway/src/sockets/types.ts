import type { EngineVitals, EngineVitalsUpdate } from "@flowork/protocol";

/**
 * The gateway's own socket types. The wire events themselves (schemas, payload types and the typed event maps of
 * both namespaces) are defined once in `@flowork/protocol` (`socket-events.ts`); every event that arrives is
 * validated with its schema there before anything else reads it.
 */
export type {
  EngineStatusRow,
  EngineToGatewayEvents,
  EngineVitals,
  EngineVitalsUpdate,
  GatewayToEngineEvents,
  GatewayToGuiEvents,
  GuiToGatewayEvents,
  RpcAck,
  SocketWireError,
} from "@flowork/protocol";

/** What an engine socket carries (`socket.data`); readable from every replica through `fetchSockets`. */
export interface EngineSocketData {
  engine_id: string;
  name: string;
  owner_address: string | null;
  vitals: EngineVitals | null;
  connected_at: string;
}

/** What a GUI socket carries. */
export interface GuiSocketData {
  address: string;
  /** Opted in (handshake `vitals_batch: true`) to `engine_vitals_batch` frames. */
  vitals_batch: boolean;
}

/**
 * Events between replicas (the Redis adapter's `serverSideEmit`, on the GUI namespace). Each replica sends the
 * latest vitals of the engines connected to it once per flush; every other replica delivers them to its own GUI
 * sockets through its own rooms, so visibility is checked where the GUI is.
 */
export interface InterServer {
  vitals_batch: (items: EngineVitalsUpdate[]) => void;
}

/** Room of every GUI socket of one user. */
export const userRoom = (address: string): string => `user:${address.toLowerCase()}`;
/** Room of an engine's socket (engine namespace) and of every GUI allowed to see it (GUI namespace). */
export const engineRoom = (engineId: string): string => `engine:${engineId}`;
