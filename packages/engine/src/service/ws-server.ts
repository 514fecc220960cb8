import type { Server } from "node:http";
import { FloworkError, type JobEvent } from "@flowork/protocol";
import { type RawData, type WebSocket, WebSocketServer } from "ws";
import type { CommandDispatcher } from "./dispatcher.js";

export interface WsServerOptions {
  server: Server;
  dispatcher: CommandDispatcher;
  /** Frames over this are answered with PAYLOAD_TOO_LARGE; the connection stays up. */
  maxFrameBytes: number;
  /** Per-connection limit, checked before anything else is done with a frame. */
  rateLimit?: (connectionKey: string) => { ok: true } | { ok: false; retryAfterMs: number };
  onError?: (err: unknown) => void;
}

/** A frame the engine will not even read into memory: the connection is closed (1009) past this. */
const HARD_FRAME_LIMIT = 16 * 1024 * 1024;
/** A client that lets this much pile up unread is cut off instead of growing the engine's memory. */
const MAX_BUFFERED_BYTES = 32 * 1024 * 1024;

/**
 * The engine WebSocket (SPEC section 4): one JSON envelope per frame, exactly one response frame per request,
 * and pushed job events. Everything else is the dispatcher's job.
 */
export class EngineWsServer {
  readonly #wss: WebSocketServer;
  readonly #o: WsServerOptions;
  readonly #clients = new Set<WebSocket>();
  #nextId = 1;

  constructor(options: WsServerOptions) {
    this.#o = options;
    this.#wss = new WebSocketServer({
      server: options.server,
      maxPayload: HARD_FRAME_LIMIT,
      perMessageDeflate: false,
    });
    this.#wss.on("connection", (socket) => this.#accept(socket));
    this.#wss.on("error", (err) => options.onError?.(err));
  }

  get connectionCount(): number {
    return this.#clients.size;
  }

  /** Sends a frame to every connected client (engine_status_update). */
  broadcast(frame: Record<string, unknown>): void {
    const text = JSON.stringify(frame);
    for (const socket of this.#clients) if (socket.readyState === socket.OPEN) socket.send(text);
  }

  #accept(socket: WebSocket): void {
    const key = `conn-${this.#nextId++}`;
    const cleanups: (() => void)[] = [];
    this.#clients.add(socket);
    const send = (frame: unknown) => {
      if (socket.readyState !== socket.OPEN) return;
      if (socket.bufferedAmount > MAX_BUFFERED_BYTES) {
        socket.close(1013, "client too slow");
        return;
      }
      socket.send(JSON.stringify(frame));
    };
    const sink = (event: JobEvent) => send(event);
    socket.on("message", (data, isBinary) => {
      void this.#onFrame(key, data, isBinary, send, sink, cleanups).catch((err: unknown) =>
        this.#o.onError?.(err),
      );
    });
    socket.on("error", (err) => this.#o.onError?.(err));
    socket.on("close", () => {
      this.#clients.delete(socket);
      for (const fn of cleanups.splice(0)) fn();
    });
  }

  async #onFrame(
    key: string,
    data: RawData,
    _isBinary: boolean,
    send: (frame: unknown) => void,
    sink: (event: JobEvent) => void,
    cleanups: (() => void)[],
  ): Promise<void> {
    const d = this.#o.dispatcher;
    const limited = this.#o.rateLimit?.(key);
    if (limited && !limited.ok) {
      send(
        d.errorFrame(
          null,
          new FloworkError("RATE_LIMITED", "too many frames", {
            details: { retry_after_ms: limited.retryAfterMs },
          }),
        ),
      );
      return;
    }
    const bytes = Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : data.byteLength;
    if (bytes > this.#o.maxFrameBytes) {
      send(
        d.errorFrame(
          null,
          new FloworkError("PAYLOAD_TOO_LARGE", `frames are limited to ${this.#o.maxFrameBytes} bytes`),
        ),
      );
      return;
    }
    const text = Array.isArray(data)
      ? Buffer.concat(data).toString("utf8")
      : Buffer.from(data as ArrayBuffer).toString("utf8");
    let envelope: unknown;
    try {
      envelope = JSON.parse(text);
    } catch {
      send(d.errorFrame(null, new FloworkError("BAD_REQUEST", "the frame is not JSON")));
      return;
    }
    const frame = await d.dispatch(envelope, { sink, onClose: (fn) => cleanups.push(fn) });
    send(frame);
  }

  async close(): Promise<void> {
    for (const socket of this.#clients) socket.close(1001, "engine shutting down");
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
  }
}
