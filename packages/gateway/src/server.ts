import { mkdir } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { MemoryReplayCache } from "@flowork/protocol";
import { createNodeVerifier } from "@flowork/protocol/node";
import type { GatewayConfig } from "./config.js";
import { openGatewayDb, pingGatewayDb } from "./db/index.js";
import type { GatewayEvents } from "./events.js";
import { NO_EVENTS } from "./events.js";
import { buildGatewayApp } from "./http/app.js";
import { registerGuiStatic } from "./http/static.js";
import { connectRedisReplayCache } from "./scale/redis-replay.js";
import { createGatewayServices, type GatewayServices } from "./services/index.js";
import { attachSockets, type GatewaySockets, servicesSocketDeps } from "./sockets/index.js";

export interface GatewayLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string, err?: unknown): void;
}

export interface RunningGateway {
  port: number;
  url: string;
  services: GatewayServices;
  sockets: GatewaySockets;
  close(): Promise<void>;
}

/**
 * The services are built before the sockets exist (the sockets need the HTTP server Fastify creates), so they get
 * this forwarder, pointed at the sockets' implementation once they are attached.
 */
function forwardingEvents(): GatewayEvents & { target: GatewayEvents } {
  const f = { target: NO_EVENTS } as GatewayEvents & { target: GatewayEvents };
  for (const key of Object.keys(NO_EVENTS) as (keyof GatewayEvents)[]) {
    (f as unknown as Record<string, unknown>)[key] = (...args: unknown[]) =>
      (f.target[key] as (...a: unknown[]) => void)(...args);
  }
  return f;
}

/** Starts the gateway: database, services, REST API, Socket.IO, all on one port. */
export async function startGateway(given: GatewayConfig, log: GatewayLogger): Promise<RunningGateway> {
  // A copy whose port becomes the real one once listening (`--port 0`): links the gateway builds use it.
  const config: GatewayConfig = { ...given };
  await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
  const db = await openGatewayDb(config.databaseUrl);
  const events = forwardingEvents();
  const services = createGatewayServices({ db, events, config });
  // One replay cache for REST and the /gui-socket handshake; with REDIS_URL, shared by every replica.
  const sharedReplay =
    config.redisUrl === undefined
      ? undefined
      : connectRedisReplayCache(config.redisUrl, (err) => log.warn(`replay cache: redis: ${err.message}`));
  const replayCache = sharedReplay?.cache ?? new MemoryReplayCache();
  const verifier = createNodeVerifier({ replayCache, windowMs: config.authWindowMs });
  let sockets: GatewaySockets | undefined;
  const app = buildGatewayApp({
    config,
    services,
    events,
    replayCache,
    verifier,
    pingDatabase: () => pingGatewayDb(db),
    engineHealth: async (engineId) => sockets?.engineHealth(engineId),
    logger: false,
  });
  if (config.guiDir) registerGuiStatic(app, { root: config.guiDir });
  await app.ready();
  sockets = attachSockets(
    app.server,
    servicesSocketDeps({
      engines: services.engines,
      billing: services.billing,
      verifier,
      logger: { info: (m) => log.info(m), warn: (m) => log.warn(m), error: (m) => log.error(m) },
    }),
    {
      redisUrl: config.redisUrl,
      vitalsFlushMaxMs: config.vitalsFlushMaxMs,
      vitalsPersistMs: config.vitalsPersistMs,
    },
  );
  events.target = sockets.events;
  await app.listen({ port: config.port, host: config.host });
  const port = (app.server.address() as AddressInfo).port;
  config.port = port;
  const running = sockets;
  let closed: Promise<void> | undefined;
  return {
    port,
    url: `http://${config.host}:${port}`,
    services,
    sockets: running,
    close: () => {
      closed ??= (async () => {
        await running.close();
        await app.close();
        await db.destroy();
        await sharedReplay?.close();
      })();
      return closed;
    },
  };
}
