// Where an execute_workflow round trip goes: the engine's steps for one signed execute_workflow of a 3-node
// workflow, each run on its own in the order the engine runs them (with the engine's own classes: the native
// verifier, parseEngineRequest, compileWorkflow, the SQLite store, createRun), timed one by one.
// What the sum does not explain is the WebSocket transport, the event loop and the client.
// Standalone: node bench/breakdown.js [iterations]   (bench/run.js calls measureBreakdown() after section 3)
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { compileWorkflow, createBuiltinRegistry, createRun } from "@flowork/engine";
import {
  MemoryReplayCache,
  parseEngineRequest,
  signEnvelope,
  signerFromPrivateKey,
  verifyEnvelope,
} from "@flowork/protocol";
import { createNodeVerifier } from "@flowork/protocol/node";
import { generatePrivateKey } from "viem/accounts";
import { openEngineStore } from "../dist/store/index.js";

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * @param envelopes pre-signed execute_workflow envelopes for engine id `engineId` (one per iteration)
 * @returns rows of [step, median µs]
 */
export async function measureBreakdown(envelopes, engineId, { warmup = 50 } = {}) {
  const dataDir = await mkdtemp(join(os.tmpdir(), "flowork-breakdown-"));
  const store = await openEngineStore({ dataDir, env: {} });
  const registry = createBuiltinRegistry();
  const verifier = createNodeVerifier({ replayCache: new MemoryReplayCache() });
  const steps = [
    "frame: JSON.stringify (client) + JSON.parse (engine)",
    "verifyEnvelope (native secp256k1, JCS payload hash)",
    "parseEngineRequest (zod)",
    "compileWorkflow (validate + graph)",
    "store.executions.create (INSERT ... RETURNING)",
    "store.executions.setStatus RUNNING (UPDATE)",
    "createRun(3 nodes).start(), events JSON.stringify'd",
    "store.events append x9 + flush (1 transaction)",
    "store.executions.setStatus SUCCEEDED (UPDATE)",
    "store.executions.deleteCheckpoint (DELETE)",
    "store.audit.append (zod + INSERT)",
  ];
  const samples = steps.map(() => []);
  try {
    for (let i = 0; i < envelopes.length; i++) {
      const t = [performance.now()];
      const mark = () => t.push(performance.now());
      const envelope = JSON.parse(JSON.stringify(envelopes[i]));
      mark();
      const verified = await verifyEnvelope(verifier, envelope, engineId);
      mark();
      const parsed = parseEngineRequest(verified.payload);
      if (!parsed.ok) throw parsed.error;
      mark();
      const compiled = compileWorkflow(parsed.request.workflow_data, registry);
      mark();
      const jobId = `bd-${i}-${Math.random().toString(36).slice(2, 8)}`;
      await store.executions.create({
        job_id: jobId,
        preset_name: null,
        mode: "EXECUTE",
        started_by: verified.auth.address,
        workflow_data: compiled.workflow,
        initial_payload: parsed.request.initial_payload ?? {},
        start_node_id: null,
      });
      mark();
      await store.executions.setStatus(jobId, "RUNNING", { started_at: new Date().toISOString() });
      mark();
      const events = [];
      const run = createRun(compiled, {
        jobId,
        initialPayload: parsed.request.initial_payload ?? {},
        isDisabled: (id) => registry.isDisabled(id),
        onEvent: (e) => {
          JSON.stringify(e);
          events.push(e);
        },
      });
      const outcome = await run.start();
      mark();
      store.events.append(jobId, {
        type: "workflow_status_update",
        job_id: jobId,
        status_data: { status: "QUEUED", mode: "EXECUTE", start_time: outcome.started_at },
      });
      for (const e of events) store.events.append(jobId, e);
      await store.events.flush();
      mark();
      await store.executions.setStatus(jobId, outcome.status, {
        ended_at: outcome.ended_at,
        duration_ms: 1,
        result: outcome.result,
      });
      mark();
      await store.executions.deleteCheckpoint(jobId);
      mark();
      await store.audit.append({
        ts: new Date().toISOString(),
        address: verified.auth.address,
        type: "execute_workflow",
        message: envelope.auth.message,
        signature: envelope.auth.signature,
        payload_sha256: verified.auth.payload_sha256,
      });
      mark();
      if (i >= warmup) for (let k = 0; k < steps.length; k++) samples[k].push((t[k + 1] - t[k]) * 1000);
    }
  } finally {
    await store.close();
    await rm(dataDir, { recursive: true, force: true });
  }
  return steps.map((s, k) => [s, median(samples[k])]);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const n = Number(process.argv[2] ?? 400);
  const signer = signerFromPrivateKey(generatePrivateKey());
  const wf = {
    nodes: [
      { id: "n0", name: "n0", x: 0, y: 0, module_id: "manual_trigger", config_values: {} },
      {
        id: "n1",
        name: "n1",
        x: 100,
        y: 0,
        module_id: "set_data",
        config_values: { fields: { hello: "world", n: 1 } },
      },
      {
        id: "n2",
        name: "n2",
        x: 200,
        y: 0,
        module_id: "template",
        config_values: { template: "hi {{payload.hello}}", output_field: "greeting" },
      },
    ],
    connections: [
      { id: "c0", source: "n0", target: "n1", source_port_name: "output", target_port_name: "input" },
      { id: "c1", source: "n1", target: "n2", source_port_name: "success", target_port_name: "input" },
    ],
  };
  const envelopes = [];
  for (let i = 0; i < n; i++) {
    envelopes.push(
      await signEnvelope(signer, "bench", {
        type: "execute_workflow",
        request_id: `b-${i}`,
        workflow_data: wf,
        mode: "EXECUTE",
        initial_payload: { i },
      }),
    );
  }
  const rows = await measureBreakdown(envelopes, "bench");
  let sum = 0;
  for (const [s, us] of rows) {
    sum += us;
    console.log(`${s.padEnd(56)} ${us.toFixed(1).padStart(8)} µs`);
  }
  console.log(`${"sum of medians".padEnd(56)} ${sum.toFixed(1).padStart(8)} µs`);
}
