// One gateway in its own process (so its RSS and CPU are its own), driven by bench/run.js over IPC.
// Started with `node bench/gateway-child.js` and an IPC channel; env BENCH_GW_DATA = data folder.
// Optional env: BENCH_GW_DATABASE_URL (e.g. a private PostgreSQL database), BENCH_GW_REDIS_URL +
// BENCH_GW_REDIS_STREAM (a replica on the Redis streams adapter, with its own stream/channel name),
// BENCH_GW_SOCKET_OPTIONS (JSON merged into attachSockets' options, e.g. {"vitalsFlushMs":50}).
// With any of the last three the gateway is assembled from its exported parts (as startGateway does).
// Messages: seed {owners, engines}, mem {gc?}, stats, prof {action, file}, close. Sends {type:"ready", url, pid} first.
import { open } from "node:fs/promises";
import { Session } from "node:inspector/promises";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { getHeapStatistics } from "node:v8";
import {
  attachSockets,
  buildGatewayApp,
  createGatewayServices,
  gatewayConfigFrom,
  NO_EVENTS,
  openGatewayDb,
  servicesSocketDeps,
  startGateway,
} from "@flowork/gateway";
import { MemoryReplayCache } from "@flowork/protocol";
import { createNodeVerifier } from "@flowork/protocol/node";
import { serveIpc } from "./lib.js";

const counts = { warn: 0, error: 0, acceptErrors: {} };
const firstMessages = [];
const note = (kind, m) => {
  counts[kind]++;
  if (firstMessages.length < 10) firstMessages.push(`${kind}: ${m}`);
};
const log = { info: () => {}, warn: (m) => note("warn", m), error: (m) => note("error", m) };

const config = gatewayConfigFrom(
  { port: 0, host: "127.0.0.1", data: process.env.BENCH_GW_DATA },
  {
    FLOWORK_BILLING: "off",
    ...(process.env.BENCH_GW_DATABASE_URL ? { DATABASE_URL: process.env.BENCH_GW_DATABASE_URL } : {}),
  },
);
const VARIANT = new Set((process.env.BENCH_GW_VARIANT ?? "").split(",").filter(Boolean));
const SOCKET_OPTIONS = {
  ...JSON.parse(process.env.BENCH_GW_SOCKET_OPTIONS || "{}"),
  ...(process.env.BENCH_GW_REDIS_URL
    ? {
        redisUrl: process.env.BENCH_GW_REDIS_URL,
        redisStreamName: process.env.BENCH_GW_REDIS_STREAM ?? `flowork-bench:${process.pid}`,
      }
    : {}),
};
const assembled = VARIANT.size > 0 || Object.keys(SOCKET_OPTIONS).length > 0;
const gw = assembled
  ? await startVariant(config, log, VARIANT, SOCKET_OPTIONS)
  : await startGateway(config, log);
// An `accept` that fails (EMFILE at the file-descriptor ceiling) is an 'error' on the listening server;
// count it instead of letting it end the process.
gw.sockets.io.httpServer?.on("error", (err) => {
  const code = err?.code ?? String(err);
  counts.acceptErrors[code] = (counts.acceptErrors[code] ?? 0) + 1;
});

const loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();

let session;
let profileFile;

