// Flowork engine benchmark: runtime, envelope verification, WebSocket round trip, webhook throughput,
// plus the sandbox and store micro-benchmarks (spawned). Build first: `npm run build` at the repo root.
// Run: npm run bench -w @flowork/engine      (= node bench/run.js in packages/engine)
// Options (environment):
//   BENCH_SLICES=7        timed rounds per measurement (best and median reported)
//   BENCH_SLICE_MS=250    length of one round for the runtime / verification figures
//   BENCH_RT=400          timed WebSocket round trips (after 60 warm-up ones)
//   BENCH_WEBHOOK_S=5     seconds per webhook concurrency level (after a 1 s warm-up)
//   BENCH_SKIP=sub,...    skip sections: runtime, verify, ws, webhook, sub (all spawned sub-benchmarks), or one of
//                         them: sandbox, store, memory, workers
//   BENCH_MEMORY_RUNS=10000  runs of the memory sub-benchmark (1 MiB through three nodes each)
// Section 3 also runs the round trip with the client in a worker thread (bench/ws-client-worker.js) and times the
// engine's steps of one execute_workflow one by one (bench/breakdown.js). Profiling: bench/profile.js.
// Other processes on a shared machine only ever add time: the best round is the closest to the uncontended
// cost, the median is what a busy machine sees. The load average is printed at the start and the end.
import { spawn } from "node:child_process";
import { mkdtemp, readdir, rm, stat } from "node:fs/promises";
import os from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import {
  compileWorkflow,
  createBuiltinRegistry,
  createRun,
  engineConfigFrom,
  startEngine,
} from "@flowork/engine";
import {
  createVerifier,
  createViemRecoverer,
  MemoryReplayCache,
  signEnvelope,
  signerFromPrivateKey,
  verifyEnvelope,
} from "@flowork/protocol";
import { createNativeRecoverer, createNodeVerifier } from "@flowork/protocol/node";
import { EngineClient } from "@flowork/sdk";
import { generatePrivateKey } from "viem/accounts";
import WebSocket from "ws";
import { measureBreakdown } from "./breakdown.js";

const HERE = dirname(fileURLToPath(import.meta.url));
const SLICES = Number(process.env.BENCH_SLICES ?? 7);
const SLICE_MS = Number(process.env.BENCH_SLICE_MS ?? 250);
const RT_N = Number(process.env.BENCH_RT ?? 400);
const RT_WARM = 60;
const WEBHOOK_S = Number(process.env.BENCH_WEBHOOK_S ?? 5);
const SKIP = new Set((process.env.BENCH_SKIP ?? "").split(",").filter(Boolean));

const GOALS = {
  perNodeUs: 20,
  verifyPerSec: 8000,
  rtP50Ms: 3,
};
const summary = [];

// ---------------------------------------------------------------------------------------------- helpers

const fmt = (n, d = 1) =>
  Number.isFinite(n)
    ? n.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d })
    : "n/a";
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};
const quantile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const heading = (t) => console.log(`\n=== ${t} ${"=".repeat(Math.max(0, 100 - t.length))}`);

/**
 * Runs async `fn` back to back: a warm-up, then SLICES timed rounds of SLICE_MS each.
 * Returns µs per op for the best and the median round.
 */
async function measureAsync(fn, { warmMs = 300, sliceMs = SLICE_MS, slices = SLICES } = {}) {
  const warmEnd = performance.now() + warmMs;
  while (performance.now() < warmEnd) for (let i = 0; i < 10; i++) await fn();
  const us = [];
  for (let k = 0; k < slices; k++) {
    let ops = 0;
    const start = performance.now();
    const end = start + sliceMs;
    while (performance.now() < end) {
      for (let i = 0; i < 10; i++) await fn();
      ops += 10;
    }
    us.push(((performance.now() - start) * 1000) / ops);
  }
  us.sort((a, b) => a - b);
  return { best: us[0], median: median(us) };
}

const quietLogger = {
  info: () => {},
  warn: (m) => console.error(`  [engine warning] ${m}`),
  error: (m, err) => console.error(`  [engine error] ${m}`, err instanceof Error ? err.message : (err ?? "")),
};

// ------------------------------------------------------------------------------------------ workflows

