// The store writes of one execute_workflow (create, RUNNING, 9 events in one transaction, final status, checkpoint
// delete, audit entry), N times: through the engine store (Kysely over better-sqlite3, as the engine does them),
// as the same statements prepared directly on better-sqlite3 (same 6 transactions), and all in one transaction.
// Shows what the query builder costs on the hot path. Run: node bench/store-kysely-vs-raw.js (after the build)
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { openEngineStore } from "../dist/store/index.js";

const dataDir = await mkdtemp(join(os.tmpdir(), "raw-"));
const store = await openEngineStore({ dataDir, env: {} });
const wf = JSON.stringify({
  nodes: [{ id: "n0", module_id: "manual_trigger", config_values: {} }],
  connections: [],
});
const N = 2000;
const now = () => new Date().toISOString();
const ev = (j, s) => ({
  type: "workflow_status_update",
  job_id: j,
  status_data: { status: s, mode: "EXECUTE", start_time: now() },
});
let t = performance.now();
for (let i = 0; i < N; i++) {
  const j = `k-${i}`;
  await store.executions.create({
    job_id: j,
    preset_name: null,
    mode: "EXECUTE",
    started_by: null,
    workflow_data: JSON.parse(wf),
    initial_payload: {},
    start_node_id: null,
  });
  await store.executions.setStatus(j, "RUNNING", { started_at: now() });
  for (let k = 0; k < 9; k++) store.events.append(j, ev(j, k < 8 ? "RUNNING" : "SUCCEEDED"));
  await store.events.flush();
  await store.executions.setStatus(j, "SUCCEEDED", { ended_at: now(), duration_ms: 1, result: {} });
  await store.executions.deleteCheckpoint(j);
  await store.audit.append({
    ts: now(),
    address: "0x" + "a".repeat(40),
    type: "execute_workflow",
    message: "m".repeat(240),
    signature: "0x" + "b".repeat(130),
    payload_sha256: "c".repeat(64),
  });
}
const kys = ((performance.now() - t) * 1000) / N;
await store.close();
const db = new Database(join(dataDir, "engine.db"));
db.pragma("journal_mode = WAL");
db.pragma("synchronous = NORMAL");
db.pragma("foreign_keys = ON");
db.pragma("secure_delete = ON");
const ins = db.prepare(
  "insert into executions (job_id, preset_name, mode, status, started_by, queued_at, started_at, ended_at, duration_ms, error_code, error_message, result, workflow_data, initial_payload, start_node_id, last_seq) values (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,0) on conflict (job_id) do nothing returning job_id",
);
const upd = db.prepare("update executions set status = ?, started_at = ? where job_id = ?");
const bump = db.prepare("update executions set last_seq = last_seq + ? where job_id = ? returning last_seq");
const insEv = db.prepare("insert into execution_events (job_id, seq, type, data) values (?,?,?,?)");
const fin = db.prepare(
  "update executions set status = ?, ended_at = ?, duration_ms = ?, result = ? where job_id = ?",
);
const delc = db.prepare("delete from checkpoints where job_id = ?");
const aud = db.prepare(
  "insert into audit_log (ts, address, type, message, signature, payload_sha256) values (?,?,?,?,?,?)",
);
const evTx = db.transaction((j, evs) => {
  const { last_seq } = bump.get(evs.length, j);
  let s = last_seq - evs.length + 1;
  for (const e of evs) insEv.run(j, s++, e.type, JSON.stringify(e));
});
t = performance.now();
for (let i = 0; i < N; i++) {
  const j = `r-${i}`;
  ins.all(j, null, "EXECUTE", "QUEUED", null, now(), now(), null, null, null, null, null, wf, "{}", null);
  upd.run("RUNNING", now(), j);
  evTx(
    j,
    Array.from({ length: 9 }, () => ev(j, "RUNNING")),
  );
  fin.run("SUCCEEDED", now(), 1, "{}", j);
  delc.run(j);
  aud.run(
    now(),
    "0x" + "a".repeat(40),
    "execute_workflow",
    "m".repeat(240),
    "0x" + "b".repeat(130),
    "c".repeat(64),
  );
}
const raw = ((performance.now() - t) * 1000) / N;
// all in ONE transaction
const allTx = db.transaction((j) => {
  ins.all(j, null, "EXECUTE", "QUEUED", null, now(), now(), null, null, null, null, null, wf, "{}", null);
  upd.run("RUNNING", now(), j);
  evTx(
    j,
    Array.from({ length: 9 }, () => ev(j, "RUNNING")),
  );
  fin.run("SUCCEEDED", now(), 1, "{}", j);
  delc.run(j);
  aud.run(
    now(),
    "0x" + "a".repeat(40),
    "execute_workflow",
    "m".repeat(240),
    "0x" + "b".repeat(130),
    "c".repeat(64),
  );
});
t = performance.now();
for (let i = 0; i < N; i++) allTx(`x-${i}`);
const one = ((performance.now() - t) * 1000) / N;
console.log(
  `per execute_workflow's writes: store via Kysely ${kys.toFixed(0)} µs; raw prepared better-sqlite3, same 6 transactions ${raw.toFixed(0)} µs; raw, one transaction ${one.toFixed(0)} µs`,
);
db.close();
await rm(dataDir, { recursive: true, force: true });
