// Flowork gateway benchmark. Build first: `npm run build` at the repo root.
// Run: npm run bench -w @flowork/gateway      (= node bench/run.js in packages/gateway)
//
//  1. Signed REST requests per second: GET /api/v1/user/profile, every request freshly signed (a pool signed
//     beforehand, one nonce per request), 1 and 16 concurrent keep-alive clients.
//  2. GUI -> gateway -> engine -> ack round trip: a real engine (child process) linked to the gateway (child
//     process); a GuiSocketClient sends signed `ping` envelopes through rpc_forward_to_engine, sequentially.
//  3. Sockets held by one gateway process: E engine sockets + G GUI sockets (websocket transport) from client
//     child processes; gateway RSS; then vitals fan-out delay engine -> gateway -> owning GUIs.
//  4. Replicas (issue #6): GUI -> replica A -> Redis streams adapter -> replica B -> engine -> back, beside the
//     same-replica round trip; two gateway children on a private PostgreSQL database and the local Redis
//     (bench/replicas.js).
//
// Rate limits: the gateway runs as shipped (`startGateway`, per caller 20/s burst 60; the per-IP limit skips loopback);
// the REST load rotates over --rest-keys identities signed in beforehand, so no caller is limited.
// Everything listens on 127.0.0.1, is bounded in count and time, and stops by itself.
// Flags (all optional):
//   --only rest,rpc,sockets,replicas   sections to run (default all)
//   --pg-url URL --redis-url URL   for the replicas section (default FLOWORK_TEST_PG_URL or
//                             postgres://postgres@127.0.0.1:5432/test, FLOWORK_TEST_REDIS_URL or redis://127.0.0.1:6379);
//                             a database flowork_bench_<pid>_<hex> is created there and dropped at the end
//   --rest-seconds 5          timed seconds per REST concurrency level (after --rest-warm 1 s)
//   --rest-conc 1,16          REST concurrency levels
//   --rest-keys 500           distinct signed-in identities the REST load rotates over (per-caller rate limit)
//   --rest-pool 10000,30000    pre-signed requests per level (a level stops early if its pool runs out)
//   --rpc 600 --rpc-warm 100  timed / warm-up round trips; --rpc-pace 11 ms between starts (engine: 100 cmd/s/address)
//   --sockets 1000,10000      levels: N engine sockets + N GUI sockets each (or --engines / --guis for one level)
//   --users N                 owners: engine i owned by user i % users, GUI j signed as user j % users. Default: one
//                             user per 10 engines (100 users at 1,000 + 1,000: 10 engines and 10 GUI tabs per user),
//                             so every level has the same per-user shape and E x 10 deliveries per vitals round.
//                             A fixed --users 100 at 10,000 + 10,000 means 100 GUIs per user: 1,000,000 deliveries.
//   --spread 1000             vitals emitted spread over this many ms (0 = all at once)
//   --legacy-vitals           GUI sockets do not opt in to engine_vitals_batch: one engine_vitals_update per engine
//                             (still coalesced per flush); default: they opt in, as the SDK's GuiSocketClient does
//   --flush-ms N --flush-max-ms M   bounds of the gateway's adaptive vitals flush period (default 25 / 1000)
//   --fanout-rounds 3         vitals rounds per level after a warm-up round (--fanout-rounds-big 1 above 2,000 engines)
//   --fanout-timeout 60       seconds to wait for every expected GUI delivery of a round
//   --per-proc 5000           client sockets per client process
//   --connect-conc 256        handshakes in flight per client process
//   --variant no-vitals-write,role-cache,drop-request   what-if: gateway children assembled from the same exported parts with one
//                             socket dependency changed (see bench/gateway-child.js); for the findings only
//   --profile                 CPU-profile the gateway child (node:inspector, like --cpu-prof but per phase): REST at the
//                             highest concurrency, the timed RPC loop, socket connect, one fan-out round; each profile
//                             is written to --prof-dir (default /tmp) and summarised (bench/cpuprofile-top.js)
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import http from "node:http";
import os from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { signApiRequest, signEnvelope } from "@flowork/protocol";
import { EngineClient, GatewayClient, GuiSocketClient } from "@flowork/sdk";
import { generatePrivateKey } from "viem/accounts";
import WebSocket from "ws";
import { printSummary } from "./cpuprofile-top.js";
import {
  checkFastSigner,
  fastSigner,
  fmt,
  fmtInt,
  Histogram,
  ipcCaller,
  mb,
  median,
  openFds,
  pacedLoop,
  procCpuSeconds,
  procMemory,
  quantile,
  sleep,
  rttStats as stats,
  wallMs,
} from "./lib.js";
import { replicaRoundTrips } from "./replicas.js";

const HERE = dirname(fileURLToPath(import.meta.url));

// ------------------------------------------------------------------------------------------------ flags