/** A chain of nodes: [[module_id, config_values, out port?], ...], each connected to the next from that port. */
function chain(specs) {
  const nodes = specs.map(([module_id, config_values], i) => ({
    id: `n${i}`,
    name: `n${i}`,
    x: i * 120,
    y: 80,
    module_id,
    config_values,
  }));
  const connections = specs.slice(1).map((_, i) => ({
    id: `c${i}`,
    source: `n${i}`,
    target: `n${i + 1}`,
    source_port_name: specs[i][2] ?? (i === 0 ? "output" : "success"),
    target_port_name: "input",
  }));
  return { nodes, connections };
}

const WF_ONE = chain([["manual_trigger", {}]]);
/** 10 pure nodes, no templates: the scheduler's own overhead. */
const WF_STATIC = chain([
  ["manual_trigger", {}],
  ...Array.from({ length: 9 }, (_, i) => ["set_data", { fields: { [`f${i}`]: i, tag: "static" } }]),
]);
/** 10 pure nodes of a realistic mix: templated set_data, template, if_condition (routing on `true`). */
const WF_MIXED = chain([
  ["manual_trigger", {}],
  ["set_data", { fields: { customer: "acme", amount: 42, items: [1, 2, 3] } }],
  ["set_data", { fields: { total: "{{payload.amount}}", who: "{{payload.customer}}" } }],
  ["template", { template: "Order for {{payload.customer}}: {{payload.amount}} EUR", output_field: "line" }],
  ["if_condition", { left: "{{payload.amount}}", operator: "gt", right: "10" }, "true"],
  ["set_data", { fields: { big: true } }],
  ["template", { template: "{{payload.line}} (big)", output_field: "line2" }],
  ["set_data", { fields: { first_item: "{{payload.items.0}}" } }],
  ["if_condition", { left: "{{payload.customer}}", operator: "eq", right: "acme" }, "true"],
  ["set_data", { fields: { done: true, n: "{{nodes.n1.payload.amount}}" } }],
]);
/** The WebSocket round-trip workflow: 3 nodes. */
const WF_THREE = chain([
  ["manual_trigger", {}],
  ["set_data", { fields: { hello: "world", n: 1 } }],
  ["template", { template: "hi {{payload.hello}}", output_field: "greeting" }],
]);

// ------------------------------------------------------------------------------------------ 1. runtime

