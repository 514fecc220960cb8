// CPU profile of one bench workload, taken in-process with node:inspector around the timed loop only (so signing
// pools, start-up and the load generator are not in it), then summarised: top functions by self time and self
// time per source area. The raw profile is written for Chrome DevTools / speedscope.
// Run (after `npm run build`): node bench/profile.js <runtime|verify|ws|webhook> [seconds]
//   runtime: the 10-node mixed chain, createRun().start() back to back, no-op sink
//   verify:  verifyEnvelope with createNodeVerifier (native), pool of distinct envelopes
//   ws:      signed execute_workflow -> final status over the engine WebSocket (pre-signed, paced at 11 ms)
//   webhook: POST /webhook/bench with 10 keep-alive clients (load generator in another process)
// Options: PROFILE_TOP=30, PROFILE_OUT=/tmp/flowork-<mode>.cpuprofile, PROFILE_INTERVAL_US=100
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { Session } from "node:inspector/promises";
import os from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  compileWorkflow,
  createBuiltinRegistry,
  createRun,
  engineConfigFrom,
  startEngine,
} from "@flowork/engine";
import { MemoryReplayCache, signEnvelope, signerFromPrivateKey, verifyEnvelope } from "@flowork/protocol";
import { createNodeVerifier } from "@flowork/protocol/node";
import { EngineClient } from "@flowork/sdk";
import { generatePrivateKey } from "viem/accounts";
import WebSocket from "ws";

const HERE = dirname(fileURLToPath(import.meta.url));
const mode = process.argv[2] ?? "ws";
const seconds = Number(process.argv[3] ?? 5);
const TOP = Number(process.env.PROFILE_TOP ?? 30);
const OUT = process.env.PROFILE_OUT ?? join(os.tmpdir(), `flowork-${mode}.cpuprofile`);

const session = new Session();
session.connect();
await session.post("Profiler.enable");
await session.post("Profiler.setSamplingInterval", {
  interval: Number(process.env.PROFILE_INTERVAL_US ?? 100),
});

async function profiled(fn) {
  await session.post("Profiler.start");
  const t0 = performance.now();
  const ops = await fn();
  const wall = performance.now() - t0;
  const { profile } = await session.post("Profiler.stop");
  return { profile, ops, wall };
}

const chain = (specs) => ({
  nodes: specs.map(([module_id, config_values], i) => ({
    id: `n${i}`,
    name: `n${i}`,
    x: i * 100,
    y: 0,
    module_id,
    config_values,
  })),
  connections: specs.slice(1).map((_, i) => ({
    id: `c${i}`,
    source: `n${i}`,
    target: `n${i + 1}`,
    source_port_name: specs[i][2] ?? (i === 0 ? "output" : "success"),
    target_port_name: "input",
  })),
});
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
const WF_THREE = chain([
  ["manual_trigger", {}],
  ["set_data", { fields: { hello: "world", n: 1 } }],
  ["template", { template: "hi {{payload.hello}}", output_field: "greeting" }],
]);
const quiet = { info() {}, warn() {}, error: (m, e) => console.error(m, e) };

