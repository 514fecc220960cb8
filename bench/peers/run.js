// Flowork vs. peers: the same flow (HTTP endpoint -> set a field -> respond) on Flowork, Node-RED and optionally
// n8n, each in its own process on 127.0.0.1, driven by bench/peers/load.js (its own process, keep-alive, closed
// loop) at 1, 10 and 50 connections, rounds alternating A B A B. Prints req/s, p50/p99, errors, the server's RSS
// and CPU, and the ratios Flowork / peer. Install the peers first: bash bench/peers/install.sh [--with-n8n].
//
//   node bench/peers/run.js [--with-n8n [--n8n-tuned]] [--duration=10] [--warmup=2] [--rounds=2] [--connections=1,10,50]
//                           [--only=flowork,node-red,n8n,n8n-tuned] [--no-build] [--json=FILE]
//       --n8n-duration=S, --n8n-warmup=S: a longer window for n8n (default: the same as the others).
//       --n8n-tuned also runs a second n8n with a SQLite read pool (WAL) and the legacy expression engine.
//   node bench/peers/run.js --profile[=flowork|node-red] [--connections=10] [--duration=10]
//       Flowork alone under `node --cpu-prof`; prints the top self-time functions (profile kept in .peers/profiles/).
//   node bench/peers/run.js --summarise=FILE.cpuprofile [--top=30]     the same summary of an existing profile
//   node bench/peers/run.js --baseline=DIR [--only=flowork,baseline]
//       Also runs the Flowork of another built checkout (e.g. `git worktree add /tmp/base HEAD~3 && cd /tmp/base &&
//       npm ci && npm run build`) as "Flowork (baseline)", alternating with this one: an A/B of a change.
//   node bench/peers/run.js --sql-trace [--connections=10]    every SQLite statement Flowork runs per request
//
// Flowork keeps its default settings: every run's execution history is stored (SQLite in .peers/flowork-data/).
// Node-RED stores nothing per request. n8n saves every execution (its default) in its SQLite database.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { generatePrivateKey } from "viem/accounts";
import WebSocket from "ws";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, "..", "..");
const PEERS = join(HERE, ".peers");
const NODE_RED_DIR = join(PEERS, "node-red");
const N8N_DIR = join(PEERS, "n8n");
const BODY = JSON.stringify({ customer: "acme", amount: 42, items: [1, 2, 3] });

// ------------------------------------------------------------------------------------------------ options
const args = process.argv.slice(2);
const flag = (name) => args.includes(`--${name}`);
const opt = (name, fallback) => {
  const a = args.find((x) => x.startsWith(`--${name}=`));
  return a === undefined ? fallback : a.slice(name.length + 3);
};
const PROFILE = flag("profile") || args.some((a) => a.startsWith("--profile="));
const PROFILE_TARGET = opt("profile", "flowork");
const WITH_N8N = flag("with-n8n");
const DURATION_S = Number(opt("duration", "10"));
const WARMUP_S = Number(opt("warmup", "2"));
// n8n answers a few requests a second: a longer window gives it enough completions to count.
const N8N_DURATION_S = Number(opt("n8n-duration", String(DURATION_S)));
const N8N_WARMUP_S = Number(opt("n8n-warmup", String(WARMUP_S)));
const ROUNDS = Number(opt("rounds", PROFILE ? "1" : "2"));
const CONNECTIONS = opt("connections", PROFILE ? "10" : "1,10,50")
  .split(",")
  .map(Number);
const ONLY = opt("only", "").split(",").filter(Boolean);
const BASELINE = opt("baseline", undefined);
if (BASELINE !== undefined && !existsSync(join(BASELINE, "bench/peers/flowork-engine.js")))
  throw new Error(`--baseline: ${BASELINE} has no bench/peers/flowork-engine.js`);
const JSON_OUT = opt("json", join(PEERS, `results-${new Date().toISOString().replace(/[:.]/g, "-")}.json`));
for (const [k, v] of [
  ["duration", DURATION_S],
  ["warmup", WARMUP_S],
  ["rounds", ROUNDS],
  ["n8n-duration", N8N_DURATION_S],
  ["n8n-warmup", N8N_WARMUP_S],
]) {
  if (!Number.isFinite(v) || v < 0 || v > 300) throw new Error(`--${k} must be a number from 0 to 300`);
}
if (CONNECTIONS.some((c) => !Number.isInteger(c) || c < 1 || c > 500))
  throw new Error("--connections: integers from 1 to 500");

const log = (...a) => console.log(...a);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const fmt = (n, d = 0) =>
  Number.isFinite(n)
    ? n.toLocaleString("en-US", { minimumFractionDigits: d, maximumFractionDigits: d })
    : "-";

// ------------------------------------------------------------------------------------------------ processes
const children = new Set();
function killAll() {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
}
process.on("exit", killAll);
for (const s of ["SIGINT", "SIGTERM"])
  process.on(s, () => {
    killAll();
    process.exit(130);
  });