async function benchRuntime() {
  heading("1. Runtime: createRun(compiled).start(), back to back, one core");
  const registry = createBuiltinRegistry();
  const isDisabled = (id) => registry.isDisabled(id);
  const compiled = {
    one: compileWorkflow(WF_ONE, registry),
    static: compileWorkflow(WF_STATIC, registry),
    mixed: compileWorkflow(WF_MIXED, registry),
  };
  // sanity: the mixed chain must reach its last node
  {
    const events = [];
    const outcome = await createRun(compiled.mixed, { isDisabled, onEvent: (e) => events.push(e) }).start();
    if (outcome.status !== "SUCCEEDED" || !outcome.result.n9) {
      throw new Error(`mixed workflow did not run through: ${JSON.stringify(outcome)}`);
    }
    const ones = [];
    await createRun(compiled.one, { isDisabled, onEvent: (e) => ones.push(e) }).start();
    console.log(
      `  events per run: 1-node ${ones.length}, 10-node ${events.length}; ` +
        `JSON of one 10-node run's events: ${events.reduce((n, e) => n + JSON.stringify(e).length, 0)} bytes`,
    );
  }
  let bytes = 0;
  const sinks = {
    "no-op sink": () => {},
    "JSON.stringify sink": (e) => {
      bytes += JSON.stringify(e).length;
    },
  };
  const r = {};
  console.log(
    `  ${"workflow".padEnd(44)}${"sink".padEnd(22)}${"µs/run best".padStart(12)}${"(median)".padStart(11)}` +
      `${"runs/s".padStart(10)}${"node runs/s".padStart(13)}`,
  );
  for (const [sinkName, onEvent] of Object.entries(sinks)) {
    for (const [key, label, nodes] of [
      ["one", "1 node (manual_trigger): fixed per-run cost", 1],
      ["static", "10 nodes: trigger + set_data x9 (static)", 10],
      ["mixed", "10 nodes: set_data/template/if, templated", 10],
    ]) {
      const c = compiled[key];
      const m = await measureAsync(() => createRun(c, { isDisabled, onEvent }).start());
      r[`${key}|${sinkName}`] = m;
      console.log(
        `  ${label.padEnd(44)}${sinkName.padEnd(22)}${fmt(m.best, 1).padStart(12)}${`(${fmt(m.median, 1)})`.padStart(11)}` +
          `${fmt(1e6 / m.best, 0).padStart(10)}${fmt((nodes * 1e6) / m.best, 0).padStart(13)}`,
      );
    }
  }
  if (bytes === 0) console.log("  (stringify sink saw no bytes?)");
  console.log("\n  Per-node cost = (10-node run - 1-node run) / 9; µs per node = 10-node run / 10:");
  const out = {};
  for (const sinkName of Object.keys(sinks)) {
    for (const key of ["static", "mixed"]) {
      const ten = r[`${key}|${sinkName}`];
      const one = r[`one|${sinkName}`];
      const perNode = (ten.best - one.best) / 9;
      const perNodeMed = (ten.median - one.median) / 9;
      out[`${key}|${sinkName}`] = { perNode, perNodeMed, usPerNode: ten.best / 10 };
      console.log(
        `  ${`${key === "static" ? "static set_data chain" : "mixed templated chain"}, ${sinkName}`.padEnd(50)}` +
          ` per-node overhead ${fmt(perNode, 2).padStart(7)} µs (median ${fmt(perNodeMed, 2)})` +
          `   µs/node ${fmt(ten.best / 10, 2)}   fixed per run ${fmt(one.best, 1)} µs`,
      );
    }
  }
  const head = out["mixed|no-op sink"];
  const ok = head.perNode <= GOALS.perNodeUs;
  console.log(
    `  goal: per-node overhead <= ${GOALS.perNodeUs} µs on one core (mixed chain, no-op sink): ` +
      `${fmt(head.perNode, 2)} µs -> ${ok ? "PASS" : "MISS"}`,
  );
  const ser = out["mixed|JSON.stringify sink"];
  console.log(`  event serialisation adds ${fmt(ser.perNode - head.perNode, 2)} µs per node (mixed chain)`);
  summary.push([
    "Runtime per-node overhead (10-node mixed, no-op sink)",
    `<= ${GOALS.perNodeUs} µs`,
    `${fmt(head.perNode, 2)} µs (median ${fmt(head.perNodeMed, 2)})`,
    ok,
  ]);
  summary.push([
    "Runtime per-node overhead (10-node mixed, stringify sink)",
    "info",
    `${fmt(ser.perNode, 2)} µs`,
    null,
  ]);
  summary.push([
    "Runtime fixed per-run cost (1 node, no-op sink)",
    "info",
    `${fmt(r["one|no-op sink"].best, 1)} µs`,
    null,
  ]);
  summary.push([
    "Runtime 10-node runs/s (mixed, no-op sink)",
    "info",
    `${fmt(1e6 / r["mixed|no-op sink"].best, 0)} runs/s = ${fmt(1e7 / r["mixed|no-op sink"].best, 0)} node runs/s`,
    null,
  ]);
}

// ------------------------------------------------------------------------------------- 2. verification