function parseFlags(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith("--")) throw new Error(`unexpected argument ${a}`);
    const [k, inline] = a.slice(2).split("=", 2);
    if (inline !== undefined) out[k] = inline;
    else if (i + 1 < argv.length && !argv[i + 1].startsWith("--")) out[k] = argv[++i];
    else out[k] = "true";
  }
  return out;
}
const F = parseFlags(process.argv.slice(2));
const num = (k, d) => (F[k] === undefined ? d : Number(F[k]));
const list = (k, d) => (F[k] === undefined ? d : String(F[k]).split(",").filter(Boolean).map(Number));
const ONLY = new Set((F.only ?? "rest,rpc,sockets,replicas").split(","));
const PG_URL = F["pg-url"] ?? process.env.FLOWORK_TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const REDIS_URL = F["redis-url"] ?? process.env.FLOWORK_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
const REST_S = num("rest-seconds", 5);
const REST_WARM_S = num("rest-warm", 1);
const REST_CONC = list("rest-conc", [1, 16]);
const REST_KEYS = num("rest-keys", 500);
const REST_POOL = list("rest-pool", [10000, 30000]);
const RPC_N = num("rpc", 600);
const RPC_WARM = num("rpc-warm", 100);
const RPC_PACE = num("rpc-pace", 11);
const LEVELS =
  F.engines !== undefined || F.guis !== undefined
    ? [{ engines: num("engines", 1000), guis: num("guis", num("engines", 1000)) }]
    : list("sockets", [1000, 10000]).map((n) => ({ engines: n, guis: n }));
const usersFor = (engines) =>
  F.users === undefined ? Math.max(1, Math.round(engines / 10)) : Number(F.users);
const SPREAD = num("spread", 1000);
const ROUNDS = num("fanout-rounds", 3);
const ROUNDS_BIG = num("fanout-rounds-big", 1);
const FANOUT_TIMEOUT_S = num("fanout-timeout", 60);
const PER_PROC = num("per-proc", 5000);
const CONNECT_CONC = num("connect-conc", 256);
const PROFILE = F.profile === "true";
const VARIANT = F.variant ?? "";
const PROF_DIR = F["prof-dir"] ?? "/tmp";
const LEGACY_VITALS = F["legacy-vitals"] === "true";
const SOCKET_OPTIONS = JSON.stringify({
  ...(F["flush-ms"] === undefined ? {} : { vitalsFlushMs: Number(F["flush-ms"]) }),
  ...(F["flush-max-ms"] === undefined ? {} : { vitalsFlushMaxMs: Number(F["flush-max-ms"]) }),
});

/** Runs `fn` with the gateway child CPU-profiled (when --profile), then prints where its time went. */
async function profiled(gw, name, fn) {
  if (!PROFILE) return fn();
  const file = join(PROF_DIR, `flowork-gateway-${name}.cpuprofile`);
  await gw.call("prof", { action: "start", file });
  const out = await fn();
  await gw.call("prof", { action: "stop" });
  console.log(`  --- gateway CPU profile of ${name}: ${file}`);
  printSummary(JSON.parse(await readFile(file, "utf8")), 15, "    ");
  return out;
}

const GOALS = { rpcP50Ms: 5, rssMb: 1536, fanoutP99Ms: 250 };
const summary = [];
const heading = (t) => {
  console.log(`\n=== ${t} ${"=".repeat(Math.max(0, 100 - t.length))}`);
  console.log(
    `(load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")} on ${os.cpus().length} CPUs)`,
  );
};

// ------------------------------------------------------------------------------------------------ children

const children = new Set();
process.on("exit", () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
});
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => process.exit(130));

/**
 * Spawns `node <script>` with an IPC channel and waits for its `{type:"ready"}` message. With `raiseFd`, through
 * `bash -c 'ulimit -n <hard>; exec node ...'` so the child may hold as many descriptors as the hard limit allows.
 */
function spawnChild(script, { env = {}, execArgv = [], raiseFd = false, label = script } = {}) {
  const nodeArgs = [...execArgv, join(HERE, script)];
  const child = raiseFd
    ? spawn(
        "bash",
        ["-c", 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$0" "$@"', process.execPath, ...nodeArgs],
        { stdio: ["ignore", "inherit", "inherit", "ipc"], env: { ...process.env, ...env } },
      )
    : spawn(process.execPath, nodeArgs, {
        stdio: ["ignore", "inherit", "inherit", "ipc"],
        env: { ...process.env, ...env },
      });
  children.add(child);
  child.on("exit", () => children.delete(child));
  const call = ipcCaller(child, label);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${label} did not start in 60 s`)), 60_000);
    child.on("message", (m) => {
      if (m?.type === "ready") {
        clearTimeout(timer);
        resolve({ child, call, info: m, pid: m.pid });
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${label} exited with ${code} before it was ready`));
    });
  });
}

