// One gateway in its own process (so its RSS and CPU are its own), driven by bench/run.js over IPC.
// Started with `node bench/gateway-child.js` and an IPC channel; env BENCH_GW_DATA = data folder.
// Messages: seed {owners, engines}, mem {gc?}, stats, close. Sends {type:"ready", url, pid} first.
import { monitorEventLoopDelay } from "node:perf_hooks";
import { gatewayConfigFrom, startGateway } from "@flowork/gateway";
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
  { FLOWORK_BILLING: "off" },
);
const gw = await startGateway(config, log);
// An `accept` that fails (EMFILE at the file-descriptor ceiling) is an 'error' on the listening server;
// count it instead of letting it end the process.
gw.sockets.io.httpServer?.on("error", (err) => {
  const code = err?.code ?? String(err);
  counts.acceptErrors[code] = (counts.acceptErrors[code] ?? 0) + 1;
});

const loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();

serveIpc({
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
    return { mem: process.memoryUsage(), cpu: process.cpuUsage() };
  },
  stats: async ({ resetLoop }) => {
    const s = {
      engineSockets: gw.sockets.engines.sockets.size,
      guiSockets: gw.sockets.guis.sockets.size,
      counts,
      firstMessages,
      loop: { p50: loop.percentile(50) / 1e6, p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 },
      cpu: process.cpuUsage(),
    };
    if (resetLoop) loop.reset();
    return s;
  },
  close: async () => {
    // Exit right away (a --cpu-prof profile is written on exit); the parent drops the clients.
    setImmediate(() => process.exit(0));
    return {};
  },
});
process.send({ type: "ready", url: gw.url, pid: process.pid });
