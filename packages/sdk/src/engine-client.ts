import {
  type EngineEvent,
  type EngineRequestType,
  ERROR_CATALOGUE,
  FloworkError,
  isErrorCode,
  type Signer,
  signEnvelope,
} from "@flowork/protocol";

/** The subset of the WebSocket API the client uses: the browser's WebSocket and the `ws` package both fit. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(
    type: "open" | "close" | "error" | "message",
    listener: (event: { data?: unknown }) => void,
  ): void;
}
export type WebSocketFactory = (url: string) => WebSocketLike;

export interface EngineClientOptions {
  /** `ws://host:8989/` */
  url: string;
  engineId: string;
  signer: Signer;
  /** How to open a socket; default `new WebSocket(url)` where the global exists (browsers, Node 22+). */
  connect?: WebSocketFactory;
  /** Per-request timeout (ms). Default 30 000. */
  timeoutMs?: number;
}

/** Fields of a request, without `type` and `request_id` (the client adds them). */
export type RequestFields = Record<string, unknown>;
export type EngineResponse = Record<string, unknown> & { type: string; request_id: string | null };

interface Pending {
  resolve: (response: EngineResponse) => void;
  reject: (err: FloworkError) => void;
  timer: ReturnType<typeof setTimeout>;
}

let counter = 0;

/**
 * A typed client for the engine WebSocket: signs each request as an envelope, matches responses by
 * `request_id`, and hands pushed events to listeners.
 *
 * @example
 * const client = new EngineClient({ url, engineId, signer: signerFromPrivateKey(key), connect: (u) => new WebSocket(u) });
 * await client.open();
 * const { job_id } = await client.request("execute_workflow", { workflow_data, mode: "EXECUTE" });
 */
export class EngineClient {
  readonly #o: EngineClientOptions;
  #socket: WebSocketLike | undefined;
  readonly #pending = new Map<string, Pending>();
  readonly #listeners = new Set<(event: EngineEvent) => void>();

  constructor(options: EngineClientOptions) {
    this.#o = options;
  }

  open(): Promise<void> {
    const factory =
      this.#o.connect ??
      ((url: string) => {
        const Ctor = (globalThis as { WebSocket?: new (u: string) => WebSocketLike }).WebSocket;
        if (!Ctor) throw new FloworkError("BAD_REQUEST", "no WebSocket implementation: pass `connect`");
        return new Ctor(url);
      });
    const socket = factory(this.#o.url);
    this.#socket = socket;
    return new Promise((resolve, reject) => {
      let opened = false;
      socket.addEventListener("open", () => {
        opened = true;
        resolve();
      });
      socket.addEventListener("error", () => {
        if (!opened) reject(new FloworkError("ENGINE_OFFLINE", `cannot connect to ${this.#o.url}`));
      });
      socket.addEventListener("close", () =>
        this.#failAll(new FloworkError("ENGINE_OFFLINE", "connection closed")),
      );
      socket.addEventListener("message", (event) => this.#onMessage(event.data));
    });
  }

  /** Receives every pushed event (job events, engine_status_update). Returns an unsubscribe function. */
  onEvent(listener: (event: EngineEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Signs and sends one request; resolves with its response, rejects with the error frame as a FloworkError. */
  async request(type: EngineRequestType, fields: RequestFields = {}): Promise<EngineResponse> {
    const request_id = `r-${Date.now().toString(36)}-${(++counter).toString(36)}`;
    const envelope = await signEnvelope(this.#o.signer, this.#o.engineId, { ...fields, type, request_id });
    return this.sendEnvelope(envelope, request_id);
  }

  /** Sends an already built envelope (tests use this to send tampered or replayed ones). */
  sendEnvelope(envelope: unknown, requestId: string): Promise<EngineResponse> {
    const socket = this.#socket;
    if (socket?.readyState !== 1) return Promise.reject(new FloworkError("ENGINE_OFFLINE", "not connected"));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(requestId);
        reject(new FloworkError("TIMEOUT", `no answer to ${requestId}`));
      }, this.#o.timeoutMs ?? 30_000);
      this.#pending.set(requestId, { resolve, reject, timer });
      socket.send(JSON.stringify(envelope));
    });
  }

  /** Sends raw text (tests: garbage frames). Responses without a known request id reach `onRawError`. */
  sendRaw(text: string): void {
    this.#socket?.send(text);
  }

  close(): void {
    this.#socket?.close(1000, "bye");
  }

  #onMessage(data: unknown): void {
    let frame: unknown;
    try {
      frame = JSON.parse(typeof data === "string" ? data : String(data));
    } catch {
      return;
    }
    if (frame === null || typeof frame !== "object") return;
    const f = frame as EngineResponse;
    const pending = typeof f.request_id === "string" ? this.#pending.get(f.request_id) : undefined;
    if (pending) {
      this.#pending.delete(f.request_id as string);
      clearTimeout(pending.timer);
      if (f.type === "error") pending.reject(toError(f));
      else pending.resolve(f);
      return;
    }
    for (const listener of this.#listeners) listener(f as unknown as EngineEvent);
  }

  #failAll(err: FloworkError): void {
    for (const [id, p] of this.#pending) {
      clearTimeout(p.timer);
      p.reject(err);
      this.#pending.delete(id);
    }
  }
}

function toError(frame: EngineResponse): FloworkError {
  const code = isErrorCode(frame.code) ? frame.code : "INTERNAL";
  const message = typeof frame.message === "string" ? frame.message : ERROR_CATALOGUE[code].message;
  const details =
    frame.details !== null && typeof frame.details === "object"
      ? (frame.details as Record<string, unknown>)
      : undefined;
  return new FloworkError(code, message, details ? { details } : {});
}