async function stopChild(c) {
  if (!c || c.child.exitCode !== null || c.child.signalCode !== null) return;
  const exited = new Promise((r) => c.child.once("exit", r));
  await c.call("close", {}, 5_000).catch(() => {});
  const t = setTimeout(() => c.child.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(t);
}

// ------------------------------------------------------------------------------------------------ 1. REST

/** One GET with the given headers over the keep-alive agent; resolves with the status code. */
function get(agent, port, path, headers) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, path, method: "GET", agent, headers }, (res) => {
      res.on("data", () => {});
      res.on("end", () => resolve(res.statusCode));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

async function signPool(signers, n, method, path) {
  const pool = new Array(n);
  for (let i = 0; i < n; i++) pool[i] = await signApiRequest(signers[i % signers.length], method, path, "");
  return pool;
}

/**
 * Closed loop: `conc` clients, each sends its next pre-signed request when the previous one is answered.
 * Warm-up, then per-second slices; stops at the end or when the pool runs out.
 */
async function restLevel(port, pool, conc, path) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: conc });
  const t0 = performance.now();
  const warmEnd = t0 + REST_WARM_S * 1000;
  const end = warmEnd + REST_S * 1000;
  const doneAt = [];
  const latencies = [];
  const statuses = {};
  let errors = 0;
  let next = 0;
  let exhaustedAt;
  await Promise.all(
    Array.from({ length: conc }, async () => {
      while (performance.now() < end) {
        if (next >= pool.length) {
          exhaustedAt ??= performance.now();
          return;
        }
        const headers = pool[next++];
        const s = performance.now();
        try {
          const status = await get(agent, port, path, headers);
          statuses[status] = (statuses[status] ?? 0) + 1;
        } catch {
          errors++;
        }
        const e = performance.now();
        if (s >= warmEnd && e <= end) {
          doneAt.push(e);
          latencies.push(e - s);
        }
      }
    }),
  );
  agent.destroy();
  const measuredEnd = Math.min(end, exhaustedAt ?? end);
  const slices = [];
  for (let k = 0; warmEnd + (k + 1) * 1000 <= measuredEnd + 1; k++) {
    const a = warmEnd + k * 1000;
    slices.push(doneAt.filter((t) => t >= a && t < a + 1000).length);
  }
  const total = doneAt.length / ((measuredEnd - warmEnd) / 1000);
  latencies.sort((a, b) => a - b);
  return {
    slices,
    median: median(slices),
    best: Math.max(...slices),
    mean: total,
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
    statuses,
    errors,
    used: next,
    exhausted: exhaustedAt !== undefined && exhaustedAt < end,
  };
}

async function sectionRest(gw) {
  heading("1. Signed REST requests per second: GET /api/v1/user/profile");
  const port = Number(new URL(gw.info.url).port);
  const path = "/api/v1/user/profile";
  const signers = Array.from({ length: REST_KEYS }, () => fastSigner());
  // Sign in every identity first (POST /auth/login creates the user), so no request measures user creation.
  const t0 = performance.now();
  let i = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (i < signers.length) {
        const s = signers[i++];
        await new GatewayClient({ baseUrl: gw.info.url, signer: s }).post("/auth/login");
      }
    }),
  );
  console.log(
    `${REST_KEYS} identities signed in (POST /auth/login) in ${fmt(performance.now() - t0, 0)} ms; requests rotate over them, so each stays under the per-caller limit (20/s, burst 60) up to ${fmtInt(REST_KEYS * 20)} req/s.`,
  );
  console.log(
    `Gateway: startGateway() as shipped (default rate limits; the per-IP limit skips loopback). Warm-up ${REST_WARM_S} s, then ${REST_S} one-second slices.`,
  );
  const results = [];
  for (const [k, conc] of REST_CONC.entries()) {
    const n = REST_POOL[k] ?? REST_POOL[REST_POOL.length - 1];
    const s0 = performance.now();
    const pool = await signPool(signers, n, "GET", path);
    const signMs = performance.now() - s0;
    const cpu0 = procCpuSeconds(gw.pid);
    const last = k === REST_CONC.length - 1;
    const r = last
      ? await profiled(gw, `rest-c${conc}`, () => restLevel(port, pool, conc, path))
      : await restLevel(port, pool, conc, path);
    const cpu = procCpuSeconds(gw.pid) - cpu0;
    results.push({ conc, ...r });
    console.log(
      `  ${String(conc).padStart(2)} client(s): median ${fmtInt(r.median)} req/s (best ${fmtInt(r.best)}, slices ${r.slices.map(fmtInt).join(" ")}), latency p50 ${fmt(r.p50, 2)} ms p99 ${fmt(r.p99, 2)} ms; statuses ${JSON.stringify(r.statuses)}${r.errors ? `, ${r.errors} socket errors` : ""}; gateway CPU ${fmt(cpu, 1)} s over ${fmt(REST_WARM_S + REST_S, 0)} s = ${fmtInt((cpu * 1e6) / Math.max(1, r.used))} µs per request (≈ ${fmtInt(r.used / Math.max(1e-9, cpu))} req/s per busy core)${r.exhausted ? `; POOL EXHAUSTED after ${fmtInt(r.used)} requests (raise --rest-pool)` : ""} [pool of ${fmtInt(n)} signed in ${fmt(signMs / 1000, 1)} s]`,
    );
    summary.push([
      `signed REST GET /user/profile, ${conc} keep-alive client(s)`,
      "",
      `${fmtInt(r.median)} req/s (best ${fmtInt(r.best)}); p50 ${fmt(r.p50, 2)} ms; gateway CPU ${fmtInt((cpu * 1e6) / Math.max(1, r.used))} µs/request`,
      "",
    ]);
  }
  return results;
}

