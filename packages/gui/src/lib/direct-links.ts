import type { EngineEvent, EngineRequestType, Signer } from "@flowork/protocol";
import { EngineClient, type EngineResponse, type WebSocketFactory } from "@flowork/sdk";

/** What a direct connection is doing, for the dashboard. */
export type DirectLinkState = "connecting" | "open" | "closed" | "error";

export interface DirectLinksOptions {
  signer: Signer;
  /** Every event the engine pushes on a direct connection (job events, `engine_status_update`). */
  onEvent(engineId: string, event: EngineEvent): void;
  onState?(engineId: string, state: DirectLinkState, error?: Error): void;
  /** How to open a socket; default the browser's `WebSocket`. Node tests pass `ws`. */
  connect?: WebSocketFactory;
  /** Per-request timeout (ms); default 30 000 as through the gateway. */
  timeoutMs?: number;
}

interface Link {
  url: string;
  client: EngineClient;
  ready: Promise<void>;
  closed: boolean;
}

/** An error of the direct transport itself, with a code `lib/errors.ts` turns into a sentence. */
export function directError(url: string, why: string): Error & { code: string } {
  return Object.assign(new Error(why.includes(url) ? why : `${url}: ${why}`), { code: "DIRECT_UNREACHABLE" });
}

const browserWebSocket: WebSocketFactory = (url) => new WebSocket(url);

/**
 * Direct-to-engine connections, one per engine, opened on first use and reopened after a drop. Each request is
 * an envelope signed in the browser (scope = the engine id), exactly what the gateway would relay; the engine
 * verifies it against its own authorization list, so nothing here is trusted more than the relay is.
 */
export class DirectLinks {
  readonly #o: DirectLinksOptions;
  readonly #links = new Map<string, Link>();

  constructor(options: DirectLinksOptions) {
    this.#o = options;
  }

  /** Sends one command to `engineId` at `url`; resolves with its response frame, rejects with a coded error. */
  async request(
    engineId: string,
    url: string,
    payload: { type: string } & Record<string, unknown>,
  ): Promise<EngineResponse> {
    const link = this.#linkFor(engineId, url);
    await link.ready;
    const { type, request_id: _ignored, ...fields } = payload;
    try {
      return await link.client.request(type as EngineRequestType, fields);
    } catch (err) {
      // The client reports a dropped or missing socket as ENGINE_OFFLINE; here that means the URL, not the gateway.
      if ((err as { code?: unknown }).code === "ENGINE_OFFLINE") {
        throw directError(url, (err as Error).message);
      }
      throw err;
    }
  }

  /** True while a connection to `engineId` is open or opening. */
  has(engineId: string): boolean {
    const link = this.#links.get(engineId);
    return link !== undefined && !link.closed;
  }

  close(engineId: string): void {
    const link = this.#links.get(engineId);
    if (!link) return;
    this.#links.delete(engineId);
    link.closed = true;
    link.client.close();
    this.#o.onState?.(engineId, "closed");
  }

  closeAll(): void {
    for (const id of [...this.#links.keys()]) this.close(id);
  }

  #linkFor(engineId: string, url: string): Link {
    const known = this.#links.get(engineId);
    if (known && !known.closed && known.url === url) return known;
    if (known) this.close(engineId);
    const factory = this.#o.connect ?? browserWebSocket;
    const link: Link = {
      url,
      client: undefined as unknown as EngineClient,
      ready: Promise.resolve(),
      closed: false,
    };
    const dropped = () => {
      if (link.closed) return;
      link.closed = true;
      if (this.#links.get(engineId) === link) this.#links.delete(engineId);
      this.#o.onState?.(engineId, "closed");
    };
    link.client = new EngineClient({
      url,
      engineId,
      signer: this.#o.signer,
      ...(this.#o.timeoutMs !== undefined && { timeoutMs: this.#o.timeoutMs }),
      connect: (u) => {
        const socket = factory(u);
        socket.addEventListener("close", dropped);
        return socket;
      },
    });
    link.client.onEvent((event) => this.#o.onEvent(engineId, event));
    this.#o.onState?.(engineId, "connecting");
    link.ready = Promise.resolve()
      .then(() => link.client.open())
      .then(
        () => {
          if (!link.closed) this.#o.onState?.(engineId, "open");
        },
        (err: unknown) => {
          link.closed = true;
          if (this.#links.get(engineId) === link) this.#links.delete(engineId);
          const error = directError(url, err instanceof Error ? err.message : String(err));
          this.#o.onState?.(engineId, "error", error);
          throw error;
        },
      );
    // Awaited by the request that opened it; this only keeps an unawaited failure from being "unhandled".
    link.ready.catch(() => undefined);
    this.#links.set(engineId, link);
    return link;
  }
}