async function benchVerify() {
  heading("2. Signed envelope verification (verifyEnvelope, rules 1-6), sequential, one core");
  const ENGINE_ID = "eng_bench_0001";
  const signer = signerFromPrivateKey(generatePrivateKey());
  const POOL = 400;
  const t0 = performance.now();
  const payloadBytes = JSON.stringify({
    type: "execute_workflow",
    request_id: "r-0",
    workflow_data: WF_THREE,
    mode: "EXECUTE",
    initial_payload: { customer: "acme", i: 0 },
  }).length;
  const pool = [];
  for (let i = 0; i < POOL; i++) {
    pool.push(
      await signEnvelope(signer, ENGINE_ID, {
        type: "execute_workflow",
        request_id: `r-${i}`,
        workflow_data: WF_THREE,
        mode: "EXECUTE",
        initial_payload: { customer: "acme", i },
      }),
    );
  }
  console.log(
    `  signed a pool of ${POOL} distinct envelopes in ${fmt(performance.now() - t0, 0)} ms ` +
      `(viem signMessage, ${fmt(((performance.now() - t0) * 1000) / POOL, 0)} µs each); message ${pool[0].auth.message.length} chars, ` +
      `payload: execute_workflow with a 3-node workflow_data, ${payloadBytes} bytes of JSON`,
  );
  /** Verifies the pool round-robin; a fresh verifier and replay cache per pass, so every nonce is new to it. */
  const loop = (make) => {
    let verifier;
    let i = POOL;
    return async () => {
      if (i === POOL) {
        verifier = make(new MemoryReplayCache());
        i = 0;
      }
      await verifyEnvelope(verifier, pool[i++], ENGINE_ID);
    };
  };
  // correctness: a replayed nonce must be refused
  {
    const v = createNodeVerifier({ replayCache: new MemoryReplayCache() });
    await verifyEnvelope(v, pool[0], ENGINE_ID);
    const replay = await verifyEnvelope(v, pool[0], ENGINE_ID).then(
      () => "accepted (!)",
      (e) => e.code,
    );
    console.log(`  replaying an envelope: ${replay}`);
  }
  const native = createNativeRecoverer();
  const js = createViemRecoverer();
  let nat;
  if (native) {
    nat = await measureAsync(
      loop((replayCache) => createNodeVerifier({ replayCache })),
      { sliceMs: 300 },
    );
    console.log(
      `  native (createNodeVerifier, libsecp256k1)   ${fmt(nat.best, 1).padStart(8)} µs  ${fmt(1e6 / nat.best, 0).padStart(7)} /s` +
        `   (median ${fmt(nat.median, 1)} µs = ${fmt(1e6 / nat.median, 0)} /s)`,
    );
  } else {
    console.log("  native binding NOT available");
  }
  if (native) {
    const pings = [];
    for (let i = 0; i < POOL; i++)
      pings.push(await signEnvelope(signer, ENGINE_ID, { type: "ping", request_id: `p-${i}` }));
    const small = await measureAsync(
      (() => {
        let verifier;
        let i = POOL;
        return async () => {
          if (i === POOL) {
            verifier = createNodeVerifier({ replayCache: new MemoryReplayCache() });
            i = 0;
          }
          await verifyEnvelope(verifier, pings[i++], ENGINE_ID);
        };
      })(),
      { sliceMs: 150 },
    );
    console.log(
      `  native, small payload (ping)                ${fmt(small.best, 1).padStart(8)} µs  ${fmt(1e6 / small.best, 0).padStart(7)} /s` +
        `   (median ${fmt(small.median, 1)} µs)  <- payload JCS+hash cost grows with workflow_data`,
    );
  }
  const pure = await measureAsync(
    loop((replayCache) => createVerifier({ recoverer: js, replayCache })),
    {
      warmMs: 200,
      sliceMs: 200,
      slices: 5,
    },
  );
  console.log(
    `  pure JS (createVerifier + viem/noble)       ${fmt(pure.best, 1).padStart(8)} µs  ${fmt(1e6 / pure.best, 0).padStart(7)} /s` +
      `   (median ${fmt(pure.median, 1)} µs = ${fmt(1e6 / pure.median, 0)} /s)`,
  );
  if (nat) {
    const ok = 1e6 / nat.best >= GOALS.verifyPerSec;
    console.log(`  native / pure JS: ${fmt(pure.best / nat.best, 1)}x`);
    console.log(
      `  goal >= ${GOALS.verifyPerSec.toLocaleString("en-US")}/s native: ${fmt(1e6 / nat.best, 0)}/s -> ${ok ? "PASS" : "MISS"}`,
    );
    summary.push([
      "Envelope verification, native",
      `>= ${GOALS.verifyPerSec.toLocaleString("en-US")}/s`,
      `${fmt(1e6 / nat.best, 0)}/s (median ${fmt(1e6 / nat.median, 0)}/s)`,
      ok,
    ]);
  } else {
    summary.push(["Envelope verification, native", ">= 8,000/s", "binding not available", false]);
  }
  summary.push([
    "Envelope verification, pure JS",
    "info",
    `${fmt(1e6 / pure.best, 0)}/s${nat ? ` (native ${fmt(pure.best / nat.best, 1)}x faster)` : ""}`,
    null,
  ]);
}

// ------------------------------------------------------------------------------ 3-4. the engine itself