// ------------------------------------------------------------------------------------------------ 2. RPC

async function sectionRpc(gw, tmp) {
  heading("2. GUI -> gateway -> engine -> ack round trip (signed ping, sequential)");
  const owner = fastSigner();
  const rest = new GatewayClient({ baseUrl: gw.info.url, signer: owner });
  await rest.post("/auth/login");
  const created = await rest.post("/user/engines", { name: "bench-rpc" });
  const engine = await spawnChild("engine-child.js", {
    label: "engine",
    env: {
      BENCH_ENGINE_DATA: join(tmp, "engine"),
      GATEWAY_API_URL: gw.info.url,
      FLOWORK_ENGINE_TOKEN: created.raw_token,
    },
  });
  try {
    const gui = new GuiSocketClient({
      url: gw.info.url,
      signer: owner,
      reconnection: false,
      timeoutMs: 10_000,
    });
    const online = new Promise((resolve) => {
      gui.socket.on("initial_engine_statuses", (rows) => {
        if (rows.some((r) => r.engine_id === created.id && r.status === "online")) resolve();
      });
      gui.socket.on("engine_status_update", (u) => {
        if (u.engine_id === created.id && u.status === "online") resolve();
      });
    });
    await gui.connect();
    await Promise.race([
      online,
      sleep(15_000).then(() => Promise.reject(new Error("engine not online in 15 s"))),
    ]);
    const total = RPC_WARM + RPC_N;
    const envelopes = [];
    for (let i = 0; i < total; i++) {
      envelopes.push(await signEnvelope(owner, created.id, { type: "ping", request_id: `p-${i}` }));
    }
    let failures = 0;
    const first = await gui.rpc(created.id, envelopes[0]);
    if (!first.ok) throw new Error(`ping through the gateway failed: ${JSON.stringify(first.error)}`);
    const rpcCpu0 = procCpuSeconds(gw.pid);
    const rtts = await profiled(gw, "rpc", () =>
      pacedLoop(total - 1, RPC_PACE, async (i) => {
        const a = await gui.rpc(created.id, envelopes[i + 1]);
        if (!a.ok || a.response.type !== "pong") failures++;
      }),
    );
    const rpcCpuUs = ((procCpuSeconds(gw.pid) - rpcCpu0) * 1e6) / rtts.length;
    const timed = rtts.slice(RPC_WARM - 1);
    const g = stats(timed);
    console.log(
      `  through the gateway (GuiSocketClient.rpc, transport ${gui.socket.io.engine.transport.name}): ${timed.length} timed after ${RPC_WARM} warm-up, one start per ${RPC_PACE} ms: p50 ${fmt(g.p50, 2)} / p90 ${fmt(g.p90, 2)} / p99 ${fmt(g.p99, 2)} ms (max ${fmt(g.max, 2)}); failures ${failures}; gateway CPU ≈ ${fmtInt(rpcCpuUs)} µs per round trip (incl. the engine link's vitals every 5 s)`,
    );
    summary.push([
      "GUI -> gateway -> engine -> ack, signed ping, p50 / p90 / p99",
      `p50 ≤ ${GOALS.rpcP50Ms} ms`,
      `${fmt(g.p50, 2)} / ${fmt(g.p90, 2)} / ${fmt(g.p99, 2)} ms`,
      failures === 0 && g.p50 <= GOALS.rpcP50Ms ? "PASS" : "MISS",
    ]);
    gui.close();

    // The same engine directly over its WebSocket (no gateway), same signer and pacing: what the gateway adds.
    const direct = new EngineClient({
      url: `ws://127.0.0.1:${engine.info.port}/`,
      engineId: created.id,
      signer: owner,
      connect: (u) => new WebSocket(u),
      timeoutMs: 10_000,
    });
    await direct.open();
    const env2 = [];
    for (let i = 0; i < total; i++) {
      env2.push(await signEnvelope(owner, created.id, { type: "ping", request_id: `d-${i}` }));
    }
    let dFailures = 0;
    const drtts = await pacedLoop(total, RPC_PACE, async (i) => {
      const r = await direct.sendEnvelope(env2[i], `d-${i}`);
      if (r.type !== "pong") dFailures++;
    });
    const d = stats(drtts.slice(RPC_WARM));
    console.log(
      `  directly to the engine (EngineClient over ws, same pacing): p50 ${fmt(d.p50, 2)} / p90 ${fmt(d.p90, 2)} / p99 ${fmt(d.p99, 2)} ms; failures ${dFailures} -> the gateway hop adds ${fmt(g.p50 - d.p50, 2)} ms at p50`,
    );
    summary.push([
      "the same ping directly to the engine's WebSocket",
      "",
      `${fmt(d.p50, 2)} / ${fmt(d.p90, 2)} / ${fmt(d.p99, 2)} ms`,
      "",
    ]);
    direct.close?.();
    return { gateway: g, direct: d };
  } finally {
    await stopChild(engine);
  }
}

// ------------------------------------------------------------------------------------------------ 3. sockets

const chunks = (arr, size) => {
  const out = [];
  for (let i = 0; i < arr.length; i += size) out.push(arr.slice(i, i + size));
  return out;
};