/** Spawns a server process; keeps the last 20 kB of its output for error reports. */
function launch(name, command, argv, options) {
  const child = spawn(command, argv, { ...options, stdio: ["ignore", "pipe", "pipe"] });
  children.add(child);
  let out = "";
  const keep = (d) => {
    out = (out + d.toString()).slice(-20_000);
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  child.on("exit", () => children.delete(child));
  return {
    name,
    child,
    pid: child.pid,
    output: () => out,
    waitFor: (re, timeoutMs) =>
      new Promise((resolve, reject) => {
        const t0 = Date.now();
        const tick = setInterval(() => {
          const m = re.exec(out);
          if (m) {
            clearInterval(tick);
            resolve(m);
          } else if (child.exitCode !== null || Date.now() - t0 > timeoutMs) {
            clearInterval(tick);
            reject(new Error(`${name} did not start (exit ${child.exitCode}):\n${out.slice(-4000)}`));
          }
        }, 50);
      }),
    stop: (timeoutMs = 15_000) =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
        const t = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
        child.once("exit", (code) => {
          clearTimeout(t);
          resolve(code);
        });
        child.kill("SIGTERM");
      }),
  };
}

/**
 * A free port below the kernel's ephemeral range (ip_local_port_range), so that no client socket of another process
 * on this machine can take it as its source port while a slow server (n8n: ~10 s) is still starting.
 */
function canListen(port) {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once("error", () => resolve(false));
    s.listen(port, "127.0.0.1", () => s.close(() => resolve(true)));
  });
}
async function freePort() {
  let low = 32768;
  try {
    low =
      Number(readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0]) || low;
  } catch {}
  const from = Math.max(1024, low - 12_000);
  for (let i = 0; i < 200; i++) {
    const port = from + Math.floor(Math.random() * (low - from));
    if (await canListen(port)) return port;
  }
  throw new Error("no free port found");
}

async function post(url, body = BODY) {
  const r = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body });
  return { status: r.status, text: await r.text() };
}

/** POSTs until the endpoint answers 200 with the flow's field (the server may listen before its flow is live). */
async function waitForEndpoint(server, url, timeoutMs) {
  const t0 = Date.now();
  let last = "";
  while (Date.now() - t0 < timeoutMs) {
    if (server.child.exitCode !== null) break;
    try {
      const r = await post(url);
      // 200 alone is not enough: n8n answers 200 "n8n is starting up. Please wait" before its webhooks are live.
      if (r.status === 200 && r.text.includes('"flowork":true')) return r;
      last = `${r.status} ${r.text.slice(0, 200)}`;
    } catch (err) {
      last = String(err);
    }
    await sleep(200);
  }
  throw new Error(
    `${server.name}: ${url} never answered 200 (last: ${last})\n${server.output().slice(-4000)}`,
  );
}

// /proc readers: the server's whole process tree (n8n may start task-runner children), in bytes and clock ticks.
function treePids(pid) {
  const out = [pid];
  for (let i = 0; i < out.length; i++) {
    try {
      for (const tid of readdirSync(`/proc/${out[i]}/task`)) {
        const kids = readFileSync(`/proc/${out[i]}/task/${tid}/children`, "utf8").trim();
        if (kids) out.push(...kids.split(/\s+/).map(Number));
      }
    } catch {}
  }
  return out;
}
function rssBytes(pid) {
  let sum = 0;
  for (const p of treePids(pid)) {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${p}/status`, "utf8"));
      if (m) sum += Number(m[1]) * 1024;
    } catch {}
  }
  return sum;
}
const CLK_TCK = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"]).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();
function cpuMs(pid) {
  let ticks = 0;
  for (const p of treePids(pid)) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, "utf8");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      ticks += Number(f[11]) + Number(f[12]); // utime, stime
    } catch {}
  }
  return (ticks * 1000) / CLK_TCK;
}
/** Write system calls and bytes written (any fd: sockets, files) by the process tree, from /proc/<pid>/io. */
function ioWrites(pid) {
  let syscw = 0;
  let wchar = 0;
  for (const p of treePids(pid)) {
    try {
      const io = readFileSync(`/proc/${p}/io`, "utf8");
      syscw += Number(/syscw:\s+(\d+)/.exec(io)?.[1] ?? 0);
      wchar += Number(/wchar:\s+(\d+)/.exec(io)?.[1] ?? 0);
    } catch {}
  }
  return { syscw, wchar };
}
const MiB = (b) => b / 2 ** 20;

// ------------------------------------------------------------------------------------------------ systems
async function startFlowork({ cpuProfDir, sqlTrace = false, root = ROOT, label = "Flowork" } = {}) {
  const { signerFromPrivateKey } = await import(
    pathToFileURL(join(ROOT, "packages/protocol/dist/index.js")).href
  );
  const { EngineClient } = await import(pathToFileURL(join(ROOT, "packages/sdk/dist/index.js")).href);
  const signer = signerFromPrivateKey(generatePrivateKey());
  const dataDir = join(PEERS, root === ROOT ? "flowork-data" : "flowork-data-baseline");
  await rm(dataDir, { recursive: true, force: true });
  await mkdir(dataDir, { recursive: true });
  const nodeArgs = cpuProfDir ? ["--cpu-prof", `--cpu-prof-dir=${cpuProfDir}`] : [];
  if (root === ROOT && process.env.BENCH_NODE_ARGS) nodeArgs.push(...process.env.BENCH_NODE_ARGS.split(" "));
  const engineScript = join(root, "bench/peers/flowork-engine.js");
  const server = launch(label, process.execPath, [...nodeArgs, engineScript], {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      FLOWORK_ENGINE_ID: "bench-peers",
      FLOWORK_AUTHORIZED_ADDRESSES: `${signer.address.toLowerCase()}:owner`,
      FLOWORK_DATA_DIR: dataDir,
      ...(sqlTrace && { BENCH_SQL_TRACE: "1" }),
    },
  });
  const m = await server.waitFor(/flowork engine ready: port=(\d+) engine_id=(\S+)/, 30_000);
  const port = Number(m[1]);
  const client = new EngineClient({
    url: `ws://127.0.0.1:${port}/`,
    engineId: m[2],
    signer,
    connect: (u) => new WebSocket(u),
    timeoutMs: 15_000,
  });
  await client.open();
  const workflow = {
    nodes: [
      {
        id: "in",
        name: "Webhook",
        x: 0,
        y: 0,
        module_id: "webhook_trigger",
        config_values: { path: "bench", method: "POST", response_mode: "last_node" },
      },
      {
        id: "set",
        name: "Set",
        x: 200,
        y: 0,
        module_id: "set_data",
        config_values: { fields: { flowork: true } },
      },
    ],
    connections: [{ id: "c0", source: "in", target: "set", target_port_name: "input" }],
  };
  const saved = await client.request("save_preset", { name: "bench-peers", workflow_data: workflow });
  const settings = await client.request("request_settings").catch(() => undefined);
  client.close();
  const url = `http://127.0.0.1:${port}/webhook/bench`;
  const sample = await waitForEndpoint(server, url, 30_000);
  return {
    ...server,
    label,
    url,
    sample,
    note:
      `preset "${saved.name}" v${saved.version}; history stored for every run` +
      (settings?.settings ? ` (settings: ${JSON.stringify(settings.settings).slice(0, 160)})` : ""),
  };
}

