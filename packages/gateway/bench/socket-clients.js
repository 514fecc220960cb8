// Many Socket.IO clients in one process (websocket transport only, no reconnection), driven by bench/run.js
// over IPC. A process holds either engine sockets (/engine-socket, token handshake) or GUI sockets
// (/gui-socket, signed handshake).
// Messages:
//   connect {role, url, items, concurrency, batch}  items: engine tokens, or GUI private keys; batch (GUI role,
//                                             default true): opt in to engine_vitals_batch, as the SDK does
//   vitals {round, spreadMs, startAt}         engine role: every socket emits engine_vitals_update once, socket i at
//                                             startAt + spreadMs * i / n; the payload carries the emit time
//   report {round}                            GUI role: delivery delays of that round (histogram), counts
//   mem, close
import { monitorEventLoopDelay } from "node:perf_hooks";
import { signSocketAuth } from "@flowork/protocol";
import { io } from "socket.io-client";
import { fastSigner, Histogram, serveIpc, sleep, wallMs } from "./lib.js";

const sockets = [];
let role;
const rounds = new Map(); // round -> { hist, received }
const initial = { sockets: 0, rows: 0 };
let frames = 0; // engine_vitals_batch frames received (all rounds)
const loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();

function roundOf(n) {
  let r = rounds.get(n);
  if (!r) {
    r = { hist: new Histogram(), received: 0 };
    rounds.set(n, r);
  }
  return r;
}

function onVitals(body) {
  const m = /^b(\d+):(\d+(?:\.\d+)?)$/.exec(body?.vitals?.version ?? "");
  if (!m) return;
  const r = roundOf(Number(m[1]));
  r.hist.add(wallMs() - Number(m[2]));
  r.received++;
}

let batch = true;

function openOne(url, item) {
  return new Promise((resolve) => {
    const opts = { transports: ["websocket"], reconnection: false, forceNew: true, timeout: 60_000 };
    let socket;
    if (role === "engine") {
      socket = io(`${url}/engine-socket`, { ...opts, auth: { token: item } });
    } else {
      const signer = fastSigner(item);
      socket = io(`${url}/gui-socket`, {
        ...opts,
        // signed at connect time: the message is fresh and its nonce single-use
        auth: (cb) =>
          signSocketAuth(signer).then(
            (a) => cb(batch ? { ...a, vitals_batch: true } : { ...a }),
            () => cb({}),
          ),
      });
      socket.on("engine_vitals_update", onVitals);
      socket.on("engine_vitals_batch", (items) => {
        frames++;
        if (Array.isArray(items)) for (const item of items) onVitals(item);
      });
      socket.once("initial_engine_statuses", (rows) => {
        initial.sockets++;
        initial.rows += rows.length;
      });
    }
    const done = (err) => {
      socket.off("connect", ok);
      socket.off("connect_error", bad);
      resolve(err);
    };
    const ok = () => done(undefined);
    const bad = (err) => {
      socket.close();
      done(err?.message ?? String(err));
    };
    socket.once("connect", ok);
    socket.once("connect_error", bad);
    sockets.push(socket);
  });
}

serveIpc({
  connect: async ({ role: r, url, items, concurrency = 64, batch: b = true }) => {
    role = r;
    batch = b;
    const errors = {};
    const failedIdx = [];
    let next = 0;
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const workers = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        const err = await openOne(url, items[i]);
        if (err !== undefined) {
          errors[err] = (errors[err] ?? 0) + 1;
          failedIdx.push(i);
        }
      }
    });
    await Promise.all(workers);
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    return {
      ms,
      cpuS: (cpu.user + cpu.system) / 1e6,
      connected: items.length - failedIdx.length,
      failedIdx,
      errors,
    };
  },
  /** GUI role: waits up to `timeoutMs` until every connected socket got initial_engine_statuses. */
  initial: async ({ timeoutMs = 30_000 }) => {
    const end = Date.now() + timeoutMs;
    const live = () => sockets.filter((s) => s.connected).length;
    while (initial.sockets < live() && Date.now() < end) await sleep(50);
    return { ...initial, connected: live() };
  },
  vitals: async ({ round, spreadMs, startAt }) => {
    const live = sockets.filter((s) => s.connected);
    const n = live.length;
    let emitted = 0;
    let maxLate = 0;
    await new Promise((resolve) => {
      if (n === 0) resolve();
      // One timer per ~1 ms slot rather than one per socket.
      const slots = new Map();
      live.forEach((s, i) => {
        const at = startAt + (n > 1 ? (spreadMs * i) / n : 0);
        const key = Math.floor(at);
        if (!slots.has(key)) slots.set(key, []);
        slots.get(key).push(s);
      });
      for (const [at, group] of slots) {
        setTimeout(
          () => {
            maxLate = Math.max(maxLate, wallMs() - at);
            for (const s of group) {
              s.emit("engine_vitals_update", {
                cpu_percent: 1.5,
                memory_percent: 2.5,
                ram_rss_mb: 80,
                uptime_s: 1234,
                active_jobs: 0,
                queued_jobs: 0,
                version: `b${round}:${wallMs().toFixed(3)}`,
              });
              emitted++;
            }
            if (emitted === n) resolve();
          },
          Math.max(0, at - wallMs()),
        );
      }
    });
    return { emitted, maxLateMs: maxLate };
  },
  report: async ({ round, resetLoop }) => {
    const r = roundOf(round);
    const out = {
      hist: r.hist.toJSON(),
      received: r.received,
      frames,
      loop: { p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 },
    };
    if (resetLoop) loop.reset();
    return out;
  },
  mem: async () => ({ mem: process.memoryUsage(), live: sockets.filter((s) => s.connected).length }),
  close: async () => {
    for (const s of sockets) s.close();
    setImmediate(() => process.exit(0));
    return {};
  },
});
process.send({ type: "ready", pid: process.pid });