async function connectAll(procs, role, url, itemChunks) {
  const t0 = performance.now();
  const answers = await Promise.all(
    procs.map((p, k) =>
      p.call(
        "connect",
        { role, url, items: itemChunks[k], concurrency: CONNECT_CONC, batch: !LEGACY_VITALS },
        600_000,
      ),
    ),
  );
  const ms = performance.now() - t0;
  const errors = {};
  let connected = 0;
  const failed = new Set();
  const clientCpuS = answers.map((a) => a.cpuS);
  answers.forEach((a, k) => {
    connected += a.connected;
    for (const [e, c] of Object.entries(a.errors)) errors[e] = (errors[e] ?? 0) + c;
    for (const i of a.failedIdx) failed.add(k * PER_PROC + i);
  });
  return { ms, connected, errors, failed, clientCpuS };
}

async function sectionSockets(level, tmp) {
  const { engines: E, guis: G } = level;
  const USERS = usersFor(E);
  heading(
    `3. Sockets held by one gateway process: ${fmtInt(E)} engine + ${fmtInt(G)} GUI sockets, ${fmtInt(USERS)} users`,
  );
  const owners = Array.from({ length: USERS }, () => generatePrivateKey());
  const ownerAddrs = owners.map((k) => fastSigner(k).address.toLowerCase());
  const execArgv = ["--expose-gc"];
  const gw = await spawnChild("gateway-child.js", {
    label: "gateway",
    raiseFd: true,
    execArgv,
    env: {
      BENCH_GW_DATA: join(tmp, `gw-${E}`),
      BENCH_GW_VARIANT: VARIANT,
      BENCH_GW_SOCKET_OPTIONS: SOCKET_OPTIONS === "{}" ? "" : SOCKET_OPTIONS,
    },
  });
  const clients = [];
  const result = { E, G };
  try {
    const fdLimit = await import("node:fs").then((fs) =>
      /Max open files\s+(\d+)\s+(\d+)/.exec(fs.readFileSync(`/proc/${gw.pid}/limits`, "utf8")),
    );
    result.fdSoft = Number(fdLimit?.[1]);
    result.fdHard = Number(fdLimit?.[2]);
    const m0 = procMemory(gw.pid);
    const seeded = await gw.call("seed", { owners: ownerAddrs, engines: E }, 300_000);
    const m1 = procMemory(gw.pid);
    console.log(
      `gateway pid ${gw.pid}, open-files limit ${result.fdSoft} (hard ${result.fdHard}); RSS at start ${mb(m0.rss)}; ${USERS} users + ${fmtInt(E)} engines created through the services in ${fmt(seeded.ms / 1000, 1)} s; RSS ${mb(m1.rss)}`,
    );
    const tokens = seeded.engines.map((e) => e[1]);
    const engineOwner = seeded.engines.map((e) => e[2]);
    const guiKeys = Array.from({ length: G }, (_, j) => owners[j % USERS]);
    const tokenChunks = chunks(tokens, PER_PROC);
    const guiChunks = chunks(guiKeys, PER_PROC);
    const engineProcs = await Promise.all(
      tokenChunks.map((_, k) =>
        spawnChild("socket-clients.js", { label: `engine-clients-${k}`, raiseFd: true }),
      ),
    );
    const guiProcs = await Promise.all(
      guiChunks.map((_, k) => spawnChild("socket-clients.js", { label: `gui-clients-${k}`, raiseFd: true })),
    );
    clients.push(...engineProcs, ...guiProcs);
    console.log(
      `client processes: ${engineProcs.length} for engine sockets, ${guiProcs.length} for GUI sockets (≤ ${fmtInt(PER_PROC)} sockets each, transports ["websocket"], no reconnection)`,
    );

    const cpuA = procCpuSeconds(gw.pid);
    const connectProf = join(PROF_DIR, `flowork-gateway-connect-${E}.cpuprofile`);
    if (PROFILE) await gw.call("prof", { action: "start", file: connectProf });
    const ec = await connectAll(engineProcs, "engine", gw.info.url, tokenChunks);
    const cpuB = procCpuSeconds(gw.pid);
    console.log(
      `  engine sockets: ${fmtInt(ec.connected)}/${fmtInt(E)} connected in ${fmt(ec.ms / 1000, 2)} s = ${fmtInt((ec.connected / ec.ms) * 1000)}/s; CPU: gateway ${fmt(cpuB - cpuA, 1)} s, clients ${ec.clientCpuS.map((c) => fmt(c, 1)).join(" + ")} s${Object.keys(ec.errors).length ? `; failures ${JSON.stringify(ec.errors)}` : ""}`,
    );
    const gc = await connectAll(guiProcs, "gui", gw.info.url, guiChunks);
    const cpuC = procCpuSeconds(gw.pid);
    console.log(
      `  GUI sockets:    ${fmtInt(gc.connected)}/${fmtInt(G)} connected in ${fmt(gc.ms / 1000, 2)} s = ${fmtInt((gc.connected / gc.ms) * 1000)}/s (signed handshake, initial_engine_statuses); CPU: gateway ${fmt(cpuC - cpuB, 1)} s, clients ${gc.clientCpuS.map((c) => fmt(c, 1)).join(" + ")} s${Object.keys(gc.errors).length ? `; failures ${JSON.stringify(gc.errors)}` : ""}`,
    );
    const init = await Promise.all(guiProcs.map((p) => p.call("initial", { timeoutMs: 60_000 }, 90_000)));
    const initSockets = init.reduce((a, x) => a + x.sockets, 0);
    const initRows = init.reduce((a, x) => a + x.rows, 0);
    const cpuConnect = procCpuSeconds(gw.pid) - cpuA;
    if (PROFILE) {
      await gw.call("prof", { action: "stop" });
      console.log(
        `  --- gateway CPU profile of connecting ${fmtInt(E)} + ${fmtInt(G)} sockets: ${connectProf}`,
      );
      printSummary(JSON.parse(await readFile(connectProf, "utf8")), 15, "    ");
    }
    await sleep(1000); // presence writes in the background settle
    const st = await gw.call("stats", { resetLoop: true });
    const m2 = procMemory(gw.pid);
    result.fdsConnected = openFds(gw.pid);
    const mem2 = (await gw.call("mem", {})).mem;
    console.log(
      `  initial_engine_statuses received by ${fmtInt(initSockets)} GUIs, ${fmt(initRows / Math.max(1, initSockets), 1)} engines each on average; gateway sees ${fmtInt(st.engineSockets)} engine + ${fmtInt(st.guiSockets)} GUI sockets, ${fmtInt(result.fdsConnected)} open fds; gateway CPU for connecting ${fmt(cpuConnect, 1)} s`,
    );
    console.log(
      `  gateway RSS after connect: ${mb(m2.rss)} (heap used ${mb(mem2.heapUsed)}, external ${mb(mem2.external)}, array buffers ${mb(mem2.arrayBuffers)}); per socket ≈ ${fmt((m2.rss - m1.rss) / Math.max(1, st.engineSockets + st.guiSockets) / 1024, 1)} KB over the seeded baseline`,
    );
    Object.assign(result, {
      engineConnect: ec,
      guiConnect: gc,
      initSockets,
      rssSeeded: m1.rss,
      rssConnected: m2.rss,
      heapConnected: mem2.heapUsed,
      held: st.engineSockets + st.guiSockets,
      acceptErrors: st.counts.acceptErrors,
    });

    // Expected deliveries per round: every connected engine's vitals reach each connected GUI of its owner.
    const guisOf = new Array(USERS).fill(0);
    for (let j = 0; j < G; j++) if (!gc.failed.has(j)) guisOf[j % USERS]++;
    let expected = 0;
    for (let i = 0; i < E; i++) if (!ec.failed.has(i)) expected += guisOf[engineOwner[i]];

    const rounds = E > 2000 ? ROUNDS_BIG : ROUNDS;
    const measured = [];
    for (let round = 0; round <= rounds; round++) {
      const gst0 = await gw.call("stats", { resetLoop: true });
      const framesBefore = (
        await Promise.all(guiProcs.map((p) => p.call("report", { round: -1, resetLoop: true })))
      ).reduce((a, x) => a + x.frames, 0);
      const profileThis = PROFILE && round === Math.min(1, rounds);
      const profFile = profileThis ? join(PROF_DIR, `flowork-gateway-fanout-${E}.cpuprofile`) : undefined;
      if (profileThis) await gw.call("prof", { action: "start", file: profFile });
      const startAt = wallMs() + 300;
      const cpu0 = procCpuSeconds(gw.pid);
      const emits = await Promise.all(
        engineProcs.map((p) => p.call("vitals", { round, spreadMs: SPREAD, startAt }, 120_000)),
      );
      const emitted = emits.reduce((a, x) => a + x.emitted, 0);
      const maxLate = Math.max(...emits.map((x) => x.maxLateMs));
      // Wait for every expected delivery (or the timeout).
      const deadline = Date.now() + FANOUT_TIMEOUT_S * 1000;
      let reports;
      let received = 0;
      for (;;) {
        reports = await Promise.all(guiProcs.map((p) => p.call("report", { round }, 60_000)));
        received = reports.reduce((a, x) => a + x.received, 0);
        if (received >= expected || Date.now() > deadline) break;
        await sleep(250);
      }
      const doneMs = wallMs() - startAt;
      const cpu = procCpuSeconds(gw.pid) - cpu0;
      const hist = new Histogram();
      for (const r of reports) hist.merge(r.hist);
      const gst = await gw.call("stats", {});
      if (profileThis) await gw.call("prof", { action: "stop" });
      const clientLoopP99 = Math.max(...reports.map((r) => r.loop.p99));
      // Frames GUIs received: batches (opted in) or one per update (legacy, or a gateway without batching).
      const batchFrames = reports.reduce((a, x) => a + x.frames, 0) - framesBefore;
      const frames = LEGACY_VITALS || batchFrames === 0 ? received : batchFrames;
      const flushes = (gst.vitals.flushes ?? Number.NaN) - (gst0.vitals.flushes ?? Number.NaN);
      const r = {
        round,
        emitted,
        expected,
        received,
        p50: hist.quantile(0.5),
        p90: hist.quantile(0.9),
        p99: hist.quantile(0.99),
        max: hist.max,
        doneMs,
        cpu,
        gwLoopP99: gst.loop.p99,
        gwLoopMax: gst.loop.max,
        clientLoopP99,
        maxLate,
        frames,
        flushes,
        periodMs: gst.vitals.periodMs,
      };
      console.log(
        `  vitals round ${round}${round === 0 ? " (warm-up)" : ""}: ${fmtInt(emitted)} emitted ${SPREAD > 0 ? `over ${SPREAD} ms` : "at once"}, ${fmtInt(received)}/${fmtInt(expected)} GUI deliveries in ${fmt(doneMs / 1000, 2)} s; delay p50 ${fmt(r.p50, 1)} / p90 ${fmt(r.p90, 1)} / p99 ${fmt(r.p99, 1)} ms (max ${fmt(r.max, 0)}); gateway CPU ${fmt(cpu, 2)} s = ${fmt((cpu * 1e6) / Math.max(1, received), 0)} µs per delivery, event-loop delay p99 ${fmt(r.gwLoopP99, 0)} ms (max ${fmt(r.gwLoopMax, 0)}); GUI-client loop p99 ${fmt(clientLoopP99, 0)} ms; emit timers late ≤ ${fmt(maxLate, 0)} ms; ${fmtInt(frames)} frames to GUIs (${fmt(received / Math.max(1, frames), 1)} updates per frame)${Number.isNaN(flushes) ? " (gateway without batching)" : ` in ${fmtInt(flushes)} flushes, period now ${fmtInt(r.periodMs)} ms`}`,
      );
      if (profFile) {
        console.log(`  --- gateway CPU profile of fan-out round ${round}: ${profFile}`);
        printSummary(JSON.parse(await readFile(profFile, "utf8")), 15, "    ");
      }
      if (round > 0 || rounds === 0) measured.push(r);
      await sleep(500);
    }
    const m3 = procMemory(gw.pid);
    const mem3 = (await gw.call("mem", { gc: true })).mem;
    const m4 = procMemory(gw.pid);
    console.log(
      `  gateway RSS after fan-out: ${mb(m3.rss)} (peak ${mb(m3.hwm)}); after a forced GC ${mb(m4.rss)} (heap used ${mb(mem3.heapUsed)})`,
    );
    const clientMem = await Promise.all(clients.map((c) => c.call("mem", {})));
    console.log(
      `  client processes RSS: ${clientMem.map((c) => mb(c.mem.rss)).join(", ")}; errors logged by the gateway: ${st.counts.error} (${(st.firstMessages ?? []).slice(0, 3).join(" | ") || "none"}); failed accepts ${JSON.stringify(st.counts.acceptErrors)}`,
    );
    const pick = (k) => median(measured.map((m) => m[k]));
    Object.assign(result, {
      rssAfterFanout: m3.rss,
      rssPeak: m3.hwm,
      rssAfterGc: m4.rss,
      fanout: measured,
      p50: pick("p50"),
      p99: pick("p99"),
      cpuPerDeliveryUs: median(measured.map((m) => (m.cpu * 1e6) / Math.max(1, m.received))),
      delivered: measured.every((m) => m.received >= m.expected),
    });
    const held = `${fmtInt(ec.connected)} + ${fmtInt(gc.connected)}`;
    summary.push([
      `${held} sockets: gateway RSS after connect / after fan-out (peak)`,
      `≤ ${fmt(GOALS.rssMb, 0)} MB`,
      `${mb(m2.rss)} / ${mb(m3.rss)} (${mb(m3.hwm)})`,
      m3.hwm <= GOALS.rssMb * 1048576 ? "PASS" : "MISS",
    ]);
    summary.push([
      `${held} sockets: connect rate engine / GUI; failures`,
      "",
      `${fmtInt((ec.connected / ec.ms) * 1000)}/s / ${fmtInt((gc.connected / gc.ms) * 1000)}/s; ${fmtInt(E - ec.connected + G - gc.connected)} failed${E - ec.connected + G - gc.connected > 0 ? ` (gateway at ${fmtInt(result.fdsConnected)} open fds of its limit ${fmtInt(result.fdSoft)}: refused at accept)` : ""}`,
      "",
    ]);
    summary.push([
      `${held} sockets: gateway CPU per connect (engine / GUI); per vitals delivery`,
      "",
      `${fmt(((cpuB - cpuA) * 1000) / Math.max(1, ec.connected), 2)} / ${fmt(((cpuC - cpuB) * 1000) / Math.max(1, gc.connected), 2)} ms; ${fmt(result.cpuPerDeliveryUs, 0)} µs`,
      "",
    ]);
    summary.push([
      `${held} sockets: vitals fan-out delay p50 / p99 (${fmtInt(expected)} deliveries per round, ${SPREAD > 0 ? `emits over ${SPREAD} ms` : "all at once"})`,
      `p99 ≤ ${GOALS.fanoutP99Ms} ms`,
      `${fmt(result.p50, 1)} / ${fmt(result.p99, 1)} ms${result.delivered ? "" : " (NOT all delivered)"}`,
      result.delivered && result.p99 <= GOALS.fanoutP99Ms ? "PASS" : "MISS",
    ]);
    return result;
  } finally {
    await stopChild(gw);
    await Promise.all(clients.map((c) => stopChild(c)));
  }
}