async function startNodeRed({ cpuProfDir } = {}) {
  const red = join(NODE_RED_DIR, "node_modules", "node-red", "red.js");
  if (!existsSync(red)) throw new Error("Node-RED is not installed: run bash bench/peers/install.sh");
  const version = JSON.parse(
    readFileSync(join(NODE_RED_DIR, "node_modules", "node-red", "package.json")),
  ).version;
  const userDir = join(PEERS, "node-red-user");
  await rm(userDir, { recursive: true, force: true });
  await mkdir(userDir, { recursive: true });
  const port = await freePort();
  // .cjs: the repo root's package.json says "type": "module", and Node-RED require()s its settings file.
  const settingsFile = join(userDir, "settings.cjs");
  await writeFile(
    settingsFile,
    `module.exports = ${JSON.stringify(
      {
        uiHost: "127.0.0.1",
        uiPort: port,
        flowFile: "flows.json",
        httpAdminRoot: false, // no editor, no admin API: nothing to authenticate
        httpNodeRoot: "/",
        diagnostics: { enabled: false, ui: false },
        runtimeState: { enabled: false, ui: false },
        telemetry: { enabled: false, updateNotification: false },
        logging: { console: { level: "warn", metrics: false, audit: false } },
        externalModules: { autoInstall: false },
        contextStorage: { default: { module: "memory" } },
      },
      null,
      2,
    )};\n`,
  );
  const flows = [
    { id: "bench-tab", type: "tab", label: "bench", disabled: false, info: "" },
    {
      id: "bench-in",
      type: "http in",
      z: "bench-tab",
      name: "POST /bench",
      url: "/bench",
      method: "post",
      upload: false,
      swaggerDoc: "",
      x: 120,
      y: 80,
      wires: [["bench-set"]],
    },
    {
      id: "bench-set",
      type: "change",
      z: "bench-tab",
      name: "set flowork",
      rules: [{ t: "set", p: "payload.flowork", pt: "msg", to: "true", tot: "bool" }],
      action: "",
      property: "",
      from: "",
      to: "",
      reg: false,
      x: 320,
      y: 80,
      wires: [["bench-out"]],
    },
    {
      id: "bench-out",
      type: "http response",
      z: "bench-tab",
      name: "",
      statusCode: "",
      headers: {},
      x: 500,
      y: 80,
      wires: [],
    },
  ];
  await writeFile(join(userDir, "flows.json"), `${JSON.stringify(flows, null, 2)}\n`);
  const server = launch(
    "node-red",
    process.execPath,
    [
      ...(cpuProfDir ? ["--cpu-prof", `--cpu-prof-dir=${cpuProfDir}`] : []),
      red,
      "--userDir",
      userDir,
      "--settings",
      settingsFile,
      "--port",
      String(port),
      "--no-telemetry",
    ],
    { cwd: userDir, env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: "production" } },
  );
  const url = `http://127.0.0.1:${port}/bench`;
  const sample = await waitForEndpoint(server, url, 60_000);
  return { ...server, label: `Node-RED ${version}`, url, sample, note: "editor off; no per-request storage" };
}