async function withEngine(fn) {
  const dataDir = await mkdtemp(join(os.tmpdir(), "flowork-profile-"));
  const signer = signerFromPrivateKey(generatePrivateKey());
  const engine = await startEngine(
    engineConfigFrom(
      { port: 0, data: dataDir },
      { FLOWORK_ENGINE_ID: "bench", FLOWORK_AUTHORIZED_ADDRESSES: `${signer.address.toLowerCase()}:owner` },
    ),
    quiet,
  );
  const client = new EngineClient({
    url: `ws://127.0.0.1:${engine.port}/`,
    engineId: "bench",
    signer,
    connect: (u) => new WebSocket(u),
  });
  await client.open();
  try {
    return await fn({ engine, client, signer });
  } finally {
    client.close();
    await engine.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

const workloads = {
  async runtime() {
    const registry = createBuiltinRegistry();
    const compiled = compileWorkflow(WF_MIXED, registry);
    const isDisabled = (id) => registry.isDisabled(id);
    const once = () => createRun(compiled, { isDisabled, onEvent: () => {} }).start();
    for (let i = 0; i < 3000; i++) await once();
    return profiled(async () => {
      let n = 0;
      const end = performance.now() + seconds * 1000;
      while (performance.now() < end) {
        for (let i = 0; i < 50; i++) await once();
        n += 50;
      }
      return { label: "10-node runs", n };
    });
  },
  async verify() {
    const signer = signerFromPrivateKey(generatePrivateKey());
    const pool = [];
    for (let i = 0; i < 300; i++) {
      pool.push(
        await signEnvelope(signer, "eng", {
          type: "execute_workflow",
          request_id: `r-${i}`,
          workflow_data: WF_THREE,
          mode: "EXECUTE",
        }),
      );
    }
    const pass = async () => {
      const v = createNodeVerifier({ replayCache: new MemoryReplayCache() });
      for (const e of pool) await verifyEnvelope(v, e, "eng");
    };
    for (let i = 0; i < 5; i++) await pass();
    return profiled(async () => {
      let n = 0;
      const end = performance.now() + seconds * 1000;
      while (performance.now() < end) {
        await pass();
        n += pool.length;
      }
      return { label: "verifications", n };
    });
  },
  ws: () =>
    withEngine(async ({ engine, client, signer }) => {
      const PACE = 11;
      const total = Math.ceil((seconds * 1000) / PACE) + 100;
      const envs = [];
      for (let i = 0; i < total; i++) {
        envs.push(
          await signEnvelope(signer, engine.engineId, {
            type: "execute_workflow",
            request_id: `q-${i}`,
            workflow_data: WF_THREE,
            mode: "EXECUTE",
            initial_payload: { i },
          }),
        );
      }
      const finals = new Map();
      const waiters = new Map();
      client.onEvent((e) => {
        if (e.type !== "workflow_status_update" || !e.status_data?.end_time) return;
        const w = waiters.get(e.job_id);
        if (w) w();
        else finals.set(e.job_id, true);
      });
      const final = (id) => (finals.delete(id) ? Promise.resolve() : new Promise((r) => waiters.set(id, r)));
      let last = 0;
      const one = async (i) => {
        const wait = last + PACE - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        last = performance.now();
        const res = await client.sendEnvelope(envs[i], `q-${i}`);
        await final(res.job_id);
      };
      for (let i = 0; i < 100; i++) await one(i);
      return profiled(async () => {
        for (let i = 100; i < total; i++) await one(i);
        return { label: "round trips", n: total - 100 };
      });
    }),
  webhook: () =>
    withEngine(async ({ engine, client }) => {
      await client.request("save_preset", {
        name: "bench-webhook",
        workflow_data: chain([
          ["webhook_trigger", { path: "bench", method: "POST", response_mode: "last_node" }],
          ["set_data", { fields: { handled: true, customer: "{{payload.body.customer}}" } }],
        ]),
      });
      const url = `http://127.0.0.1:${engine.port}/webhook/bench`;
      for (let i = 0; i < 100; i++) {
        const r = await fetch(url, {
          method: "POST",
          body: "{}",
          headers: { "content-type": "application/json" },
        });
        await r.text();
        if (r.status !== 404) break;
        await new Promise((res) => setTimeout(res, 20));
      }
      const child = spawn(process.execPath, [
        join(HERE, "http-load.js"),
        JSON.stringify({
          url,
          concurrency: 10,
          warmupMs: 1000,
          durationMs: seconds * 1000,
          body: JSON.stringify({ customer: "acme", amount: 42 }),
        }),
      ]);
      let out = "";
      child.stdout.on("data", (d) => {
        out += d;
      });
      const done = new Promise((r) => child.on("close", r));
      await new Promise((r) => setTimeout(r, 1000));
      return profiled(async () => {
        await done;
        const res = JSON.parse(out.trim());
        return {
          label: `webhook requests (${res.rps.toFixed(0)} req/s, p50 ${res.p50_ms.toFixed(2)} ms)`,
          n: res.requests,
        };
      });
    }),
};

const { profile, ops, wall } = await workloads[mode]();
await writeFile(OUT, JSON.stringify(profile));

// ---- summarise: self time per node, from the samples
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const selfUs = new Map();
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i];
  selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
}
const area = (url) => {
  if (!url) return "(native / V8 builtins)";
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return `npm:${m[1]}`;
  const p =
    /packages\/([^/]+)\/dist\/(.*?)(?:\/[^/]+)?\.js$/.exec(url) ?? /packages\/([^/]+)\/dist\/()/.exec(url);
  if (p) return `@flowork/${p[1]} ${url.replace(/.*packages\/[^/]+\/dist\//, "")}`;
  if (url.startsWith("node:")) return url;
  if (url.includes("/bench/")) return "bench harness";
  return url;
};
// Samples taken inside the profiler's own start/stop calls are the profiler, not the workload: left out.
const parentOf = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parentOf.set(c, n.id);
const stackOf = (id) => {
  const out = [];
  for (let q = id; q !== undefined; q = parentOf.get(q)) out.push(byId.get(q));
  return out;
};
const isProfilerFrame = (n) =>
  n.callFrame.url.endsWith("bench/profile.js") && n.callFrame.functionName === "profiled";