// ------------------------------------------------------------------------------------------------ 4. replicas

async function sectionReplicas(tmp) {
  heading("4. Replicas: GUI -> replica A -> Redis -> replica B -> engine -> back, vs. the same replica");
  console.log(
    `two gateway children on a private database of ${PG_URL.replace(/\/\/[^@]*@/, "//")} and Redis ${REDIS_URL} (own stream name); the engine links to replica B; signed pings alternate between a GUI on A (cross) and one on B (same), one start per ${RPC_PACE} ms`,
  );
  const r = await replicaRoundTrips({
    spawnChild,
    stopChild,
    tmp,
    pgUrl: PG_URL,
    redisUrl: REDIS_URL,
    n: RPC_N,
    warm: RPC_WARM,
    paceMs: RPC_PACE,
  });
  const line = (x) => `${fmt(x.p50, 2)} / ${fmt(x.p90, 2)} / ${fmt(x.p99, 2)} ms (max ${fmt(x.max, 1)})`;
  const ratio = (k) => r.cross[k] / r.same[k];
  console.log(`  cross-replica (GUI on A, engine on B): p50 / p90 / p99 ${line(r.cross)}`);
  console.log(`  same replica  (GUI and engine on B):   p50 / p90 / p99 ${line(r.same)}`);
  console.log(
    `  ratio cross / same: p50 ${fmt(ratio("p50"), 2)}x, p90 ${fmt(ratio("p90"), 2)}x, p99 ${fmt(ratio("p99"), 2)}x; ${r.n} timed round trips each after ${RPC_WARM} warm-up; failures ${r.failures}; CPU per round trip: replica A ≈ ${fmtInt(r.cpuAUs)} µs (cross only), replica B ≈ ${fmtInt(r.cpuBUs)} µs (both paths)`,
  );
  summary.push(["replicas: GUI -> A -> Redis -> B -> engine -> ack, p50 / p90 / p99", "", line(r.cross), ""]);
  summary.push(["replicas: the same ping on one replica (GUI and engine on B)", "", line(r.same), ""]);
  summary.push([
    "replicas: cross / same at p50 / p90 / p99",
    "",
    `${fmt(ratio("p50"), 2)}x / ${fmt(ratio("p90"), 2)}x / ${fmt(ratio("p99"), 2)}x`,
    r.failures === 0 ? "" : `${r.failures} failures`,
  ]);
  return r;
}