async function withEngine(fn) {
  const dataDir = await mkdtemp(join(os.tmpdir(), "flowork-engine-bench-"));
  const privateKey = generatePrivateKey();
  const signer = signerFromPrivateKey(privateKey);
  const address = signer.address.toLowerCase();
  const config = engineConfigFrom(
    { port: 0, host: "127.0.0.1", data: dataDir },
    { FLOWORK_ENGINE_ID: "bench", FLOWORK_AUTHORIZED_ADDRESSES: `${address}:owner` },
  );
  const engine = await startEngine(config, quietLogger);
  const client = new EngineClient({
    url: `ws://127.0.0.1:${engine.port}/`,
    engineId: engine.engineId,
    signer,
    connect: (u) => new WebSocket(u),
    timeoutMs: 15_000,
  });
  await client.open();
  try {
    await fn({ engine, client, signer, dataDir });
  } finally {
    client.close();
    await engine.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

function percentiles(samples) {
  const s = [...samples].sort((a, b) => a - b);
  return { p50: quantile(s, 0.5), p90: quantile(s, 0.9), p99: quantile(s, 0.99), max: s.at(-1), n: s.length };
}
const pctLine = (p) =>
  `p50 ${fmt(p.p50, 2)} ms   p90 ${fmt(p.p90, 2)} ms   p99 ${fmt(p.p99, 2)} ms   max ${fmt(p.max, 2)} ms   (n=${p.n})`;

async function benchRoundTrip({ engine, client, signer }) {
  heading(
    "3. WebSocket round trip: signed execute_workflow -> final workflow_status_update (3-node workflow)",
  );
  // One listener for the whole section, registered before any request: the final event can arrive in the same
  // socket read as the response, before the caller knows the job id.
  const finals = new Map(); // job_id -> performance.now() of its final status event
  const waiters = new Map(); // job_id -> resolve
  const off = client.onEvent((e) => {
    if (e.type !== "workflow_status_update" || !e.status_data?.end_time) return;
    const at = performance.now();
    const w = waiters.get(e.job_id);
    if (w) {
      waiters.delete(e.job_id);
      w(at);
    } else finals.set(e.job_id, { at, status: e.status_data.status });
  });
  const finalOf = (jobId) => {
    const got = finals.get(jobId);
    if (got) {
      finals.delete(jobId);
      return Promise.resolve(got.at);
    }
    return new Promise((resolve) => waiters.set(jobId, resolve));
  };
  // The engine limits each address to 100 commands/s (burst 200) and each connection to 200 frames/s: pace the
  // sequential requests at one start every PACE_MS so the limiter never answers instead of the engine.
  const PACE_MS = 11;
  const total = RT_WARM + RT_N;
  const t0 = performance.now();
  const envelopes = [];
  for (let i = 0; i < total; i++) {
    const request_id = `rt-${i}`;
    envelopes.push({
      request_id,
      envelope: await signEnvelope(signer, engine.engineId, {
        type: "execute_workflow",
        request_id,
        workflow_data: WF_THREE,
        mode: "EXECUTE",
        initial_payload: { i },
      }),
    });
  }
  console.log(
    `  pre-signed ${total} envelopes in ${fmt(performance.now() - t0, 0)} ms; paced at one request per ${PACE_MS} ms ` +
      `(engine rate limit 100/s per address); ${RT_WARM} warm-up + ${RT_N} timed, sequential`,
  );
  const samples = [];
  const respSamples = [];
  let failed = 0;
  let lastStart = 0;
  for (let i = 0; i < total; i++) {
    const wait = lastStart + PACE_MS - performance.now();
    if (wait > 0) await sleep(wait);
    const { envelope, request_id } = envelopes[i];
    const start = performance.now();
    lastStart = start;
    const response = await client.sendEnvelope(envelope, request_id);
    const respAt = performance.now();
    if (response.type !== "execute_workflow_response") {
      failed++;
      continue;
    }
    const finalAt = await finalOf(response.job_id);
    if (i >= RT_WARM) {
      samples.push(finalAt - start);
      respSamples.push(respAt - start);
    }
  }
  const p = percentiles(samples);
  const pr = percentiles(respSamples);
  console.log(`  send -> final status event (pre-signed):        ${pctLine(p)}`);
  console.log(`  send -> execute_workflow_response:              ${pctLine(pr)}`);

  // Including the client's signing (EngineClient.request signs with viem, pure JS, on this same thread).
  const withSign = [];
  for (let i = 0; i < 120; i++) {
    const wait = lastStart + PACE_MS - performance.now();
    if (wait > 0) await sleep(wait);
    const start = performance.now();
    lastStart = start;
    const response = await client.request("execute_workflow", {
      workflow_data: WF_THREE,
      mode: "EXECUTE",
      initial_payload: { i },
    });
    const finalAt = await finalOf(response.job_id);
    if (i >= 20) withSign.push(finalAt - start);
  }
  const ps = percentiles(withSign);
  console.log(`  the same through client.request (signs each):   ${pctLine(ps)}`);

  // Baseline: a signed ping (verification + dispatch + one frame each way, no job, no store).
  const pings = [];
  const pingEnvs = [];
  for (let i = 0; i < 120; i++) {
    pingEnvs.push(await signEnvelope(signer, engine.engineId, { type: "ping", request_id: `p-${i}` }));
  }
  for (let i = 0; i < pingEnvs.length; i++) {
    const wait = lastStart + PACE_MS - performance.now();
    if (wait > 0) await sleep(wait);
    const start = performance.now();
    lastStart = start;
    await client.sendEnvelope(pingEnvs[i], `p-${i}`);
    if (i >= 20) pings.push(performance.now() - start);
  }
  const pp = percentiles(pings);
  console.log(`  baseline: signed ping -> pong (pre-signed):     ${pctLine(pp)}`);
  off();
  if (failed) console.log(`  ${failed} request(s) were answered with an error`);

  // The same loop with the client in a worker thread (its own event loop, like a remote GUI): it reads the final
  // event as soon as the engine writes it, not after the engine thread has also done the store writes it chained
  // after the run (final status, event flush, checkpoint delete, audit), which an in-process client must wait for.
  const WORKER_N = Math.min(RT_N, 300);
  const workerEnvelopes = [];
  for (let i = 0; i < 30 + WORKER_N; i++) {
    const request_id = `wk-${i}`;
    workerEnvelopes.push({
      request_id,
      envelope: await signEnvelope(signer, engine.engineId, {
        type: "execute_workflow",
        request_id,
        workflow_data: WF_THREE,
        mode: "EXECUTE",
        initial_payload: { i },
      }),
    });
  }
  const fromWorker = await new Promise((resolve, reject) => {
    const worker = new Worker(join(HERE, "ws-client-worker.js"), {
      workerData: {
        url: `ws://127.0.0.1:${engine.port}/`,
        engineId: engine.engineId,
        envelopes: workerEnvelopes,
        paceMs: PACE_MS,
        warmup: 30,
      },
    });
    worker.once("message", resolve);
    worker.once("error", reject);
  });
  const pw = percentiles(fromWorker.samples);
  console.log(`  the same, client in a worker thread:            ${pctLine(pw)}`);
  if (fromWorker.errors) console.log(`  (worker: ${fromWorker.errors} error answers)`);

  // Where the engine's time goes: its steps for one execute_workflow, each timed on its own (tight loop).
  const rows = await measureBreakdown(
    envelopes.slice(0, 350).map((e) => e.envelope),
    engine.engineId,
  );
  console.log(
    "\n  Engine steps of one execute_workflow (3 nodes), timed one by one in a tight loop (median µs):",
  );
  let sum = 0;
  let store = 0;
  for (const [step, us] of rows) {
    sum += us;
    if (step.startsWith("store.")) store += us;
    console.log(`    ${step.padEnd(56)} ${fmt(us, 1).padStart(8)}`);
  }
  console.log(
    `    ${"sum".padEnd(56)} ${fmt(sum, 1).padStart(8)}   (store writes ${fmt(store, 0)} µs = ${fmt((store / sum) * 100, 0)}%)`,
  );
  const ok = p.p50 <= GOALS.rtP50Ms;
  console.log(`  goal p50 <= ${GOALS.rtP50Ms} ms: ${fmt(p.p50, 2)} ms -> ${ok ? "PASS" : "MISS"}`);
  summary.push([
    "WS round trip execute_workflow -> final status (3 nodes)",
    `p50 <= ${GOALS.rtP50Ms} ms`,
    `p50 ${fmt(p.p50, 2)} / p90 ${fmt(p.p90, 2)} / p99 ${fmt(p.p99, 2)} ms`,
    ok,
  ]);
  summary.push([
    "WS round trip, client in a worker thread",
    "info",
    `p50 ${fmt(pw.p50, 2)} / p90 ${fmt(pw.p90, 2)} / p99 ${fmt(pw.p99, 2)} ms`,
    null,
  ]);
  summary.push([
    "WS signed ping round trip",
    "info",
    `p50 ${fmt(pp.p50, 2)} / p99 ${fmt(pp.p99, 2)} ms`,
    null,
  ]);
  summary.push([
    "Engine CPU steps per execute_workflow (tight loop)",
    "info",
    `${fmt(sum, 0)} µs, of which store writes ${fmt(store, 0)} µs`,
    null,
  ]);
  summary.push([
    "WS round trip incl. client-side viem signing",
    "info",
    `p50 ${fmt(ps.p50, 2)} / p99 ${fmt(ps.p99, 2)} ms`,
    null,
  ]);
}

function runChild(args, env = {}, timeoutMs = 120_000) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: join(HERE, ".."), env: { ...process.env, ...env } });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.stderr.on("data", (d) => {
      err += d;
    });
    const timer = setTimeout(() => child.kill("SIGTERM"), timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });
}

