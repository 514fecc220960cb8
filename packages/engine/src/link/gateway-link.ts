import type { JobEvent } from "@flowork/protocol";
import { io, type Socket } from "socket.io-client";
import type { JobEventSource } from "./job-event-hub.js";
import { type LinkDispatcher, RpcRelay } from "./rpc-relay.js";
import {
  gatewayOrigin,
  type LinkEngineToGateway,
  type LinkGatewayToEngine,
  type LinkVitals,
} from "./wire.js";

/** Where the link logs. `EngineLogger` fits. */
export interface LinkLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string, err?: unknown): void;
}

/** Options of {@link connectGatewayLink}. */
export interface GatewayLinkOptions {
  /** `GATEWAY_API_URL`, with or without `/api/v1`. */
  gatewayUrl: string;
  /** `FLOWORK_ENGINE_TOKEN`. Never logged. */
  token: string;
  /** The engine's one `CommandDispatcher`. */
  dispatcher: LinkDispatcher;
  /** Every job event of the engine (a `JobEventHub` fed by `JobManager`'s `onEvent`): status events go to all. */
  jobEvents?: JobEventSource;
  /** Refetched on `force_refresh_auth_list` (`GatewayAuthSource`). */
  authSource?: { refresh(): Promise<unknown> };
  /** One vitals sample, e.g. `() => sampler.sample({ activeJobs: jobs.activeCount, queuedJobs: jobs.queuedCount })`. */
  vitals: () => LinkVitals;
  /** Called with each `quota_update` body. */
  onQuota?: (body: unknown) => void;
  /** Answers the gateway's `health_check` (for `GET /user/engines/:id/health`): the engine's `/health` body. */
  health?: () => Record<string, unknown>;
  /** Vitals (and usage report) period; default `FLOWORK_VITALS_INTERVAL_MS` or 5 000 ms. */
  vitalsIntervalMs?: number;
  /** First and longest wait between reconnects; default 1 000 and 30 000 ms (doubling, with jitter). */
  reconnectDelayMs?: number;
  reconnectDelayMaxMs?: number;
  logger?: LinkLogger;
  /** Socket.IO path; default `/socket.io`. */
  path?: string;
}

/** The engine's live link to its gateway. */
export interface GatewayLink {
  /** True while connected and accepted by the gateway. */
  readonly connected: boolean;
  /** What the gateway said at the last `auth_success`, if any. */
  readonly identity: { engine_id: string; name: string; owner_address: string | null } | undefined;
  /** Closes the link for good (no reconnect). */
  close(): void;
}

const SILENT: LinkLogger = { info() {}, warn() {}, error() {} };

function intervalFromEnv(): number {
  const raw = Number(process.env.FLOWORK_VITALS_INTERVAL_MS);
  return Number.isInteger(raw) && raw >= 100 ? raw : 5_000;
}

const period = (): string => new Date().toISOString().slice(0, 7);

/**
 * Connects the engine to its gateway's `/engine-socket` (SPEC section 3) and keeps it connected, reconnecting
 * with backoff forever (also after the gateway refused the token: a reset token may be fixed by the operator).
 * Sends vitals and usage deltas every interval, relays job events, answers `execute_rpc_from_gui` through the
 * engine's dispatcher (which verifies every envelope itself), and refetches the auth list when told to.
 *
 * @example
 * const link = connectGatewayLink({ gatewayUrl, token, dispatcher, jobEvents: hub, authSource: auth.source,
 *   vitals: () => sampler.sample({ activeJobs: jobs.activeCount, queuedJobs: jobs.queuedCount }) });
 */