/**
 * n8n's environment: defaults except loopback, its own folder, and no telemetry, version checks, templates or
 * license renewal (nothing leaves the machine). `tuned` adds the two settings its own start-up notice and docs
 * recommend for speed: a SQLite read pool (which also turns WAL on) and the legacy in-process expression engine
 * instead of the isolated-vm one that 1.123 uses by default. Executions are saved in both (the default).
 */
function n8nEnv(userFolder, port, tuned = false) {
  return {
    ...(tuned && { DB_SQLITE_POOL_SIZE: "2", N8N_EXPRESSION_ENGINE: "legacy" }),
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    N8N_USER_FOLDER: userFolder,
    DB_TYPE: "sqlite",
    N8N_PORT: String(port),
    N8N_LISTEN_ADDRESS: "127.0.0.1",
    N8N_HOST: "127.0.0.1",
    N8N_PROTOCOL: "http",
    WEBHOOK_URL: `http://127.0.0.1:${port}/`,
    N8N_DIAGNOSTICS_ENABLED: "false",
    N8N_VERSION_NOTIFICATIONS_ENABLED: "false",
    N8N_PERSONALIZATION_ENABLED: "false",
    N8N_TEMPLATES_ENABLED: "false",
    N8N_COMMUNITY_PACKAGES_ENABLED: "false",
    N8N_LICENSE_AUTO_RENEW_ENABLED: "false",
    N8N_HIRING_BANNER_ENABLED: "false",
    N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: "true",
    N8N_LOG_LEVEL: "warn",
    N8N_DIAGNOSTICS_CONFIG_FRONTEND: "",
    N8N_DIAGNOSTICS_CONFIG_BACKEND: "",
    EXTERNAL_FRONTEND_HOOKS_URLS: "",
    NODE_ENV: "production",
  };
}

async function startN8n(tuned = false) {
  const bin = join(N8N_DIR, "node_modules", "n8n", "bin", "n8n");
  if (!existsSync(bin) || !existsSync(join(N8N_DIR, ".installed")))
    throw new Error("n8n is not installed: run bash bench/peers/install.sh --with-n8n");
  const version = JSON.parse(readFileSync(join(N8N_DIR, "node_modules", "n8n", "package.json"))).version;
  const userFolder = join(PEERS, tuned ? "n8n-tuned-user" : "n8n-user");
  await rm(userFolder, { recursive: true, force: true });
  await mkdir(userFolder, { recursive: true });
  const port = await freePort();
  const env = n8nEnv(userFolder, port, tuned);
  const id = "BenchPeersFlow01";
  const workflow = {
    id,
    name: "bench-peers",
    active: false,
    settings: { executionOrder: "v1" },
    nodes: [
      {
        id: "6b0b8a86-6d0e-4a2b-9a51-2f6c1d5e0b01",
        name: "Webhook",
        type: "n8n-nodes-base.webhook",
        typeVersion: 2,
        position: [0, 0],
        webhookId: "0d7f4f0e-1d7c-4c83-8e43-6f2b9f6e8b02",
        parameters: { httpMethod: "POST", path: "bench", responseMode: "lastNode", options: {} },
      },
      {
        id: "a2c1e1f4-3b7d-4a55-8f1e-1c9d2e7b0c03",
        name: "Set",
        type: "n8n-nodes-base.set",
        typeVersion: 3.4,
        position: [220, 0],
        parameters: {
          mode: "manual",
          assignments: {
            assignments: [
              { id: "5e9d1c2b-7a4f-4e3d-9b8c-0a1b2c3d4e04", name: "flowork", value: true, type: "boolean" },
            ],
          },
          includeOtherFields: true,
          options: {},
        },
      },
    ],
    connections: { Webhook: { main: [[{ node: "Set", type: "main", index: 0 }]] } },
  };
  const file = join(userFolder, "bench-workflow.json");
  await writeFile(file, JSON.stringify(workflow, null, 2));
  const cli = (argv) =>
    new Promise((resolve, reject) => {
      const p = launch("n8n-cli", process.execPath, [bin, ...argv], { cwd: userFolder, env });
      p.child.on("exit", (code) =>
        code === 0
          ? resolve(p.output())
          : reject(new Error(`n8n ${argv.join(" ")} -> ${code}\n${p.output()}`)),
      );
    });
  log(`  n8n: import:workflow (first command also creates the SQLite database) ...`);
  await cli(["import:workflow", `--input=${file}`]);
  // 1.x: update:workflow --active=true (2.x renamed it publish:workflow).
  await cli(["update:workflow", `--id=${id}`, "--active=true"]);
  for (let attempt = 1; ; attempt++) {
    const p = attempt === 1 ? port : await freePort();
    const server = launch("n8n", process.execPath, [bin, "start"], {
      cwd: userFolder,
      env: n8nEnv(userFolder, p, tuned),
    });
    const url = `http://127.0.0.1:${p}/webhook/bench`;
    try {
      const sample = await waitForEndpoint(server, url, 180_000);
      return {
        ...server,
        label: `n8n ${version}${tuned ? " tuned" : ""}`,
        url,
        sample,
        note: tuned
          ? "SQLite pool of 2 + WAL, legacy expression engine; every execution saved (default)"
          : "defaults: SQLite (no pool, rollback journal), isolated-vm expression engine; every execution saved",
      };
    } catch (err) {
      await server.stop();
      if (attempt >= 3 || !/already in use/.test(server.output())) throw err;
      log(`  n8n: port ${p} was taken meanwhile; retrying on another port`);
    }
  }
}