// ------------------------------------------------------------------------------------------------ main

async function main() {
  const started = Date.now();
  console.log(
    `Flowork gateway bench: ${os.cpus().length} CPU (${os.cpus()[0]?.model ?? "?"}), Node ${process.version}, load ${os
      .loadavg()
      .map((l) => fmt(l, 2))
      .join(" ")}, ${new Date().toISOString()}`,
  );
  if (VARIANT) console.log(`WHAT-IF VARIANT of the gateway: ${VARIANT} (not the shipped gateway)`);
  const native = await checkFastSigner();
  console.log(
    `client-side signing: ${native ? "native libsecp256k1 (checked against viem)" : "viem (pure JS)"}`,
  );
  const tmp = await mkdtemp(join(os.tmpdir(), "flowork-gw-bench-"));
  try {
    if (ONLY.has("rest") || ONLY.has("rpc")) {
      const gw = await spawnChild("gateway-child.js", {
        label: "gateway",
        env: { BENCH_GW_DATA: join(tmp, "gw"), BENCH_GW_VARIANT: VARIANT },
      });
      try {
        if (ONLY.has("rest")) await sectionRest(gw);
        if (ONLY.has("rpc")) await sectionRpc(gw, tmp);
      } finally {
        await stopChild(gw);
      }
    }
    if (ONLY.has("replicas")) await sectionReplicas(tmp);
    if (ONLY.has("sockets")) {
      for (const level of LEVELS) {
        try {
          await sectionSockets(level, tmp);
        } catch (err) {
          console.log(
            `  level ${level.engines} + ${level.guis} failed: ${err instanceof Error ? err.message : err}`,
          );
          summary.push([
            `${level.engines} + ${level.guis} sockets`,
            "",
            `FAILED: ${String(err?.message ?? err).slice(0, 120)}`,
            "MISS",
          ]);
        }
      }
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  heading("Summary (goals are informational)");
  const w0 = Math.max(...summary.map((r) => r[0].length));
  const w1 = Math.max(...summary.map((r) => r[1].length));
  const w2 = Math.max(...summary.map((r) => r[2].length));
  for (const [a, b, c, d] of summary) console.log(`${a.padEnd(w0)}  ${b.padEnd(w1)}  ${c.padEnd(w2)}  ${d}`);
  console.log(
    `\nload average at the end ${os
      .loadavg()
      .map((l) => fmt(l, 2))
      .join(" ")}; total ${fmt((Date.now() - started) / 1000, 0)} s`,
  );
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