async function dirBytes(dir) {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += (await stat(join(entry.parentPath ?? entry.path, entry.name))).size;
  }
  return total;
}

async function benchWebhook({ engine, client, dataDir }) {
  heading(
    "4. Webhook throughput: POST /webhook/bench (webhook_trigger -> set_data, response_mode last_node)",
  );
  const workflow = chain([
    ["webhook_trigger", { path: "bench", method: "POST", response_mode: "last_node" }],
    ["set_data", { fields: { handled: true, customer: "{{payload.body.customer}}" } }],
  ]);
  const saved = await client.request("save_preset", { name: "bench-webhook", workflow_data: workflow });
  const url = `http://127.0.0.1:${engine.port}/webhook/bench`;
  const body = JSON.stringify({ customer: "acme", amount: 42, items: [1, 2, 3] });
  // The trigger table is refreshed after the save: wait for the route.
  let probe;
  for (let i = 0; i < 100; i++) {
    probe = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body });
    if (probe.status !== 404) break;
    await sleep(20);
  }
  const sample = await probe.text();
  console.log(
    `  preset "${saved.name}" v${saved.version}; sample answer ${probe.status}: ${sample.slice(0, 110)}...`,
  );
  console.log(
    `  load generator: bench/http-load.js in its own process, keep-alive http.Agent, closed loop; ` +
      `1 s warm-up + ${WEBHOOK_S} s per level; every run's history is stored (default)`,
  );
  const rssBefore = process.memoryUsage().rss;
  console.log(
    `  engine process RSS before: ${fmt(rssBefore / 2 ** 20, 0)} MiB (engine + this bench harness, same process)`,
  );
  console.log(
    `  ${"clients".padStart(7)}${"req/s".padStart(9)}${"p50 ms".padStart(9)}${"p90 ms".padStart(9)}${"p99 ms".padStart(9)}` +
      `${"max ms".padStart(9)}${"errors".padStart(8)}${"requests".padStart(10)}${"peak RSS".padStart(11)}${"engine CPU".padStart(12)}`,
  );
  for (const concurrency of [1, 10, 50]) {
    let peak = process.memoryUsage().rss;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 100);
    const cpu0 = process.cpuUsage();
    const w0 = performance.now();
    const r = await runChild([
      join(HERE, "http-load.js"),
      JSON.stringify({ url, concurrency, warmupMs: 1000, durationMs: WEBHOOK_S * 1000, body }),
    ]);
    const cpu = process.cpuUsage(cpu0);
    const wall = performance.now() - w0;
    clearInterval(sampler);
    let res;
    try {
      res = JSON.parse(r.out.trim().split("\n").at(-1));
    } catch {
      console.log(`  load generator failed (exit ${r.code}): ${r.err.slice(0, 500)}`);
      continue;
    }
    const cpuPct = ((cpu.user + cpu.system) / 1000 / wall) * 100;
    console.log(
      `  ${String(concurrency).padStart(7)}${fmt(res.rps, 0).padStart(9)}${fmt(res.p50_ms, 2).padStart(9)}` +
        `${fmt(res.p90_ms, 2).padStart(9)}${fmt(res.p99_ms, 2).padStart(9)}${fmt(res.max_ms, 1).padStart(9)}` +
        `${String(res.errors).padStart(8)}${String(res.requests).padStart(10)}${`${fmt(peak / 2 ** 20, 0)} MiB`.padStart(11)}` +
        `${`${fmt(cpuPct, 0)}%`.padStart(12)}`,
    );
    if (res.errors)
      console.log(`    statuses ${JSON.stringify(res.statuses)}; e.g. ${res.error_samples.join(" | ")}`);
    summary.push([
      `Webhook, ${concurrency} keep-alive client(s), history stored`,
      "info",
      `${fmt(res.rps, 0)} req/s, p50 ${fmt(res.p50_ms, 2)} / p99 ${fmt(res.p99_ms, 2)} ms, ${res.errors} errors, RSS ${fmt(peak / 2 ** 20, 0)} MiB`,
      null,
    ]);
  }
  const history = await client.request("request_execution_history", { limit: 1 });
  const last = history.executions?.[0];
  console.log(
    `  history: latest stored execution ${last?.job_id} ${last?.status} (${last?.preset_name}); ` +
      `data dir now ${fmt((await dirBytes(dataDir)) / 2 ** 20, 1)} MiB; engine RSS after ${fmt(process.memoryUsage().rss / 2 ** 20, 0)} MiB`,
  );
}