for (const id of [...selfUs.keys()]) {
  const stack = stackOf(id);
  if (stack.some(isProfilerFrame) && !stack.some((n) => n.callFrame.url.includes("/dist/")))
    selfUs.delete(id);
}
const fnTotals = new Map();
const areaTotals = new Map();
let total = 0;
let idle = 0;
for (const [id, us] of selfUs) {
  const n = byId.get(id);
  const cf = n.callFrame;
  if (cf.functionName === "(idle)") {
    idle += us;
    continue;
  }
  total += us;
  const file = cf.url ? cf.url.replace(/^file:\/\/.*?\/(node_modules|packages)\//, "$1/") : "";
  const key = `${cf.functionName || "(anonymous)"}  ${file}${file ? `:${cf.lineNumber + 1}` : ""}`;
  fnTotals.set(key, (fnTotals.get(key) ?? 0) + us);
  const a =
    cf.functionName === "(garbage collector)"
      ? "(garbage collector)"
      : cf.functionName === "(program)"
        ? "(program: native, V8, libuv)"
        : area(cf.url);
  areaTotals.set(a, (areaTotals.get(a) ?? 0) + us);
}
const pct = (us) => `${((us / total) * 100).toFixed(1).padStart(5)}%`;
console.log(
  `mode ${mode}: ${ops.n} ${ops.label} in ${(wall / 1000).toFixed(2)} s; busy ${(total / 1000).toFixed(0)} ms, idle ${(idle / 1000).toFixed(0)} ms; ` +
    `busy CPU per op ${(total / ops.n).toFixed(1)} µs; profile written to ${OUT}`,
);
console.log(`\nTop ${TOP} functions by self time (% of busy time):`);
for (const [k, us] of [...fnTotals].sort((a, b) => b[1] - a[1]).slice(0, TOP)) {
  console.log(`  ${pct(us)}  ${(us / ops.n).toFixed(2).padStart(8)} µs/op  ${k}`);
}
// Inclusive time of the project's own functions (synchronous stacks only: an await ends a stack).
const inclusive = new Map();
for (const [id, us] of selfUs) {
  if (byId.get(id).callFrame.functionName === "(idle)") continue;
  const seen = new Set();
  for (const n of stackOf(id)) {
    const cf = n.callFrame;
    if (!cf.url.includes("packages/") || !cf.url.includes("/dist/")) continue;
    const key = `${cf.functionName || "(anonymous)"}  ${cf.url.replace(/^file:\/\/.*?\/packages\//, "")}:${cf.lineNumber + 1}`;
    if (seen.has(key)) continue;
    seen.add(key);
    inclusive.set(key, (inclusive.get(key) ?? 0) + us);
  }
}
console.log(`\nTop ${TOP} @flowork functions by inclusive time (synchronous part; % of busy time):`);
for (const [k, us] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, TOP)) {
  console.log(`  ${pct(us)}  ${(us / ops.n).toFixed(2).padStart(8)} µs/op  ${k}`);
}
console.log("\nSelf time by area:");
for (const [k, us] of [...areaTotals].sort((a, b) => b[1] - a[1]).slice(0, 25)) {
  console.log(`  ${pct(us)}  ${(us / ops.n).toFixed(2).padStart(8)} µs/op  ${k}`);
}
session.disconnect();