// ------------------------------------------------------------------------------------------------ load
function runLoad(system, connections, onMeasure) {
  const slow = system.key?.startsWith("n8n");
  const warmupS = slow ? N8N_WARMUP_S : WARMUP_S;
  const durationS = slow ? N8N_DURATION_S : DURATION_S;
  return new Promise((resolve, reject) => {
    const opts = {
      url: system.url,
      connections,
      warmupMs: warmupS * 1000,
      durationMs: durationS * 1000,
      body: BODY,
    };
    const p = spawn(process.execPath, [join(HERE, "load.js"), JSON.stringify(opts)], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    children.add(p);
    let out = "";
    let err = "";
    p.stdout.on("data", (d) => {
      out += d;
    });
    p.stderr.on("data", (d) => {
      err += d;
    });
    let peak = rssBytes(system.pid);
    const rssStart = peak;
    let cpu0 = cpuMs(system.pid);
    let io0 = ioWrites(system.pid);
    let t0 = performance.now();
    const atMeasure = setTimeout(() => {
      cpu0 = cpuMs(system.pid);
      io0 = ioWrites(system.pid);
      t0 = performance.now();
      onMeasure?.();
    }, warmupS * 1000);
    const sampler = setInterval(() => {
      peak = Math.max(peak, rssBytes(system.pid));
    }, 200);
    p.on("exit", (code) => {
      clearInterval(sampler);
      clearTimeout(atMeasure);
      children.delete(p);
      const cpu = cpuMs(system.pid) - cpu0;
      const io1 = ioWrites(system.pid);
      const wall = performance.now() - t0;
      const rssEnd = rssBytes(system.pid);
      peak = Math.max(peak, rssEnd);
      if (code !== 0) return reject(new Error(`load.js exited ${code}: ${err}`));
      const r = JSON.parse(out);
      // Requests served between the two /proc snapshots (the window is a little longer than the measured one).
      const served = r.requests ? (r.requests * wall) / (r.seconds * 1000) : Number.NaN;
      resolve({
        ...r,
        rss_start_mib: MiB(rssStart),
        rss_peak_mib: MiB(peak),
        rss_end_mib: MiB(rssEnd),
        cpu_pct: (100 * cpu) / wall,
        served,
        cpu_us_per_req: (1000 * cpu) / served,
        write_calls_per_req: (io1.syscw - io0.syscw) / served,
        write_kb_per_req: (io1.wchar - io0.wchar) / 1024 / served,
      });
    });
  });
}

/**
 * Waits until a server is idle again (under 5% CPU over 500 ms, at most 90 s): a closed-loop run leaves up to
 * `connections` requests in flight when it stops, and a slow server would still be working on them while the next
 * system is measured.
 */
async function settle(system) {
  const t0 = performance.now();
  for (;;) {
    const c0 = cpuMs(system.pid);
    await sleep(500);
    const pct = ((cpuMs(system.pid) - c0) / 500) * 100;
    if (pct < 5) return (performance.now() - t0) / 1000;
    if (performance.now() - t0 > 90_000) return Number.NaN;
  }
}

// ------------------------------------------------------------------------------------------------ profile summary
function summariseProfile(file, top = 30) {
  const prof = JSON.parse(readFileSync(file, "utf8"));
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfUs = new Map();
  for (let i = 0; i < prof.samples.length; i++) {
    const id = prof.samples[i];
    selfUs.set(id, (selfUs.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0));
  }
  const shortUrl = (u) => {
    if (!u) return "";
    const s = u.replace(/^file:\/\//, "");
    const nm = s.lastIndexOf("/node_modules/");
    if (nm >= 0) return s.slice(nm + 1);
    return s.startsWith(ROOT) ? s.slice(ROOT.length + 1) : s;
  };
  const keyOf = (n) => {
    const f = n.callFrame;
    return `${f.functionName || "(anonymous)"}  ${shortUrl(f.url)}${f.url ? `:${f.lineNumber + 1}` : ""}`;
  };
  const area = (n) => {
    const u = shortUrl(n.callFrame.url);
    if (!u) return n.callFrame.functionName.startsWith("(") ? n.callFrame.functionName : "(native/builtin)";
    if (u.startsWith("node:")) return `${u.split("/")[0].replace(/^node:internal\//, "node:internal/")}`;
    if (u.startsWith("node_modules/")) {
      const parts = u.split("/");
      return parts[1].startsWith("@") ? `${parts[1]}/${parts[2]}` : parts[1];
    }
    return u;
  };
  let total = 0;
  let idle = 0;
  const self = new Map();
  const incl = new Map();
  const areas = new Map();
  for (const [id, us] of selfUs) {
    const n = byId.get(id);
    total += us;
    if (n.callFrame.functionName === "(idle)") {
      idle += us;
      continue;
    }
    const k = keyOf(n);
    self.set(k, (self.get(k) ?? 0) + us);
    const a = area(n);
    areas.set(a, (areas.get(a) ?? 0) + us);
    const seen = new Set();
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
      const ck = keyOf(byId.get(cur));
      if (seen.has(ck)) continue;
      seen.add(ck);
      incl.set(ck, (incl.get(ck) ?? 0) + us);
    }
  }
  const busy = total - idle;
  const pct = (us) => `${fmt((100 * us) / busy, 1).padStart(5)}%`;
  log(`\n  profile ${file}`);
  log(
    `  sampled ${fmt(total / 1000, 0)} ms, busy (non-idle) ${fmt(busy / 1000, 0)} ms; % below are of busy time`,
  );
  log(`\n  top ${top} functions by self time:`);
  for (const [k, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top))
    log(`  ${pct(us)}  ${fmt(us / 1000, 0).padStart(6)} ms  ${k}`);
  log(`\n  self time by source file / package:`);
  for (const [k, us] of [...areas].sort((a, b) => b[1] - a[1]).slice(0, 25))
    log(`  ${pct(us)}  ${fmt(us / 1000, 0).padStart(6)} ms  ${k}`);
  log(`\n  top functions of the engine's own code (packages/) by inclusive time:`);
  for (const [k, us] of [...incl]
    .filter(([k]) => k.includes("packages/"))
    .sort((a, b) => b[1] - a[1])
    .slice(0, top))
    log(`  ${pct(us)}  ${fmt(us / 1000, 0).padStart(6)} ms  ${k}`);
}

// ------------------------------------------------------------------------------------------------ main
function machine() {
  const cpu = os.cpus()[0]?.model ?? "?";
  return {
    date: new Date().toISOString(),
    node: process.version,
    nproc: os.availableParallelism(),
    cpu,
    mem_gib: Math.round(os.totalmem() / 2 ** 30),
    kernel: `${os.type()} ${os.release()}`,
    loadavg: os.loadavg().map((x) => Number(x.toFixed(2))),
    commit: git(["rev-parse", "--short", "HEAD"]),
    // Uncommitted changes under packages/ (other work in progress is built and measured too).
    packages_dirty: git(["status", "--porcelain", "--", "packages"]).split("\n").filter(Boolean).length,
  };
}
function git(argv) {
  try {
    return execFileSync("git", argv, { cwd: ROOT, stdio: ["ignore", "pipe", "ignore"] })
      .toString()
      .trim();
  } catch {
    return "?";
  }
}

const SUMMARISE = opt("summarise", "");
if (SUMMARISE) {
  summariseProfile(SUMMARISE, Number(opt("top", "30")));
  process.exit(0);
}
if (!flag("no-build")) {
  log("building the workspace (npm run build) ...");
  execFileSync("npm", ["run", "build"], { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] });
}
if (!existsSync(join(ROOT, "packages/engine/dist/index.js"))) throw new Error("build the workspace first");

