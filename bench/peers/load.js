// Closed-loop HTTP load driver for bench/peers/run.js: `connections` keep-alive sockets, each sending the next POST
// as soon as the previous answer has been read in full. Runs in its own process so its CPU never shares the event
// loop of the system under test. Bounded: it stops by itself after warm-up + duration, and only targets loopback.
// Usage: node bench/peers/load.js '{"url":"http://127.0.0.1:1880/bench","connections":10,"warmupMs":2000,
//                                   "durationMs":10000,"body":"{\"customer\":\"acme\"}"}'
// Prints one JSON line: {requests, seconds, rps, p50_ms, p90_ms, p99_ms, max_ms, errors, statuses, error_samples}.
// `errors` counts answers other than 2xx and socket errors during the measured window.
import http from "node:http";

const o = JSON.parse(process.argv[2] ?? "{}");
const url = new URL(o.url);
if (!["127.0.0.1", "localhost", "[::1]"].includes(url.hostname)) {
  console.error(`load.js only targets loopback, not ${url.hostname}`);
  process.exit(2);
}
const connections = Math.max(1, Math.min(1000, Number(o.connections ?? 1)));
const warmupMs = Number(o.warmupMs ?? 2000);
const durationMs = Math.min(600_000, Number(o.durationMs ?? 10_000));
const body = Buffer.from(o.body ?? "{}");
const agent = new http.Agent({ keepAlive: true, maxSockets: connections, maxFreeSockets: connections });
const headers = { "content-type": "application/json", "content-length": String(body.length) };
const options = {
  host: url.hostname.replace(/^\[|\]$/g, ""),
  port: url.port,
  path: url.pathname + url.search,
  method: "POST",
  agent,
  headers,
};

function once() {
  return new Promise((resolve) => {
    const req = http.request(options, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c) => {
        if (text.length < 400) text += c;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
      res.on("error", (err) => resolve({ status: 0, text: String(err) }));
    });
    req.setTimeout(30_000, () => req.destroy(new Error("request timed out after 30 s")));
    req.on("error", (err) => resolve({ status: 0, text: String(err) }));
    req.end(body);
  });
}

// Latencies in a preallocated typed array (grown on demand) so recording costs the driver next to nothing.
let lat = new Float64Array(1 << 20);
let n = 0;
const statuses = {};
const errorSamples = [];
let errors = 0;
let measuring = false;

async function worker(stopAt) {
  while (performance.now() < stopAt) {
    const t0 = performance.now();
    const r = await once();
    const t1 = performance.now();
    if (!measuring || t1 > stopAt) continue;
    if (n === lat.length) {
      const bigger = new Float64Array(lat.length * 2);
      bigger.set(lat);
      lat = bigger;
    }
    lat[n++] = t1 - t0;
    statuses[r.status] = (statuses[r.status] ?? 0) + 1;
    if (r.status < 200 || r.status > 299) {
      errors++;
      if (errorSamples.length < 3) errorSamples.push(`${r.status} ${r.text.slice(0, 200)}`);
    }
  }
}

const start = performance.now();
const measureFrom = start + warmupMs;
const stopAt = measureFrom + durationMs;
setTimeout(() => {
  measuring = true;
}, warmupMs);
await Promise.all(Array.from({ length: connections }, () => worker(stopAt)));
const seconds = (Math.min(performance.now(), stopAt) - measureFrom) / 1000;
const sorted = lat.subarray(0, n).sort();
const q = (p) => (n ? sorted[Math.min(n - 1, Math.floor(p * n))] : Number.NaN);
agent.destroy();
process.stdout.write(
  `${JSON.stringify({
    requests: n,
    seconds,
    rps: n / seconds,
    p50_ms: q(0.5),
    p90_ms: q(0.9),
    p99_ms: q(0.99),
    max_ms: n ? sorted[n - 1] : Number.NaN,
    errors,
    statuses,
    error_samples: errorSamples,
  })}\n`,
);
