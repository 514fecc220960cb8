import { mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type EngineEvent, FloworkError, signEnvelope } from "@flowork/protocol";
import type { EngineClient } from "@flowork/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { connect, type EngineProcess, identity, startEngine } from "./engine-process.js";
import { wf } from "./workflows.js";

const owner = identity();
const admin = identity();
const runner = identity();
const reader = identity();
const stranger = identity();
const API_KEY = "test-internal-key-0123456789";
const SECRET = "sup3r-s3cret-variable-value";

let dataDir: string;
let engine: EngineProcess;
let client: EngineClient;

function env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    FLOWORK_ENGINE_ID: "engine-e2e",
    FLOWORK_AUTHORIZED_ADDRESSES: `${owner.address}:owner,${admin.address}:admin,${runner.address}:runner,${reader.address}:reader`,
    GATEWAY_SECRET_TOKEN: API_KEY,
    FLOWORK_STATUS_INTERVAL_MS: "500",
    ...extra,
  };
}

type StatusEvent = Extract<EngineEvent, { type: "workflow_status_update" }>;
const isFinal = (e: EngineEvent, jobId: string): e is StatusEvent =>
  e.type === "workflow_status_update" &&
  e.job_id === jobId &&
  e.status_data.end_time !== undefined &&
  e.status_data.status !== "INTERRUPTED";

/**
 * Every event a client receives, recorded from the moment this is called, so a job's final status is found
 * even when it arrives in the same read as the response that named the job.
 */
const recorders = new WeakMap<EngineClient, EngineEvent[]>();
function recorded(c: EngineClient): EngineEvent[] {
  let list = recorders.get(c);
  if (!list) {
    list = [];
    const l = list;
    c.onEvent((e) => l.push(e));
    recorders.set(c, l);
  }
  return list;
}