// ---------------------------------------------------------------------------------- 5. sub-benchmarks

/** Output of each spawned sub-benchmark, for the summary. */
const subResults = new Map();

async function benchSub() {
  heading(
    "5. Spawned sub-benchmarks (bench/sandbox.js 1, bench/store.js, bench/memory.js, bench/workers.js)",
  );
  const memoryRuns = process.env.BENCH_MEMORY_RUNS ?? "10000";
  for (const [file, args, env, flags, timeoutS] of [
    ["sandbox.js", ["1"], {}, [], 90],
    ["store.js", [], { BENCH_REPEAT: "3" }, [], 90],
    // 10,000 runs that each move 1 MiB through three nodes: several minutes on 2 shared cores.
    ["memory.js", [memoryRuns, "4"], {}, ["--expose-gc"], 1_800],
    // Queue mode: 1, 2 and 4 `flowork worker` processes on Redis (issue: >= 0.9 x N x one worker).
    ["workers.js", [], {}, [], 900],
  ]) {
    if (SKIP.has(file.replace(/\.js$/, ""))) continue;
    const path = join(HERE, file);
    try {
      await stat(path);
    } catch {
      console.log(`  ${file}: not present, skipped`);
      continue;
    }
    const t = performance.now();
    const r = await runChild([...flags, path, ...args], env, timeoutS * 1000);
    console.log(
      `  --- node bench/${file} ${args.join(" ")} ${Object.entries(env)
        .map(([k, v]) => `${k}=${v}`)
        .join(" ")}`,
    );
    subResults.set(file, r.out);
    for (const line of r.out.trimEnd().split("\n")) console.log(`  | ${line}`);
    if (r.code !== 0) console.log(`  exit ${r.code}: ${r.err.trim().slice(0, 800)}`);
    console.log(`  (${fmt((performance.now() - t) / 1000, 1)} s)`);
  }
}

