// Queue mode throughput (SPEC section 8): I/O-bound runs (one `delay` node) through a real `flowork engine` in
// queue mode and 1, 2 and 4 real `flowork worker` processes on Redis, SQLite on a shared disk. Goal: N workers
// reach >= 0.9 x N x one worker. Build first (`npm run build` at the root); Redis at 127.0.0.1:6379.
// Run: node bench/workers.js   (in packages/engine)
// Options (environment):
//   BENCH_WORKERS=1,2,4     worker counts
//   BENCH_CONCURRENCY=8     runs at once per worker (--concurrency)
//   BENCH_DELAY_MS=200      the delay of each run
//   BENCH_ROUNDS=15         runs per worker slot: each level submits N x concurrency x rounds runs
//   BENCH_WRITE=1           append the figures to bench/RESULTS.md under "Queue mode"
//   BENCH_STORE=sqlite,postgres  engine stores to measure: SQLite on the shared disk (the single-machine default)
//                           and PostgreSQL (a private schema in BENCH_PG_URL, default postgres://127.0.0.1:5432/test:
//                           what a scaled deployment uses)
// Time runs from the first submit to the last SUCCEEDED event the submitting client sees (all runs are
// submitted at once, so the queue never runs dry); workers are started and ready before the clock starts.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { appendFile, mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { signEnvelope, signerFromPrivateKey } from "@flowork/protocol";
import { EngineClient } from "@flowork/sdk";
import { Redis } from "ioredis";
import pg from "pg";
import { generatePrivateKey } from "viem/accounts";
import WebSocket from "ws";

const here = dirname(fileURLToPath(import.meta.url));
const BIN = join(here, "../../cli/bin/flowork.js");
const REDIS_URL = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
const LEVELS = (process.env.BENCH_WORKERS ?? "1,2,4").split(",").map(Number);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const DELAY_MS = Number(process.env.BENCH_DELAY_MS ?? 200);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const STORES = (process.env.BENCH_STORE ?? "sqlite,postgres").split(",");
const PG_URL = process.env.BENCH_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";

/** A private PostgreSQL schema for one level; returns the engine's database URL and a drop function. */
async function privateSchema() {
  const schema = `bench_workers_${randomBytes(4).toString("hex")}`;
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  await client.query(`CREATE SCHEMA ${schema}`);
  await client.end();
  const url = new URL(PG_URL);
  url.searchParams.set("options", `-c search_path=${schema}`);
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`DROP SCHEMA ${schema} CASCADE`);
      await c.end();
    },
  };
}

const workflow = {
  nodes: [
    { id: "s", module_id: "manual_trigger", x: 0, y: 0 },
    { id: "wait", module_id: "delay", x: 0, y: 0, config_values: { milliseconds: DELAY_MS } },
  ],
  connections: [{ id: "c1", source: "s", target: "wait" }],
};

/** Spawns a flowork process and resolves once `ready` matches its output. */
function spawnFlowork(args, env, ready) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    const timer = setTimeout(() => reject(new Error(`not ready:\n${out}`)), 20_000);
    const onData = (d) => {
      out += d.toString();
      const m = ready.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, match: m });
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", (d) => {
      out += d.toString();
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      if (!ready.test(out)) reject(new Error(`exited with ${code}:\n${out}`));
    });
  });
}

/** The engine limits one address to 100 commands/s (burst 200): each signer submits at most this many runs. */
const RUNS_PER_SIGNER = 150;

