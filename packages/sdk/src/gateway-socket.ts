import { type Signer, signSocketAuth } from "@flowork/protocol";
import { io, type Socket } from "socket.io-client";

/** Engine health numbers relayed by the gateway. */
export interface GuiVitals {
  cpu_percent: number;
  memory_percent: number;
  ram_rss_mb: number;
  uptime_s: number;
  active_jobs: number;
  queued_jobs: number;
  version: string;
}

/** An error as it travels in an ack (`code` is a SPEC section 9 code). */
export interface GuiWireError {
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

/** The answer to `rpc_forward_to_engine`. */
export type GuiRpcAck = { ok: true; response: Record<string, unknown> } | { ok: false; error: GuiWireError };

/** One row of `initial_engine_statuses`. */
export interface GuiEngineStatusRow {
  engine_id: string;
  name: string;
  status: "online" | "offline";
  last_seen: string | null;
  vitals: GuiVitals | null;
  role: "reader" | "runner" | "admin" | "owner";
}

/** Events the gateway sends to a GUI (SPEC section 3). */
export interface GatewayToGuiEvents {
  initial_engine_statuses: (rows: GuiEngineStatusRow[]) => void;
  engine_status_update: (u: {
    engine_id: string;
    name: string;
    status: "online" | "offline";
    last_seen: string | null;
  }) => void;
  engine_vitals_update: (body: { engine_id: string; vitals: GuiVitals }) => void;
  engine_deleted: (body: { engine_id: string }) => void;
  new_shared_engine: (body: {
    engine_id: string;
    name: string;
    role: string;
    status: "online" | "offline";
    last_seen: string | null;
  }) => void;
  shared_engine_updated: (body: { engine_id: string; role: string }) => void;
  removed_shared_engine: (body: { engine_id: string }) => void;
  notification: (body: {
    id: string;
    level: "info" | "success" | "warning" | "error";
    title: string;
    text: string;
    ts: string;
  }) => void;
  engine_event: (body: { engine_id: string; event_name: string; event_data: unknown }) => void;
}

/** Events a GUI sends to the gateway. */
export interface GuiToGatewayEvents {
  rpc_forward_to_engine: (
    body: { engine_id: string; envelope: Record<string, unknown> },
    ack: (answer: GuiRpcAck) => void,
  ) => void;
}

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
}

/**
 * The GUI's `/gui-socket` connection: signed handshake, typed events, and `rpc` to an engine through the
 * gateway (the envelope is signed end to end, so the gateway cannot forge it).
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
    const base = options.url.replace(/\/+$/, "");
    this.socket = io(`${base}/gui-socket`, {
      path: options.path ?? "/socket.io",
      autoConnect: false,
      forceNew: true,
      reconnection: options.reconnection ?? true,
      // A function, so every reconnect signs a fresh message (nonces are single-use).
      auth: (cb) => {
        signSocketAuth(options.signer).then(
          (auth) => cb({ ...auth }),
          () => cb({}),
        );
      },
    });
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