// ------------------------------------------------------------------------------------------------ main

const started = performance.now();
const cpus = os.cpus();
const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(", ");
console.log(
  `Flowork engine bench — node ${process.version}, ${cpus[0]?.model ?? "unknown CPU"}, ${os.availableParallelism()} cores, ` +
    `${new Date().toISOString()}`,
);
console.log(
  `load average at start: ${load()}; each runtime/verification figure is the best of ${SLICES} rounds (median in brackets)`,
);

if (!SKIP.has("runtime")) await benchRuntime();
if (!SKIP.has("verify")) await benchVerify();
if (!SKIP.has("ws") || !SKIP.has("webhook")) {
  await withEngine(async (ctx) => {
    if (!SKIP.has("ws")) await benchRoundTrip(ctx);
    if (!SKIP.has("webhook")) await benchWebhook(ctx);
  });
}
if (!SKIP.has("sub")) await benchSub();
for (const [file, pattern] of [
  ["memory.js", /RSS growth over .*/],
  ["workers.js", /^\d+ worker\(s\), \w+:.*$/gm],
]) {
  const lines = subResults.get(file)?.match(pattern) ?? [];
  for (const line of lines) summary.push([`bench/${file}`, "see above", line.trim().slice(0, 90), null]);
}

heading("Summary (goals are informational)");
const w0 = Math.max(...summary.map((r) => r[0].length));
const w1 = Math.max(...summary.map((r) => r[1].length));
const w2 = Math.max(...summary.map((r) => r[2].length));
for (const [what, goal, got, ok] of summary) {
  console.log(
    `  ${what.padEnd(w0)}  ${goal.padEnd(w1)}  ${got.padEnd(w2)}  ${ok === null ? "" : ok ? "PASS" : "MISS"}`,
  );
}
console.log(`\nload average at end: ${load()}; total ${fmt((performance.now() - started) / 1000, 1)} s`);