async function level(workers, store) {
  const engineId = `bench-${randomBytes(4).toString("hex")}`;
  const queueName = `flowork-engine-${engineId}`;
  const total = workers * CONCURRENCY * ROUNDS;
  // Several signers (and connections), so the per-address and per-connection rate limits never pace the submit:
  // the measure is the workers' throughput, not the engine's admission control.
  const signers = Array.from({ length: Math.ceil(total / RUNS_PER_SIGNER) }, () =>
    signerFromPrivateKey(generatePrivateKey()),
  );
  const env = {
    FLOWORK_ENGINE_ID: engineId,
    FLOWORK_AUTHORIZED_ADDRESSES: signers.map((s) => `${s.address.toLowerCase()}:owner`).join(","),
    FLOWORK_QUEUE_URL: REDIS_URL,
    FLOWORK_QUEUE_SECRET: randomBytes(16).toString("hex"),
  };
  const dataDir = await mkdtemp(join(os.tmpdir(), "flowork-bench-workers-"));
  const database = store === "postgres" ? await privateSchema() : undefined;
  if (database) env.FLOWORK_ENGINE_DATABASE_URL = database.url;
  const children = [];
  try {
    const engine = await spawnFlowork(
      ["engine", "--port", "0", "--data", dataDir],
      env,
      /engine ready: ws:\/\/127\.0\.0\.1:(\d+)\//,
    );
    children.push(engine.child);
    const started = await Promise.all(
      Array.from({ length: workers }, () =>
        spawnFlowork(
          ["worker", "--data", dataDir, "--engine-id", engineId, "--concurrency", String(CONCURRENCY)],
          env,
          /flowork worker ready/,
        ),
      ),
    );
    for (const w of started) children.push(w.child);
    const clients = signers.map(
      (signer) =>
        new EngineClient({
          url: `ws://127.0.0.1:${engine.match[1]}/`,
          engineId,
          signer,
          connect: (url) => new WebSocket(url),
          timeoutMs: 60_000,
        }),
    );
    await Promise.all(clients.map((c) => c.open()));
    // Signed before the clock starts: the bench process's own viem signing is not the workers' throughput.
    let seq = 0;
    const envelopes = await Promise.all(
      Array.from({ length: total }, async (_, i) => {
        const request_id = `bench-${++seq}`;
        const signer = signers[Math.floor(i / RUNS_PER_SIGNER)];
        const payload = { type: "execute_workflow", request_id, workflow_data: workflow, mode: "EXECUTE" };
        return { i, request_id, envelope: await signEnvelope(signer, engineId, payload) };
      }),
    );
    const succeeded = new Set();
    let resolveAll;
    const all = new Promise((r) => {
      resolveAll = r;
    });
    for (const client of clients)
      client.onEvent((e) => {
        if (e.type !== "workflow_status_update" || e.status_data.status !== "SUCCEEDED") return;
        succeeded.add(e.job_id);
        if (succeeded.size === total) resolveAll();
      });
    const t0 = performance.now();
    await Promise.all(
      envelopes.map(({ i, request_id, envelope }) =>
        clients[Math.floor(i / RUNS_PER_SIGNER)].sendEnvelope(envelope, request_id).then((r) => {
          if (r.type === "error") throw new Error(`${r.code}: ${r.message}`);
        }),
      ),
    );
    const submitted = performance.now() - t0;
    await all;
    const seconds = (performance.now() - t0) / 1000;
    for (const client of clients) client.close();
    return { workers, runs: total, seconds, perSecond: total / seconds, submitMs: submitted };
  } finally {
    for (const c of children) c.kill("SIGKILL");
    const redis = new Redis(REDIS_URL);
    for (const pattern of [`bull:${queueName}:*`, `flowork:${queueName}:*`]) {
      const keys = await redis.keys(pattern);
      if (keys.length > 0) await redis.del(...keys);
    }
    redis.disconnect();
    await rm(dataDir, { recursive: true, force: true });
    await database?.drop();
  }
}

const rows = [];
for (const store of STORES) {
  const mine = [];
  for (const n of LEVELS) {
    const r = { ...(await level(n, store)), store };
    mine.push(r);
    console.log(
      `${n} worker(s), ${store}: ${r.runs} runs of ${DELAY_MS} ms in ${r.seconds.toFixed(2)} s = ${r.perSecond.toFixed(1)} runs/s (submitted in ${r.submitMs.toFixed(0)} ms)`,
    );
  }
  const one = mine.find((r) => r.workers === 1)?.perSecond;
  for (const r of mine) {
    const scale = one ? r.perSecond / (one * r.workers) : Number.NaN;
    rows.push(
      `| ${store} | ${r.workers} | ${r.runs} | ${r.seconds.toFixed(2)} | ${r.perSecond.toFixed(1)} | ${one ? `${scale.toFixed(2)} ${scale >= 0.9 ? "(goal met)" : "(below 0.9)"}` : "–"} |`,
    );
  }
}
for (const row of rows) console.log(row);
if (process.env.BENCH_WRITE === "1") {
  const file = join(here, "RESULTS.md");
  const text = await readFile(file, "utf8");
  const heading = text.includes("\n## Queue mode") ? "" : "\n## Queue mode (`bench/workers.js`)\n";
  const ideal = (CONCURRENCY * 1000) / DELAY_MS;
  await appendFile(
    file,
    `${heading}
Run ${new Date().toISOString().slice(0, 16)}Z, ${os.cpus().length} CPUs, load ${os.loadavg()[0].toFixed(2)}: real \`flowork engine\`
(queue mode) + N \`flowork worker\` processes (\`--concurrency ${CONCURRENCY}\`), Redis on loopback, the engine store on
SQLite (WAL, shared disk) or PostgreSQL; each run is one \`delay\` of ${DELAY_MS} ms (one worker's ideal: ${ideal} runs/s).

| store | workers | runs | seconds | runs/s | vs N × one worker |
| --- | --- | --- | --- | --- | --- |
${rows.join("\n")}
`,
  );
}