export function connectGatewayLink(options: GatewayLinkOptions): GatewayLink {
  const log = options.logger ?? SILENT;
  const baseDelay = options.reconnectDelayMs ?? 1_000;
  const maxDelay = options.reconnectDelayMaxMs ?? 30_000;
  const socket: Socket<LinkGatewayToEngine, LinkEngineToGateway> = io(
    `${gatewayOrigin(options.gatewayUrl)}/engine-socket`,
    {
      path: options.path ?? "/socket.io",
      auth: { token: options.token },
      transports: ["websocket"],
      forceNew: true,
      reconnection: true,
      reconnectionDelay: baseDelay,
      reconnectionDelayMax: maxDelay,
    },
  );
  let identity: GatewayLink["identity"];
  let closed = false;
  let refusedTimer: NodeJS.Timeout | undefined;
  let refusals = 0;
  const usage = new Map<string, number>();

  const forward = (event: JobEvent, target: string | undefined) => {
    if (!socket.connected) return; // the GUI reads what it missed back from the execution history
    socket.emit("forward_event_to_gui", {
      event_name: event.type,
      event_data: event,
      ...(target === undefined ? {} : { target_address: target }),
    });
  };
  const relay = new RpcRelay(options.dispatcher, forward);
  const unsubscribe = options.jobEvents?.subscribe((event) => {
    if (event.type !== "workflow_status_update") return;
    if (event.status_data.status === "QUEUED") usage.set(period(), (usage.get(period()) ?? 0) + 1);
    relay.markBroadcast(event);
    forward(event, undefined);
  });

  socket.on("auth_success", (info) => {
    identity = info;
    refusals = 0;
    log.info(`connected to the gateway as engine ${info.engine_id}`);
    tick();
  });
  socket.on("connect_error", (err) => {
    if (socket.active || closed) return; // the client retries by itself
    // Refused by the gateway's middleware (e.g. AUTH_INVALID_TOKEN): Socket.IO does not retry; we do, slowly.
    refusals++;
    const wait = Math.min(maxDelay, baseDelay * 2 ** Math.min(refusals, 10)) * (0.5 + Math.random() / 2);
    log.error(
      `the gateway refused the engine link (${err.message}); retrying in ${Math.round(wait / 1000)} s`,
    );
    refusedTimer = setTimeout(() => {
      if (!closed) socket.connect();
    }, wait);
    refusedTimer.unref?.();
  });
  socket.on("disconnect", (reason) => {
    relay.closeAll();
    if (closed) return;
    log.warn(`gateway link down (${reason})`);
    // A server-side cut (engine deleted, token reset) is not retried by Socket.IO itself.
    if (reason === "io server disconnect") {
      refusedTimer = setTimeout(() => !closed && socket.connect(), baseDelay);
      refusedTimer.unref?.();
    }
  });
  socket.on("force_refresh_auth_list", () => {
    void options.authSource?.refresh().catch((err: unknown) => log.error("auth list refresh failed", err));
  });
  socket.on("quota_update", (body) => {
    try {
      options.onQuota?.(body);
    } catch (err) {
      log.error("quota_update handler failed", err);
    }
  });
  socket.on("health_check", (_body, ack) => {
    if (typeof ack !== "function") return;
    try {
      ack(options.health?.() ?? { status: "ready" });
    } catch (err) {
      log.error("health_check failed", err);
      ack({ status: "unhealthy" });
    }
  });
  socket.on("execute_rpc_from_gui", (body, ack) => {
    if (typeof ack !== "function") return;
    void relay.execute(body).then(ack);
  });

  function tick(): void {
    if (!socket.connected) return;
    try {
      socket.volatile.emit("engine_vitals_update", options.vitals());
    } catch (err) {
      log.error("vitals sample failed", err);
    }
    for (const [p, executions] of usage) {
      socket.emit("usage_report", { period: p, executions });
      usage.delete(p);
    }
  }
  const timer = setInterval(tick, options.vitalsIntervalMs ?? intervalFromEnv());
  timer.unref?.();

  return {
    get connected() {
      return socket.connected && identity !== undefined;
    },
    get identity() {
      return identity;
    },
    close: () => {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      if (refusedTimer !== undefined) clearTimeout(refusedTimer);
      unsubscribe?.();
      relay.closeAll();
      socket.disconnect();
    },
  };
}