/** Resolves with the job's final status event (the client must have been passed to `recorded` before the request). */
async function finalStatus(c: EngineClient, jobId: string, timeoutMs = 15_000): Promise<StatusEvent> {
  const events = recorded(c);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = events.find((e): e is StatusEvent => isFinal(e, jobId));
    if (found) return found;
    if (Date.now() > deadline)
      throw new Error(`job ${jobId} did not finish; engine output:\n${engine.output().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function expectCode(p: Promise<unknown>, code: string): Promise<void> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, `expected ${code}`).toBeInstanceOf(FloworkError);
  expect((err as FloworkError).code).toBe(code);
}

function http(
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: "127.0.0.1",
        port: engine.port,
        path,
        method: options.method ?? "GET",
        headers: options.headers,
      },
      (res) => {
        let body = "";
        res.on("data", (d) => {
          body += d;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
      },
    );
    req.on("error", reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "flowork-engine-"));
  engine = await startEngine({ dataDir, env: env() });
  client = await connect(engine, owner);
  recorded(client);
});

afterAll(async () => {
  client?.close();
  await engine?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe("engine service over its WebSocket", () => {
  it("answers ping with its id and version", async () => {
    const pong = await client.request("ping");
    expect(pong).toMatchObject({ type: "pong", engine_id: "engine-e2e" });
    expect(typeof pong.version).toBe("string");
  });

  it("runs a workflow and streams its events to the caller; history and execution read it back", async () => {
    const events: EngineEvent[] = [];
    const off = client.onEvent((e) => events.push(e));
    const doc = wf(
      [
        ["s", "manual_trigger"],
        ["set", "set_data", { fields: { greeting: "hi {{payload.name}}" } }],
        ["log", "log_message", { message: "said {{payload.greeting}}" }],
      ],
      [
        ["s", "set"],
        ["set", "log"],
      ],
    );
    const started = await client.request("execute_workflow", {
      workflow_data: doc,
      mode: "EXECUTE",
      initial_payload: { name: "Ada" },
    });
    expect(started).toMatchObject({ type: "execute_workflow_response", status: "QUEUED" });
    const jobId = started.job_id as string;
    const final = await finalStatus(client, jobId);
    off();
    expect(final.status_data.status).toBe("SUCCEEDED");
    expect(final.status_data.result).toEqual({ log: { name: "Ada", greeting: "hi Ada" } });
    expect(
      events.some(
        (e) => e.type === "NODE_EXECUTION_METRIC" && e.node_id === "set" && e.status === "SUCCEEDED",
      ),
    ).toBe(true);
    expect(events.some((e) => e.type === "log" && e.message === "said hi Ada")).toBe(true);

    const history = await client.request("request_execution_history", { limit: 10 });
    const row = (history.executions as { job_id: string; status: string; started_by: string }[]).find(
      (x) => x.job_id === jobId,
    );
    expect(row).toMatchObject({ status: "SUCCEEDED", started_by: owner.address });
    const detail = await client.request("request_execution", { job_id: jobId });
    const execution = detail.execution as {
      nodes: { node_id: string; status: string }[];
      logs: { message: string }[];
    };
    expect(execution.nodes.map((n) => n.node_id).sort()).toEqual(["log", "s", "set"]);
    expect(execution.logs.some((l) => l.message === "said hi Ada")).toBe(true);
  });

  it("replays a finished job's events to a subscriber after the response, earliest first", async () => {
    const started = await client.request("execute_workflow", {
      workflow_data: wf([["a", "log_message", { message: "one" }]]),
      mode: "SIMULATE",
    });
    const jobId = started.job_id as string;
    await finalStatus(client, jobId);
    const other = await connect(engine, reader);
    const seen: EngineEvent[] = [];
    other.onEvent((e) => seen.push(e));
    const response = await other.request("subscribe_job", { job_id: jobId });
    expect(response).toMatchObject({ type: "subscribe_job_response", status: "SUCCEEDED" });
    await new Promise((r) => setTimeout(r, 200));
    const jobEvents = seen.filter((e) => "job_id" in e && e.job_id === jobId);
    expect(jobEvents[0]).toMatchObject({ type: "workflow_status_update", status_data: { status: "QUEUED" } });
    expect(jobEvents.at(-1)).toMatchObject({
      type: "workflow_status_update",
      status_data: { status: "SUCCEEDED" },
    });
    other.close();
  });

  it("runs a standalone node", async () => {
    const started = await client.request("execute_standalone_node", {
      node_data: { module_id: "set_data", config_values: { fields: { x: 1 } } },
      mode: "EXECUTE",
      initial_payload: { y: 2 },
    });
    const final = await finalStatus(client, started.job_id as string);
    expect(final.status_data.result).toEqual({ node: { y: 2, x: 1 } });
  });

  it("stops, pauses and resumes jobs; a runner controls only its own", async () => {
    const runnerClient = await connect(engine, runner);
    recorded(runnerClient);
    const slow = wf([["d", "delay", { milliseconds: 20_000 }]]);
    const mine = await client.request("execute_workflow", { workflow_data: slow, mode: "EXECUTE" });
    await expectCode(runnerClient.request("stop_workflow", { job_id: mine.job_id }), "AUTH_FORBIDDEN_ROLE");
    const paused = await client.request("pause_workflow", { job_id: mine.job_id });
    expect(paused.type).toBe("pause_workflow_response");
    const resumed = await client.request("resume_workflow", { job_id: mine.job_id });
    expect(resumed.type).toBe("resume_workflow_response");
    const final = finalStatus(client, mine.job_id as string);
    const stopped = await client.request("stop_workflow", { job_id: mine.job_id });
    expect(stopped).toMatchObject({ type: "stop_workflow_response", job_id: mine.job_id });
    expect((await final).status_data.status).toBe("STOPPED");
    const own = await runnerClient.request("execute_workflow", { workflow_data: slow, mode: "EXECUTE" });
    const ownFinal = finalStatus(runnerClient, own.job_id as string);
    await runnerClient.request("stop_workflow", { job_id: own.job_id });
    expect((await ownFinal).status_data.status).toBe("STOPPED");
    await expectCode(client.request("stop_workflow", { job_id: "no-such-job" }), "NOT_FOUND");
    runnerClient.close();
  });

  it("keeps every version of a preset, each loadable, with the signature that saved it", async () => {
    const v1 = wf([["a", "set_data", { fields: { v: 1 } }]]);
    const v2 = wf([["a", "set_data", { fields: { v: 2 } }]]);
    expect(await client.request("save_preset", { name: "My Flow", workflow_data: v1 })).toMatchObject({
      name: "My Flow",
      version: 1,
    });
    expect(await client.request("save_preset", { name: "My Flow", workflow_data: v2 })).toMatchObject({
      version: 2,
    });
    const list = await client.request("request_presets_list");
    expect(list.presets).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: "My Flow", version: 2, updated_by: owner.address }),
      ]),
    );
    const latest = await client.request("load_preset", { name: "My Flow" });
    expect((latest.workflow_data as { nodes: { config_values: unknown }[] }).nodes[0]?.config_values).toEqual(
      { fields: { v: 2 } },
    );
    const first = await client.request("load_preset", { name: "My Flow", version: 1 });
    expect((first.workflow_data as { nodes: { config_values: unknown }[] }).nodes[0]?.config_values).toEqual({
      fields: { v: 1 },
    });
    const versions = await client.request("request_preset_versions", { name: "My Flow" });
    const vs = versions.versions as {
      version: number;
      message: string;
      signature: string;
      updated_by: string;
    }[];
    expect(vs.map((v) => v.version)).toEqual([2, 1]);
    expect(vs[0]?.message).toMatch(/^Flowork GUI-to-Engine Authentication: /);
    expect(vs[0]?.signature).toMatch(/^0x[0-9a-f]{130}$/);
    const run = await client.request("execute_workflow", { preset_name: "My Flow", mode: "EXECUTE" });
    expect((await finalStatus(client, run.job_id as string)).status_data.result).toEqual({ a: { v: 2 } });
    await client.request("save_preset", { name: "Temp", workflow_data: v1 });
    expect(await client.request("delete_preset", { name: "Temp" })).toMatchObject({
      type: "delete_preset_response",
    });
    await expectCode(client.request("load_preset", { name: "Temp" }), "NOT_FOUND");
  });

  it("keeps a secret variable's value off the wire and out of the data folder, yet usable in runs", async () => {
    const wire: string[] = [];
    const spy = await connect(engine, owner);
    recorded(spy);
    spy.onEvent((e) => wire.push(JSON.stringify(e)));
    await spy.request("update_variable", {
      name: "API_KEY",
      data: { value: SECRET, mode: "single", is_secret: true, is_enabled: true },
    });
    await spy.request("update_variable", {
      name: "PLAIN",
      data: { value: "plain-value", mode: "single", is_secret: false, is_enabled: true },
    });
    const vars = await spy.request("request_variables");
    wire.push(JSON.stringify(vars));
    const list = vars.variables as { name: string; value: string; is_secret: boolean }[];
    expect(list.find((v) => v.name === "API_KEY")).toMatchObject({ value: "", is_secret: true });
    expect(list.find((v) => v.name === "PLAIN")).toMatchObject({ value: "plain-value" });
    const doc = wf(
      [
        ["s", "manual_trigger"],
        ["log", "log_message", { message: "key={{vars.API_KEY}}" }],
        ["check", "if_condition", { left: "{{vars.API_KEY}}", operator: "contains", right: "s3cret-var" }],
        ["ok", "set_data", { fields: { matched: true, echo: "{{vars.API_KEY}}" } }],
      ],
      [
        ["s", "log"],
        ["log", "check"],
        ["check", "ok", "true"],
      ],
    );
    const started = await spy.request("execute_workflow", { workflow_data: doc, mode: "EXECUTE" });
    const final = await finalStatus(spy, started.job_id as string);
    wire.push(JSON.stringify(final));
    expect(final.status_data.result).toEqual({ ok: { matched: true, echo: "***" } });
    const detail = await spy.request("request_execution", { job_id: started.job_id });
    wire.push(JSON.stringify(detail));
    const audit = await spy.request("request_audit_log", { limit: 50 });
    wire.push(JSON.stringify(audit));
    expect(wire.join("\n")).not.toContain(SECRET);
    expect(wire.join("\n")).toContain("key=***");
    spy.close();
    // every byte of every file under the data folder
    const files: string[] = [];
    const walk = async (d: string): Promise<void> => {
      for (const entry of await readdir(d, { withFileTypes: true })) {
        const p = join(d, entry.name);
        if (entry.isDirectory()) await walk(p);
        else if (entry.isFile()) files.push(p);
      }
    };
    await walk(dataDir);
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      const bytes = await readFile(f);
      expect(bytes.includes(Buffer.from(SECRET)), f).toBe(false);
    }
    const key = files.find((f) => f.endsWith("secret.key"));
    if (key) expect((await stat(key)).mode & 0o777).toBe(0o600);
  });

  it("reads and saves settings, refusing unknown keys", async () => {
    const s = await client.request("request_settings");
    expect(s.settings).toMatchObject({ max_concurrent_executions: 8, resume_interrupted: true });
    const saved = await client.request("save_settings", { settings: { node_timeout_seconds: 120 } });
    expect(saved.settings).toMatchObject({ node_timeout_seconds: 120, max_concurrent_executions: 8 });
    await expectCode(client.request("save_settings", { settings: { nope: 1 } }), "VALIDATION_FAILED");
  });

  it("lists components, optionally by type", async () => {
    const all = await client.request("request_components_list");
    const ids = (all.components as { id: string }[]).map((c) => c.id);
    expect(ids).toEqual(
      expect.arrayContaining(["manual_trigger", "set_data", "http_request", "code_javascript"]),
    );
    const triggers = await client.request("request_components_list", { component_type: "TRIGGER" });
    expect((triggers.components as { type: string }[]).every((c) => c.type === "TRIGGER")).toBe(true);
  });

  it("records every accepted state-changing command in a verifiable audit log", async () => {
    const audit = await client.request("request_audit_log", { limit: 500 });
    const entries = audit.entries as {
      type: string;
      address: string;
      message: string;
      signature: string;
      payload_sha256: string;
    }[];
    expect(entries.some((e) => e.type === "save_preset" && e.address === owner.address)).toBe(true);
    expect(entries.some((e) => e.type === "update_variable")).toBe(true);
    expect(
      entries.every((e) => /^[0-9a-f]{64}$/.test(e.payload_sha256) && e.message.includes(e.payload_sha256)),
    ).toBe(true);
    expect(entries.some((e) => e.type === "ping")).toBe(false);
  });
});

describe("engine authentication (SPEC section 1)", () => {
  it("refuses a replayed envelope", async () => {
    const envelope = await signEnvelope(owner.signer, engine.engineId, {
      type: "ping",
      request_id: "replay-1",
    });
    expect(await client.sendEnvelope(envelope, "replay-1")).toMatchObject({ type: "pong" });
    await expectCode(client.sendEnvelope(envelope, "replay-1"), "AUTH_REPLAY");
  });

  it("refuses an expired envelope", async () => {
    const old = await signEnvelope(
      owner.signer,
      engine.engineId,
      { type: "ping", request_id: "old-1" },
      { now: () => Date.now() - 3_600_000 },
    );
    await expectCode(client.sendEnvelope(old, "old-1"), "AUTH_EXPIRED");
  });

  it("refuses an envelope signed for another engine", async () => {
    const other = await signEnvelope(owner.signer, "another-engine", { type: "ping", request_id: "other-1" });
    await expectCode(client.sendEnvelope(other, "other-1"), "AUTH_SCOPE_MISMATCH");
  });

  it("refuses a swapped payload", async () => {
    const signed = await signEnvelope(owner.signer, engine.engineId, { type: "ping", request_id: "swap-1" });
    const swapped = { ...signed, payload: { type: "request_variables", request_id: "swap-1" } };
    await expectCode(client.sendEnvelope(swapped, "swap-1"), "AUTH_PAYLOAD_MISMATCH");
  });

  it("refuses a forged address", async () => {
    const signed = await signEnvelope(stranger.signer, engine.engineId, {
      type: "ping",
      request_id: "forge-1",
    });
    const forged = { ...signed, auth: { ...signed.auth, address: owner.address } };
    await expectCode(client.sendEnvelope(forged, "forge-1"), "AUTH_MALFORMED").catch(async () => {
      await expectCode(client.sendEnvelope(forged, "forge-1"), "AUTH_INVALID_SIGNATURE");
    });
  });

  it("refuses an unknown address and a role too weak", async () => {
    const s = await connect(engine, stranger);
    await expectCode(s.request("ping"), "AUTH_NOT_AUTHORIZED");
    s.close();
    const r = await connect(engine, reader);
    expect(await r.request("ping")).toMatchObject({ type: "pong" });
    await expectCode(
      r.request("execute_workflow", { workflow_data: wf([["a", "manual_trigger"]]), mode: "EXECUTE" }),
      "AUTH_FORBIDDEN_ROLE",
    );
    await expectCode(
      r.request("save_preset", { name: "x", workflow_data: wf([["a", "manual_trigger"]]) }),
      "AUTH_FORBIDDEN_ROLE",
    );
    r.close();
    const runnerClient = await connect(engine, runner);
    await expectCode(
      runnerClient.request("update_variable", {
        name: "X",
        data: { value: "1", mode: "single", is_secret: false, is_enabled: true },
      }),
      "AUTH_FORBIDDEN_ROLE",
    );
    await expectCode(runnerClient.request("request_audit_log"), "AUTH_FORBIDDEN_ROLE");
    runnerClient.close();
    const adminClient = await connect(engine, admin);
    expect(await adminClient.request("request_audit_log", { limit: 1 })).toMatchObject({
      type: "audit_log_response",
    });
    adminClient.close();
  });

  it("answers a missing or malformed auth with AUTH_MISSING / AUTH_MALFORMED", async () => {
    await expectCode(
      client.sendEnvelope({ payload: { type: "ping", request_id: "na-1" } }, "na-1"),
      "AUTH_MISSING",
    );
    await expectCode(
      client.sendEnvelope(
        {
          auth: { address: "nope", message: "x", signature: "y" },
          payload: { type: "ping", request_id: "mal-1" },
        },
        "mal-1",
      ),
      "AUTH_MALFORMED",
    );
  });

  it("validates payloads after auth: unknown type, bad fields", async () => {
    const unknown = await signEnvelope(owner.signer, engine.engineId, {
      type: "format_disk",
      request_id: "u-1",
    });
    await expectCode(client.sendEnvelope(unknown, "u-1"), "UNKNOWN_MESSAGE_TYPE");
    const bad = await signEnvelope(owner.signer, engine.engineId, {
      type: "execute_workflow",
      request_id: "b-1",
      mode: "LOUD",
    });
    await expectCode(client.sendEnvelope(bad, "b-1"), "VALIDATION_FAILED");
    const invalidWf = await client
      .request("execute_workflow", { workflow_data: wf([["a", "no_such_module"]]), mode: "EXECUTE" })
      .catch((e: unknown) => e);
    expect((invalidWf as FloworkError).code).toBe("WORKFLOW_INVALID");
  });
});

describe("engine robustness", () => {
  it("survives 300 garbage frames and a 2 MiB frame, then still answers", async () => {
    const ws = new WebSocket(engine.url);
    await new Promise((r) => ws.once("open", r));
    const answers: { type: string; code?: string }[] = [];
    ws.on("message", (d) => {
      const frame = JSON.parse(String(d));
      if (frame.type !== "engine_status_update") answers.push(frame);
    });
    const garbage = [
      "",
      "{",
      "null",
      "[]",
      "42",
      '"x"',
      '{"auth":1}',
      '{"payload":{"type":5}}',
      '{"__proto__":{"a":1}}',
      "\u0000\u0001",
      "🙂".repeat(1000),
    ];
    for (let i = 0; i < 300; i++) ws.send(garbage[i % garbage.length] as string);
    ws.send("x".repeat(2 * 1024 * 1024));
    await new Promise((r) => setTimeout(r, 1500));
    expect(ws.readyState, JSON.stringify(answers.slice(0, 5))).toBe(WebSocket.OPEN);
    expect(
      answers.filter((a) => a.type !== "error"),
      "non-error answers",
    ).toEqual([]);
    expect(answers.length).toBeGreaterThanOrEqual(290);
    expect(answers.some((a) => a.code === "PAYLOAD_TOO_LARGE")).toBe(true);
    expect(new Set(answers.map((a) => a.code))).toEqual(
      new Set(
        ["BAD_REQUEST", "AUTH_MISSING", "AUTH_MALFORMED", "PAYLOAD_TOO_LARGE", "RATE_LIMITED"].filter((c) =>
          answers.some((a) => a.code === c),
        ),
      ),
    );
    ws.close();
    expect(await client.request("ping")).toMatchObject({ type: "pong" });
  });

  it("pushes engine_status_update to connected clients", async () => {
    const seen = await new Promise<EngineEvent>((resolve) => {
      const off = client.onEvent((e) => {
        if (e.type === "engine_status_update") {
          off();
          resolve(e);
        }
      });
    });
    expect(seen).toMatchObject({ engine_id: "engine-e2e", is_busy: expect.any(Boolean) });
  });
});

describe("engine internal HTTP", () => {
  it("serves /health and /metrics behind X-API-Key", async () => {
    expect((await http("/health")).status).toBe(401);
    expect(JSON.parse((await http("/health", { headers: { "X-API-Key": "wrong" } })).body).error.code).toBe(
      "AUTH_INVALID_API_KEY",
    );
    const health = await http("/health", { headers: { "X-API-Key": API_KEY } });
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toMatchObject({
      status: "ready",
      engine_id: "engine-e2e",
      active_jobs: expect.any(Number),
    });
    const metrics = await http("/metrics", { headers: { "X-API-Key": API_KEY } });
    expect(metrics.status).toBe(200);
    expect(metrics.body).toContain("flowork_runs_total");
    expect(metrics.body).toContain("flowork_auth_failures_total");
    expect((await http("/nowhere")).status).toBe(404);
  });

  it("runs a webhook preset and answers with its result; immediately mode answers 202; secrets are checked", async () => {
    const hook = wf(
      [
        [
          "in",
          "webhook_trigger",
          { path: "orders/new", method: "POST", response_mode: "last_node", secret: "hook-secret-1" },
        ],
        ["set", "set_data", { fields: { total: "{{payload.body.qty}}", ok: true } }],
      ],
      [["in", "set"]],
    );
    await client.request("save_preset", { name: "Orders", workflow_data: hook });
    const body = JSON.stringify({ qty: 3 });
    const denied = await http("/webhook/orders/new", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });
    expect(denied.status).toBe(401);
    const ok = await http("/webhook/orders/new", {
      method: "POST",
      headers: { "content-type": "application/json", "X-Flowork-Webhook-Secret": "hook-secret-1" },
      body,
    });
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body)).toMatchObject({ total: 3, ok: true, body: { qty: 3 } });
    expect(ok.body).not.toContain("hook-secret-1");
    const fast = wf(
      [
        ["in", "webhook_trigger", { path: "fast", response_mode: "immediately" }],
        ["d", "delay", { milliseconds: 10 }],
      ],
      [["in", "d"]],
    );
    await client.request("save_preset", { name: "Fast", workflow_data: fast });
    const accepted = await http("/webhook/fast", { method: "POST", body: "plain text" });
    expect(accepted.status).toBe(202);
    expect(JSON.parse(accepted.body).job_id).toEqual(expect.any(String));
    expect((await http("/webhook/unknown", { method: "POST", body: "{}" })).status).toBe(404);
    expect((await http("/webhook/fast", { method: "GET" })).status).toBe(405);
  });

  it("webhook answers: the query and a percent-encoded path reach the run; concurrent callers each get their own", async () => {
    const echo = wf(
      [
        ["in", "webhook_trigger", { path: "echo-me", method: "POST", response_mode: "last_node" }],
        ["set", "set_data", { fields: { n: "{{payload.body.n}}", q: "{{payload.query.q}}" } }],
      ],
      [["in", "set"]],
    );
    await client.request("save_preset", { name: "Echo", workflow_data: echo });
    const one = await http("/webhook/echo%2Dme?q=a%26b&x=1", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ n: 0 }),
    });
    expect(one.status, one.body).toBe(200);
    expect(JSON.parse(one.body)).toMatchObject({ n: 0, q: "a&b", query: { q: "a&b", x: "1" } });
    const bad = await http("/webhook/echo%E0%A4%A", { method: "POST", body: "{}" });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body).error.code).toBe("BAD_REQUEST");
    // Answers of runs finishing together are written together (ReplyBatch): none may go to the wrong caller.
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, n) =>
        http(`/webhook/echo%2Dme?q=${n}`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ n }),
        }),
      ),
    );
    answers.forEach((a, n) => {
      expect(a.status).toBe(200);
      expect(JSON.parse(a.body)).toMatchObject({ n, q: String(n) });
      expect(a.headers["x-flowork-job-id"]).toEqual(expect.any(String));
    });
    expect(new Set(answers.map((a) => a.headers["x-flowork-job-id"])).size).toBe(40);
  });

  it("fires cron and interval presets on schedule, and stops when the preset is deleted", async () => {
    const ticking = wf(
      [
        ["t", "interval_trigger", { seconds: 1 }],
        ["l", "log_message", { message: "tick" }],
      ],
      [["t", "l"]],
    );
    const cron = wf(
      [
        ["c", "cron_trigger", { cron: "* * * * * *" }],
        ["l", "log_message", { message: "cron" }],
      ],
      [["c", "l"]],
    );
    await client.request("save_preset", { name: "Ticker", workflow_data: ticking });
    await client.request("save_preset", { name: "Cronned", workflow_data: cron });
    await new Promise((r) => setTimeout(r, 2600));
    await client.request("delete_preset", { name: "Ticker" });
    await client.request("delete_preset", { name: "Cronned" });
    const history = await client.request("request_execution_history", { limit: 100 });
    const rows = history.executions as { preset_name: string | null; started_by: string | null }[];
    for (const name of ["Ticker", "Cronned"]) {
      const runs = rows.filter((e) => e.preset_name === name);
      expect(runs.length, name).toBeGreaterThanOrEqual(1);
      expect(runs.every((r) => r.started_by === null)).toBe(true);
    }
    const count = rows.length;
    await new Promise((r) => setTimeout(r, 1500));
    const after = await client.request("request_execution_history", { limit: 100 });
    expect(
      (after.executions as unknown[]).filter((e) =>
        ["Ticker", "Cronned"].includes((e as { preset_name: string }).preset_name),
      ).length,
    ).toBe(rows.filter((e) => ["Ticker", "Cronned"].includes(e.preset_name ?? "")).length);
    expect(count).toBeGreaterThan(0);
  });
});
