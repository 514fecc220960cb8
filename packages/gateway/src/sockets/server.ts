import type { Server as HttpServer } from "node:http";
import { createAdapter } from "@socket.io/redis-streams-adapter";
import { Redis } from "ioredis";
import { Server } from "socket.io";
import type { GatewayEvents } from "../events.js";
import type { EngineNamespace, GuiNamespace, SocketContext } from "./context.js";
import { SILENT_LOGGER, type SocketDeps, type SocketOptions } from "./deps.js";
import { setupEngineNamespace } from "./engine-namespace.js";
import { createSocketEvents } from "./gateway-events.js";
import { setupGuiNamespace } from "./gui-namespace.js";
import { RoleCache } from "./role-cache.js";
import { engineRoom } from "./types.js";
import { VitalsPersister } from "./vitals-persister.js";
import { VitalsRelay, type VitalsRelayStats } from "./vitals-relay.js";

/** The gateway's Socket.IO side, as returned by {@link attachSockets}. */
export interface GatewaySockets {
  io: Server;
  /** The `/engine-socket` namespace, typed. */
  engines: EngineNamespace;
  /** The `/gui-socket` namespace, typed. */
  guis: GuiNamespace;
  /** What the services call when engines or shares change. */
  events: GatewayEvents;
  /** Asks a connected engine (on any replica) for its health; undefined when it is not connected. */
  engineHealth(engineId: string): Promise<Record<string, unknown> | undefined>;
  /** Counters of the vitals relay (reports accepted, flushes, frames, current period). */
  vitalsStats(): Readonly<VitalsRelayStats>;
  /**
   * Disconnects every local socket, writes pending vitals, closes the adapter (and its Redis client); leaves the
   * HTTP server (and the database) up.
   */
  close(): Promise<void>;
}

/** Default `rpc_forward_to_engine` timeout (SPEC section 3). */
export const DEFAULT_RPC_TIMEOUT_MS = 30_000;
/** Default bounds of the adaptive vitals flush period, and the database write period (see `SocketOptions`). */
export const DEFAULT_VITALS_FLUSH_MS = 25;
export const DEFAULT_VITALS_FLUSH_MAX_MS = 1_000;
export const DEFAULT_VITALS_PERSIST_MS = 30_000;

/**
 * Attaches the gateway's Socket.IO server (`/engine-socket`, `/gui-socket`) to an HTTP server.
 * With `options.redisUrl`, rooms, `fetchSockets` and broadcast acks go through `@socket.io/redis-streams-adapter`,
 * so a GUI on one replica drives an engine connected to another.
 *
 * @example
 * const sockets = attachSockets(app.server, servicesSocketDeps(services, verifier), { redisUrl: config.redisUrl });
 * eventsProxy.target = sockets.events; // the services were built with the proxy
 */
export function attachSockets(
  httpServer: HttpServer,
  deps: SocketDeps,
  options: SocketOptions = {},
): GatewaySockets {
  const redis =
    options.redisUrl === undefined ? undefined : new Redis(options.redisUrl, { lazyConnect: false });
  const stream = options.redisStreamName ?? "flowork:socket.io";
  const io = new Server(httpServer, {
    path: options.path ?? "/socket.io",
    serveClient: false,
    maxHttpBufferSize: 2 * 1024 * 1024,
    ...(options.corsOrigins === undefined ? {} : { cors: { origin: options.corsOrigins } }),
    ...(redis === undefined
      ? {}
      : { adapter: createAdapter(redis, { streamName: stream, channelPrefix: stream }) }),
  });
  const engines = io.of("/engine-socket") as unknown as EngineNamespace;
  const guis = io.of("/gui-socket") as unknown as GuiNamespace;
  const log = deps.logger ?? SILENT_LOGGER;
  const slice = Math.max(1, options.vitalsSlice ?? 500);
  const save = deps.saveVitals?.bind(deps);
  const persister =
    save === undefined
      ? undefined
      : new VitalsPersister({
          save,
          periodMs: options.vitalsPersistMs ?? DEFAULT_VITALS_PERSIST_MS,
          chunk: slice,
          log,
        });
  const minPeriodMs = options.vitalsFlushMs ?? DEFAULT_VITALS_FLUSH_MS;
  const ctx: SocketContext = {
    engines,
    guis,
    deps,
    log,
    roles: new RoleCache(options.roleCacheMs ?? 2_000, (engineId, address) => deps.roleOf(engineId, address)),
    rpcTimeoutMs: options.rpcTimeoutMs ?? DEFAULT_RPC_TIMEOUT_MS,
    vitals: new VitalsRelay({
      guis,
      minPeriodMs,
      maxPeriodMs: Math.max(minPeriodMs, options.vitalsFlushMaxMs ?? DEFAULT_VITALS_FLUSH_MAX_MS),
      slice,
      clustered: redis !== undefined,
      persister,
      log,
    }),
    persister,
  };
  redis?.on("error", (err: Error) => log.error("sockets: redis", { err: err.message }));
  setupEngineNamespace(ctx);
  setupGuiNamespace(ctx);
  const events = createSocketEvents(ctx);

  let closing: Promise<void> | undefined;
  return {
    io,
    engines,
    guis,
    events,
    engineHealth: async (engineId) => {
      const room = engineRoom(engineId);
      if ((await engines.in(room).fetchSockets()).length === 0) return undefined;
      try {
        const answers = (await engines.in(room).timeout(5_000).emitWithAck("health_check", {})) as Record<
          string,
          unknown
        >[];
        return answers[0] ?? { status: "unresponsive" };
      } catch {
        return { status: "unresponsive" };
      }
    },
    vitalsStats: () => ctx.vitals.stats,
    close: () => {
      closing ??= (async () => {
        ctx.vitals.close();
        await persister?.close();
        for (const ns of [engines, guis, io.of("/")]) {
          ns.local.disconnectSockets(true);
          await Promise.resolve(ns.adapter.close()).catch(() => {});
        }
        io.engine.close();
        if (redis !== undefined) await redis.quit().catch(() => redis.disconnect());
      })();
      return closing;
    },
  };
}
