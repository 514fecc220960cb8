// The WebSocket round-trip loop of bench/run.js section 3, run in a worker thread: the client has its own event
// loop, so it reads the final status event as soon as the engine writes it (as a remote GUI would) instead of
// after the engine's thread has finished everything else it chained on (store writes after the run).
// workerData: {url, engineId, envelopes: [{request_id, envelope}], paceMs, warmup}; posts {samples: [ms...]}.
import { parentPort, workerData } from "node:worker_threads";
import { EngineClient } from "@flowork/sdk";
import WebSocket from "ws";

const { url, engineId, envelopes, paceMs, warmup } = workerData;
const client = new EngineClient({
  url,
  engineId,
  signer: { address: "0x0000000000000000000000000000000000000000", signMessage: async () => "0x" },
  connect: (u) => new WebSocket(u),
  timeoutMs: 15_000,
});
await client.open();
const finals = new Map();
const waiters = new Map();
client.onEvent((e) => {
  if (e.type !== "workflow_status_update" || !e.status_data?.end_time) return;
  const at = performance.now();
  const w = waiters.get(e.job_id);
  if (w) {
    waiters.delete(e.job_id);
    w(at);
  } else finals.set(e.job_id, at);
});
const finalOf = (jobId) => {
  const at = finals.get(jobId);
  if (at !== undefined) {
    finals.delete(jobId);
    return Promise.resolve(at);
  }
  return new Promise((resolve) => waiters.set(jobId, resolve));
};
const samples = [];
let errors = 0;
let last = 0;
for (let i = 0; i < envelopes.length; i++) {
  const wait = last + paceMs - performance.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  const { request_id, envelope } = envelopes[i];
  const start = performance.now();
  last = start;
  const response = await client.sendEnvelope(envelope, request_id);
  if (response.type !== "execute_workflow_response") {
    errors++;
    continue;
  }
  const at = await finalOf(response.job_id);
  if (i >= warmup) samples.push(at - start);
}
client.close();
parentPort.postMessage({ samples, errors });
