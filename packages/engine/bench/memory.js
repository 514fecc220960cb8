// Memory over many large runs (issue: "10,000 runs with 1 MB payloads, RSS growth ≤ 100 MB").
// Run: node --expose-gc bench/memory.js [runs=10000] [concurrency=4]   (in packages/engine, after `npm run build`)
// A real engine (in this process, history stored) serves a webhook preset:
//   webhook_trigger -> http_request (GETs a 1 MiB JSON document from a loopback server in this process) -> set_data
//   (adds a field, so the 1 MiB payload flows through a second node) -> pick_fields (keeps the small fields: the
//   stored result and the webhook's answer stay small, so the disk does not fill with 10 GB of history while every
//   run still moves 1 MiB through three nodes).
// RSS is sampled every 100 ms; "growth" is RSS after the last run minus RSS after the warm-up, both after a full GC
// (when --expose-gc is given) and a short settle, so the figure is what the engine keeps, not garbage not yet freed.
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:http";
import os from "node:os";
import { join } from "node:path";
import { engineConfigFrom, startEngine } from "@flowork/engine";
import { signerFromPrivateKey } from "@flowork/protocol";
import { EngineClient } from "@flowork/sdk";
import { generatePrivateKey } from "viem/accounts";
import WebSocket from "ws";

const RUNS = Number(process.argv[2] ?? 10_000);
const CONCURRENCY = Number(process.argv[3] ?? 4);
const WARMUP = Math.min(500, Math.floor(RUNS / 10));
const MiB = 2 ** 20;
const quiet = { info() {}, warn() {}, error() {} };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const fmt = (n, d = 1) => n.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d });

async function settledRss() {
  for (let i = 0; i < 3; i++) {
    globalThis.gc?.();
    await sleep(200);
  }
  const m = process.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed, external: m.external + m.arrayBuffers };
}

const dataDir = await mkdtemp(join(os.tmpdir(), "flowork-memory-bench-"));
const signer = signerFromPrivateKey(generatePrivateKey());
const engine = await startEngine(
  engineConfigFrom(
    { port: 0, host: "127.0.0.1", data: dataDir },
    {
      FLOWORK_ENGINE_ID: "bench-memory",
      FLOWORK_AUTHORIZED_ADDRESSES: `${signer.address.toLowerCase()}:owner`,
    },
  ),
  quiet,
);
const client = new EngineClient({
  url: `ws://127.0.0.1:${engine.port}/`,
  engineId: engine.engineId,
  signer,
  connect: (u) => new WebSocket(u),
  timeoutMs: 15_000,
});
await client.open();
const document = Buffer.from(JSON.stringify({ blob: "x".repeat(MiB - 12) }));
const files = createServer((_req, res) => {
  res.writeHead(200, { "content-type": "application/json", "content-length": document.length });
  res.end(document);
});
await new Promise((r) => files.listen(0, "127.0.0.1", r));
const filesUrl = `http://127.0.0.1:${files.address().port}/big.json`;
await client.request("save_settings", { settings: { http_allowed_hosts: ["127.0.0.1"] } });
const node = (id, module_id, config_values) => ({ id, name: id, x: 0, y: 0, module_id, config_values });
const link = (id, source, target, port) => ({
  id,
  source,
  target,
  source_port_name: port,
  target_port_name: "input",
});
await client.request("save_preset", {
  name: "bench-memory",
  workflow_data: {
    nodes: [
      node("hook", "webhook_trigger", { path: "memory", method: "POST", response_mode: "last_node" }),
      node("big", "http_request", { url: filesUrl, method: "GET" }),
      node("touch", "set_data", { fields: { touched: true, size: "{{payload.body.blob.length}}" } }),
      node("small", "pick_fields", { fields: ["status", "touched", "size"] }),
    ],
    connections: [
      link("c1", "hook", "big", "output"),
      link("c2", "big", "touch", "success"),
      link("c3", "touch", "small", "success"),
    ],
  },
});
const url = `http://127.0.0.1:${engine.port}/webhook/memory`;
for (let i = 0; i < 100; i++) {
  const probe = await fetch(url, {
    method: "POST",
    body: '{"n":0}',
    headers: { "content-type": "application/json" },
  });
  await probe.text();
  if (probe.status === 200) break;
  await sleep(20);
}

let peak = 0;
const sampler = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage().rss);
}, 100);
let next = 0;
let failed = 0;
async function drive(total) {
  const end = next + total;
  const lane = async () => {
    while (next < end) {
      const n = next++;
      const res = await fetch(url, {
        method: "POST",
        body: JSON.stringify({ n }),
        headers: { "content-type": "application/json" },
      });
      const body = await res.json();
      if (res.status !== 200 || body.status !== 200 || body.touched !== true || Number(body.size) < MiB - 20)
        failed++;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, lane));
}

console.log(
  `memory: ${RUNS} webhook runs, each moving a 1 MiB payload through 3 nodes, ${CONCURRENCY} at a time, history stored` +
    `${globalThis.gc ? "" : " (no --expose-gc: figures include garbage not yet collected)"}`,
);
await drive(WARMUP);
const base = await settledRss();
peak = base.rss;
const t0 = performance.now();
await drive(RUNS);
const seconds = (performance.now() - t0) / 1000;
const after = await settledRss();
clearInterval(sampler);
const growth = (after.rss - base.rss) / MiB;
console.log(
  `  ${RUNS} runs in ${fmt(seconds, 1)} s (${fmt(RUNS / seconds, 0)} runs/s, ${fmt((RUNS * 1) / seconds, 0)} MiB/s of payload), ${failed} wrong answers`,
);
console.log(
  `  RSS after warm-up ${fmt(base.rss / MiB, 0)} MiB (heap ${fmt(base.heap / MiB, 0)}), peak ${fmt(peak / MiB, 0)} MiB, ` +
    `after ${RUNS} runs ${fmt(after.rss / MiB, 0)} MiB (heap ${fmt(after.heap / MiB, 0)})`,
);
console.log(
  `  RSS growth over ${RUNS} runs: ${fmt(growth, 1)} MiB (goal ≤ 100 MiB): ${growth <= 100 ? "PASS" : "MISS"}`,
);
console.log(
  `RESULT ${JSON.stringify({ runs: RUNS, seconds, failed, base_mib: base.rss / MiB, peak_mib: peak / MiB, after_mib: after.rss / MiB, growth_mib: growth })}`,
);
client.close();
files.close();
await engine.close();
await rm(dataDir, { recursive: true, force: true });