const m = machine();
log(
  `machine: ${m.nproc} CPUs (${m.cpu}), ${m.mem_gib} GiB, ${m.kernel}, Node ${m.node}; load ${m.loadavg.join(" ")}; ` +
    `commit ${m.commit}${m.packages_dirty ? ` + ${m.packages_dirty} uncommitted file(s) under packages/` : ""}`,
);
log(
  `load: ${CONNECTIONS.join("/")} connections, ${WARMUP_S} s warm-up + ${DURATION_S} s measured, ` +
    (PROFILE || flag("sql-trace") ? "" : `${ROUNDS} round(s) alternating; `) +
    `body ${BODY}` +
    (WITH_N8N && (N8N_DURATION_S !== DURATION_S || N8N_WARMUP_S !== WARMUP_S)
      ? `; n8n: ${N8N_WARMUP_S} s warm-up + ${N8N_DURATION_S} s measured`
      : ""),
);

if (flag("sql-trace")) {
  // Every SQLite statement of the measured window, per request (the engine child wraps better-sqlite3).
  const fw = await startFlowork({ sqlTrace: true });
  for (const c of CONNECTIONS) {
    const r = await runLoad(fw, c, () => fw.child.kill("SIGUSR2"));
    const before = fw.output().length;
    fw.child.kill("SIGUSR1");
    let line;
    for (let i = 0; i < 100 && !line; i++) {
      await sleep(50);
      line = /sql-trace (\[.*\])\n/.exec(fw.output().slice(before));
    }
    if (!line) throw new Error(`no sql-trace line:\n${fw.output().slice(-2000)}`);
    const rows = JSON.parse(line[1]);
    const served = r.served;
    log(
      `\n  ${c} conn: ${fmt(r.rps, 0)} req/s, ${r.requests} requests measured; SQLite statements per request:`,
    );
    let calls = 0;
    let ms = 0;
    const list = rows.sort((a, b) => b.ms - a.ms);
    table(
      ["calls/req", "µs/call", "µs/req", "statement"],
      list.map((x) => {
        calls += x.calls;
        ms += x.ms;
        return [
          fmt(x.calls / served, 2),
          fmt((1000 * x.ms) / x.calls, 1),
          fmt((1000 * x.ms) / served, 1),
          x.sql,
        ];
      }),
    );
    log(
      `  total: ${fmt(calls / served, 1)} statements and ${fmt((1000 * ms) / served, 0)} µs in SQLite per request ` +
        `(CPU ${fmt(r.cpu_us_per_req, 0)} µs/request in all)`,
    );
  }
  await fw.stop();
  process.exit(0);
}