serveIpc({
  /** CPU profile of one phase (node:inspector): `prof {action:"start", file}` ... `prof {action:"stop"}`. */
  prof: async ({ action, file, intervalUs = 200 }) => {
    if (action === "start") {
      // Open the output file now: at the descriptor ceiling there may be none left when the profile stops.
      profileFile = await open(file, "w");
      session = new Session();
      session.connect();
      await session.post("Profiler.enable");
      await session.post("Profiler.setSamplingInterval", { interval: intervalUs });
      await session.post("Profiler.start");
      return {};
    }
    const { profile } = await session.post("Profiler.stop");
    session.disconnect();
    session = undefined;
    await profileFile.writeFile(JSON.stringify(profile));
    await profileFile.close();
    profileFile = undefined;
    return { file };
  },
  /** Creates the owners (login) and `engines` engines, engine i owned by owners[i % owners.length]. */
  seed: async ({ owners, engines, namePrefix = "bench" }) => {
    const t0 = performance.now();
    for (const o of owners) await gw.services.users.login(o);
    const out = [];
    for (let i = 0; i < engines; i++) {
      const owner = owners[i % owners.length];
      const created = await gw.services.engines.create(owner, `${namePrefix}-${i}`);
      out.push([created.id, created.raw_token, i % owners.length]);
    }
    return { engines: out, ms: performance.now() - t0 };
  },
  mem: async ({ gc }) => {
    if (gc && typeof global.gc === "function") {
      global.gc();
      global.gc();
    }
    let mem;
    try {
      mem = process.memoryUsage(); // reads /proc/self/stat: needs a free file descriptor
    } catch {
      const h = getHeapStatistics();
      mem = {
        rss: Number.NaN,
        heapUsed: h.used_heap_size,
        heapTotal: h.total_heap_size,
        external: h.external_memory,
        arrayBuffers: Number.NaN,
      };
    }
    return { mem, cpu: process.cpuUsage() };
  },
  stats: async ({ resetLoop }) => {
    const s = {
      engineSockets: gw.sockets.engines.sockets.size,
      guiSockets: gw.sockets.guis.sockets.size,
      counts,
      firstMessages,
      loop: { p50: loop.percentile(50) / 1e6, p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 },
      cpu: process.cpuUsage(),
      vitals: { ...(gw.sockets.vitalsStats?.() ?? {}) }, // a gateway without batching has none
    };
    if (resetLoop) loop.reset();
    return s;
  },
  close: async () => {
    // A replica on Redis closes its adapter (and Redis clients) first; then exit right away (a --cpu-prof profile
    // is written on exit); the parent drops the clients.
    if (SOCKET_OPTIONS.redisUrl) await gw.close().catch(() => {});
    setImmediate(() => process.exit(0));
    return {};
  },
});
process.send({ type: "ready", url: gw.url, pid: process.pid });

/**
 * The same parts `startGateway` wires, assembled here so that socket options (flush periods, a Redis stream of its
 * own) can be set, and for the what-if findings (bench only; the product is untouched). BENCH_GW_VARIANT
 * (comma-separated):
 *   no-vitals-write  vitals are relayed but never written to the database (the shipped gateway writes each
 *                    engine's latest vitals once per 30 s; this is the bound of what dropping that would save)
 *   role-cache       every roleOf goes through a 2 s cache (the shipped gateway caches known roles on the
 *                    rpc_forward_to_engine path already)
 *   drop-request     engine.io forgets each connection's first HTTP request (socket.io's "memory usage" advice)
 */
async function startVariant(config, log, variant, socketOptions) {
  const { mkdir } = await import("node:fs/promises");
  await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
  const db = await openGatewayDb(config.databaseUrl);
  const events = { ...NO_EVENTS };
  let target = NO_EVENTS;
  for (const k of Object.keys(NO_EVENTS)) events[k] = (...a) => target[k](...a);
  const services = createGatewayServices({ db, events, config });
  const replayCache = new MemoryReplayCache();
  const verifier = createNodeVerifier({ replayCache, windowMs: config.authWindowMs });
  let sockets;
  const app = buildGatewayApp({
    config,
    services,
    events,
    replayCache,
    verifier,
    pingDatabase: async () => true,
    engineHealth: async (id) => sockets?.engineHealth(id),
    logger: false,
  });
  await app.ready();
  const deps = servicesSocketDeps({
    engines: services.engines,
    billing: services.billing,
    verifier,
    logger: log,
  });
  if (variant.has("no-vitals-write")) delete deps.saveVitals;
  if (variant.has("role-cache")) {
    const lookup = deps.roleOf;
    const cache = new Map();
    deps.roleOf = (engineId, address) => {
      const key = `${engineId}\n${address}`;
      const hit = cache.get(key);
      if (hit && Date.now() - hit.at < 2000) return hit.role;
      const role = lookup(engineId, address);
      cache.set(key, { at: Date.now(), role });
      return role;
    };
  }
  sockets = attachSockets(app.server, deps, socketOptions);
  // socket.io's documented memory tip: do not keep each session's first HTTP request (the handshake object keeps
  // what the gateway reads: `auth`, the remote address).
  if (variant.has("drop-request"))
    sockets.io.engine.on("connection", (raw) => {
      raw.request = null;
    });
  target = sockets.events;
  await app.listen({ port: config.port, host: config.host });
  const { port } = app.server.address();
  return {
    url: `http://${config.host}:${port}`,
    services,
    sockets,
    close: async () => {
      await sockets.close();
      await app.close();
      await db.destroy();
    },
  };
}
