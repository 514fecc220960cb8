// A small closed-loop HTTP load generator (what autocannon does, without the dependency), run by bench/run.js
// in its own process so the client's CPU does not share the engine's event loop.
// Usage: node bench/http-load.js '<json options>'
//   {url, concurrency, warmupMs, durationMs, body?, headers?}
// Prints one JSON line: {requests, seconds, rps, p50_ms, p90_ms, p99_ms, max_ms, errors, statuses, error_samples}.
import http from "node:http";

const o = JSON.parse(process.argv[2] ?? "{}");
const url = new URL(o.url);
const concurrency = o.concurrency ?? 1;
const body = Buffer.from(o.body ?? "{}");
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency, maxFreeSockets: concurrency });
const headers = { "content-type": "application/json", "content-length": body.length, ...(o.headers ?? {}) };

function once() {
  return new Promise((resolve) => {
    const req = http.request(
      { host: url.hostname, port: url.port, path: url.pathname + url.search, method: "POST", agent, headers },
      (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }),
        );
        res.on("error", (err) => resolve({ status: 0, text: String(err) }));
      },
    );
    req.on("error", (err) => resolve({ status: 0, text: String(err) }));
    req.end(body);
  });
}

const latencies = [];
const statuses = {};
const errorSamples = [];
let errors = 0;
let measuring = false;

async function worker(stopAt) {
  while (performance.now() < stopAt) {
    const t0 = performance.now();
    const r = await once();
    const ms = performance.now() - t0;
    if (!measuring) continue;
    latencies.push(ms);
    statuses[r.status] = (statuses[r.status] ?? 0) + 1;
    if (r.status !== 200) {
      errors++;
      if (errorSamples.length < 3) errorSamples.push(`${r.status} ${r.text.slice(0, 200)}`);
    }
  }
}

const start = performance.now();
const measureFrom = start + (o.warmupMs ?? 1000);
const stopAt = measureFrom + (o.durationMs ?? 5000);
setTimeout(() => {
  measuring = true;
}, o.warmupMs ?? 1000);
await Promise.all(Array.from({ length: concurrency }, () => worker(stopAt)));
const seconds = (performance.now() - measureFrom) / 1000;
latencies.sort((a, b) => a - b);
const q = (p) =>
  latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] : NaN;
agent.destroy();
process.stdout.write(
  `${JSON.stringify({
    requests: latencies.length,
    seconds,
    rps: latencies.length / seconds,
    p50_ms: q(0.5),
    p90_ms: q(0.9),
    p99_ms: q(0.99),
    max_ms: latencies.at(-1) ?? NaN,
    errors,
    statuses,
    error_samples: errorSamples,
  })}\n`,
);
