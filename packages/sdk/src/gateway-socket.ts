import {
  type EngineStatusRow,
  type EngineVitals,
  EngineVitalsUpdateSchema,
  type GatewayToGuiEvents,
  type GuiToGatewayEvents,
  type RpcAck,
  type Signer,
  type SocketWireError,
  signSocketAuth,
} from "@flowork/protocol";
import { io, type Socket } from "socket.io-client";

/*
 * The `/gui-socket` event types are defined once in `@flowork/protocol` (`socket-events.ts`); these names are
 * the SDK's public aliases of them.
 */

/** Engine health numbers relayed by the gateway. */
export type GuiVitals = EngineVitals;
/** An error as it travels in an ack (`code` is a SPEC section 9 code). */
export type GuiWireError = SocketWireError;
/** The answer to `rpc_forward_to_engine`. */
export type GuiRpcAck = RpcAck;
/** One row of `initial_engine_statuses`. */
export type GuiEngineStatusRow = EngineStatusRow;
export type { GatewayToGuiEvents, GuiToGatewayEvents };

/** Options of {@link GuiSocketClient}. */
export interface GuiSocketClientOptions {
  /** The gateway's base URL, e.g. `https://gw.example.com`. */
  url: string;
  /** Signs the handshake (Context `Socket`); a fresh signature on every (re)connect. */
  signer: Signer;
  /** How long `rpc` waits; default 35 000 ms (the gateway's own timeout is 30 s). */
  timeoutMs?: number;
  /** Socket.IO path; default `/socket.io`. */
  path?: string;
  /** Reconnect automatically; default true. */
  reconnection?: boolean;
  /**
   * Ask the gateway for `engine_vitals_batch` frames (default true). Either way, listeners of
   * `engine_vitals_update` get one call per engine: the client unpacks each batch into them.
   */
  batchVitals?: boolean;
}

/**
 * The GUI's `/gui-socket` connection: signed handshake, typed events, and `rpc` to an engine through the
 * gateway (the envelope is signed end to end, so the gateway cannot forge it).
 *
 * Vitals: the client opts in to the gateway's `engine_vitals_batch` (one frame per flush with every engine that
 * reported) and calls the `engine_vitals_update` listeners once per valid item, in order, so code written for
 * per-engine updates needs no change. A malformed item is skipped.
 *
 * @example
 * const gui = new GuiSocketClient({ url, signer });
 * gui.socket.on("engine_status_update", (u) => console.log(u.engine_id, u.status));
 * await gui.connect();
 * const answer = await gui.rpc(engineId, await signEnvelope(signer, engineId, { type: "ping", request_id: "r-1" }));
 */
export class GuiSocketClient {
  /** The typed Socket.IO socket; subscribe to {@link GatewayToGuiEvents} on it. */
  readonly socket: Socket<GatewayToGuiEvents, GuiToGatewayEvents>;
  readonly #timeoutMs: number;

  constructor(options: GuiSocketClientOptions) {
    this.#timeoutMs = options.timeoutMs ?? 35_000;
    const batch = options.batchVitals ?? true;
    const base = options.url.replace(/\/+$/, "");
    this.socket = io(`${base}/gui-socket`, {
      path: options.path ?? "/socket.io",
      autoConnect: false,
      forceNew: true,
      reconnection: options.reconnection ?? true,
      // A function, so every reconnect signs a fresh message (nonces are single-use).
      auth: (cb) => {
        signSocketAuth(options.signer).then(
          (auth) => cb(batch ? { ...auth, vitals_batch: true } : { ...auth }),
          () => cb({}),
        );
      },
    });
    this.socket.on("engine_vitals_batch", (items: unknown) => this.#unpackVitals(items));
  }

  /** Calls every `engine_vitals_update` listener once per valid item of a batch. */
  #unpackVitals(items: unknown): void {
    if (!Array.isArray(items)) return;
    const listeners = this.socket.listeners("engine_vitals_update");
    if (listeners.length === 0) return;
    for (const item of items) {
      const parsed = EngineVitalsUpdateSchema.safeParse(item);
      if (!parsed.success) continue;
      for (const listener of listeners) {
        try {
          listener(parsed.data);
        } catch (err) {
          // as if thrown by its own event, without keeping the batch's other items from their listeners
          queueMicrotask(() => {
            throw err;
          });
        }
      }
    }
  }

  /** Connects; rejects with an Error whose message is the gateway's code (e.g. `AUTH_EXPIRED`). */
  connect(): Promise<void> {
    if (this.socket.connected) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onConnect = () => {
        this.socket.off("connect_error", onError);
        resolve();
      };
      const onError = (err: Error) => {
        this.socket.off("connect", onConnect);
        reject(err);
      };
      this.socket.once("connect", onConnect);
      this.socket.once("connect_error", onError);
      this.socket.connect();
    });
  }

  /** Sends a signed envelope to an engine; resolves with the gateway's ack (a lost ack is `TIMEOUT`). */
  async rpc(engineId: string, envelope: object): Promise<GuiRpcAck> {
    try {
      return await this.socket
        .timeout(this.#timeoutMs)
        .emitWithAck("rpc_forward_to_engine", { engine_id: engineId, envelope: { ...envelope } });
    } catch {
      return { ok: false, error: { code: "TIMEOUT", message: "The engine did not answer in time." } };
    }
  }

  /** Disconnects for good. */
  close(): void {
    this.socket.disconnect();
  }
}