if (PROFILE) {
  const dir = join(PEERS, "profiles");
  await mkdir(dir, { recursive: true });
  const before = new Set(readdirSync(dir));
  if (!["flowork", "node-red"].includes(PROFILE_TARGET))
    throw new Error("--profile=flowork or --profile=node-red");
  const fw =
    PROFILE_TARGET === "node-red"
      ? await startNodeRed({ cpuProfDir: dir })
      : await startFlowork({ cpuProfDir: dir });
  log(
    `${fw.label} (profiled) at ${fw.url}, sample answer ${fw.sample.status}: ${fw.sample.text.slice(0, 120)}`,
  );
  for (const c of CONNECTIONS) {
    const r = await runLoad(fw, c);
    log(
      `  ${c} conn: ${fmt(r.rps, 0)} req/s (under the profiler), p50 ${fmt(r.p50_ms, 2)} ms, p99 ${fmt(r.p99_ms, 2)} ms, ` +
        `errors ${r.errors}, CPU ${fmt(r.cpu_pct, 0)}%`,
    );
  }
  await fw.stop();
  const file = readdirSync(dir).find((f) => !before.has(f) && f.endsWith(".cpuprofile"));
  if (!file) throw new Error("no .cpuprofile written");
  summariseProfile(join(dir, file), Number(opt("top", "30")));
  process.exit(0);
}

const wanted = (k) => ONLY.length === 0 || ONLY.includes(k);
const systems = [];
if (wanted("flowork")) systems.push({ key: "flowork", start: () => startFlowork() });
if (BASELINE !== undefined && wanted("baseline"))
  systems.push({
    key: "baseline",
    start: () => startFlowork({ root: BASELINE, label: "Flowork (baseline)" }),
  });
if (wanted("node-red")) systems.push({ key: "node-red", start: startNodeRed });
if (WITH_N8N && wanted("n8n")) systems.push({ key: "n8n", start: () => startN8n(false) });
if (WITH_N8N && flag("n8n-tuned") && wanted("n8n-tuned"))
  systems.push({ key: "n8n-tuned", start: () => startN8n(true) });
const running = [];
const skipped = {};
for (const s of systems) {
  log(`starting ${s.key} ...`);
  const t0 = performance.now();
  try {
    const sys = await s.start();
    sys.key = s.key;
    sys.startup_s = (performance.now() - t0) / 1000;
    await sleep(1000);
    sys.rss_idle_mib = MiB(rssBytes(sys.pid));
    running.push(sys);
    log(
      `  ${sys.label}: ${sys.url} (pid ${sys.pid}, up in ${fmt(sys.startup_s, 1)} s, idle RSS ${fmt(sys.rss_idle_mib, 0)} MiB); ` +
        `${sys.note}\n  sample answer ${sys.sample.status}: ${sys.sample.text.slice(0, 300)}`,
    );
  } catch (err) {
    skipped[s.key] = String(err?.message ?? err).slice(0, 2000);
    log(`  ${s.key} skipped: ${skipped[s.key]}`);
  }
}
if (running.length === 0) throw new Error("nothing to measure");
// What each server costs while the others are measured: CPU over 5 s with no requests at all.
{
  const cpu0 = running.map((sys) => cpuMs(sys.pid));
  const t0 = performance.now();
  await sleep(5000);
  const wall = performance.now() - t0;
  running.forEach((sys, i) => {
    sys.idle_cpu_pct = (100 * (cpuMs(sys.pid) - cpu0[i])) / wall;
  });
  log(`idle CPU over 5 s: ${running.map((sys) => `${sys.label} ${fmt(sys.idle_cpu_pct, 1)}%`).join(", ")}`);
}

/** Prints rows as a right-aligned table; the first column is left-aligned. */
function table(columns, rows) {
  const widths = columns.map((c, i) => Math.max(c.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) =>
    `  ${cells.map((x, i) => (i === 0 || columns[i] === "statement" ? String(x).padEnd(widths[i]) : String(x).padStart(widths[i]))).join("  ")}`;
  log(line(columns));
  for (const r of rows) log(line(r));
}

const results = []; // {key, connections, round, ...load result}
const RUN_COLUMNS = [
  "system",
  "conn",
  "round",
  "req/s",
  "p50 ms",
  "p99 ms",
  "errors",
  "RSS peak MiB",
  "CPU %",
  "CPU µs/req",
  "writes/req",
  "KB written/req",
];
for (const c of CONNECTIONS) {
  log(`\n${c} connection(s), rounds alternating:`);
  const rows = [];
  for (let round = 1; round <= ROUNDS; round++) {
    for (const sys of running) {
      const r = await runLoad(sys, c);
      r.settle_s = await settle(sys);
      results.push({ key: sys.key, label: sys.label, connections: c, round, ...r });
      rows.push([
        sys.label,
        c,
        round,
        fmt(r.rps, 0),
        fmt(r.p50_ms, 2),
        fmt(r.p99_ms, 2),
        r.errors,
        fmt(r.rss_peak_mib, 0),
        fmt(r.cpu_pct, 0),
        fmt(r.cpu_us_per_req, 0),
        fmt(r.write_calls_per_req, 1),
        fmt(r.write_kb_per_req, 1),
      ]);
      log(
        `  ${sys.label} round ${round}: ${fmt(r.rps, 0)} req/s${r.errors ? `, errors e.g. ${r.error_samples[0]}` : ""}`,
      );
    }
  }
  table(RUN_COLUMNS, rows);
}

// Summary: mean over rounds (req/s, p50, p99, CPU, writes), sum of errors, max of peak RSS.
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const summary = [];
for (const sys of running)
  for (const c of CONNECTIONS) {
    const rs = results.filter((r) => r.key === sys.key && r.connections === c);
    summary.push({
      key: sys.key,
      label: sys.label,
      connections: c,
      rps: mean(rs.map((r) => r.rps)),
      rps_rounds: rs.map((r) => Math.round(r.rps)),
      p50_ms: mean(rs.map((r) => r.p50_ms)),
      p99_ms: mean(rs.map((r) => r.p99_ms)),
      errors: rs.reduce((a, r) => a + r.errors, 0),
      requests: rs.reduce((a, r) => a + r.requests, 0),
      rss_peak_mib: Math.max(...rs.map((r) => r.rss_peak_mib)),
      cpu_us_per_req: mean(rs.map((r) => r.cpu_us_per_req)),
      write_calls_per_req: mean(rs.map((r) => r.write_calls_per_req)),
      write_kb_per_req: mean(rs.map((r) => r.write_kb_per_req)),
    });
  }
log(`\nsummary (mean of ${ROUNDS} round(s); RSS = peak of the server's process tree during the load):`);
table(
  [
    "system",
    "conn",
    "req/s",
    "rounds",
    "p50 ms",
    "p99 ms",
    "errors",
    "RSS peak MiB",
    "CPU µs/req",
    "writes/req",
    "KB written/req",
  ],
  summary.map((s) => [
    s.label,
    s.connections,
    fmt(s.rps, 0),
    s.rps_rounds.join(" / "),
    fmt(s.p50_ms, 2),
    fmt(s.p99_ms, 2),
    s.errors,
    fmt(s.rss_peak_mib, 0),
    fmt(s.cpu_us_per_req, 0),
    fmt(s.write_calls_per_req, 1),
    fmt(s.write_kb_per_req, 1),
  ]),
);
const ratios = [];
const fw = (c) => summary.find((s) => s.key === "flowork" && s.connections === c);
for (const peer of running.filter((s) => s.key !== "flowork"))
  for (const c of CONNECTIONS) {
    const a = fw(c);
    const b = summary.find((s) => s.key === peer.key && s.connections === c);
    if (!a || !b) continue;
    ratios.push({
      peer: peer.key,
      label: peer.label,
      connections: c,
      rps: a.rps / b.rps,
      p50: a.p50_ms / b.p50_ms,
      p99: a.p99_ms / b.p99_ms,
      rss: a.rss_peak_mib / b.rss_peak_mib,
      cpu_per_req: a.cpu_us_per_req / b.cpu_us_per_req,
    });
  }
if (ratios.length) {
  log(
    `\nratios Flowork / peer (req/s: above 1 = Flowork faster; latency, RSS, CPU per request: below 1 = Flowork better):`,
  );
  table(
    ["peer", "conn", "req/s", "p50", "p99", "RSS", "CPU/req"],
    ratios.map((r) => [
      r.label,
      r.connections,
      `${fmt(r.rps, 2)}x`,
      `${fmt(r.p50, 2)}x`,
      `${fmt(r.p99, 2)}x`,
      `${fmt(r.rss, 2)}x`,
      `${fmt(r.cpu_per_req, 2)}x`,
    ]),
  );
}

for (const sys of running) await sys.stop();
m.loadavg_end = os.loadavg().map((x) => Number(x.toFixed(2)));
await mkdir(dirname(JSON_OUT), { recursive: true });
await writeFile(
  JSON_OUT,
  `${JSON.stringify(
    {
      machine: m,
      options: { CONNECTIONS, DURATION_S, WARMUP_S, N8N_DURATION_S, N8N_WARMUP_S, ROUNDS, BODY },
      systems: running.map((s) => ({
        key: s.key,
        label: s.label,
        url: s.url,
        note: s.note,
        startup_s: s.startup_s,
        rss_idle_mib: s.rss_idle_mib,
        idle_cpu_pct: s.idle_cpu_pct,
        sample: s.sample,
      })),
      skipped,
      results,
      summary,
      ratios,
    },
    null,
    2,
  )}\n`,
);
log(`\nresults written to ${JSON_OUT}`);
