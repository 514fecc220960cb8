import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { signApiRequest, signEnvelope } from "@flowork/protocol";
import { GatewayClient, GuiSocketClient } from "@flowork/sdk";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type EngineProcess, identity, startEngine } from "./engine-process.js";
import { type Proc, startGatewayProcess } from "./gateway-process.js";
import { type PrivatePostgres, startPrivatePostgres } from "./private-postgres.js";
import { type PrivateRedis, startPrivateRedis } from "./private-redis.js";
import { startTcpBalancer, type TcpBalancer } from "./tcp-balancer.js";
import { wf } from "./workflows.js";

/*
 * Failure drills of issue 6 item 4, with real processes on loopback and bounded loops. Redis is a private
 * redis-server of this file (restarting the shared one would break tests running at the same time).
 */
const API_KEY = "gw-internal-key-drills-0123456789";
const owner = identity();
let dir: string;
const cleanups: (() => Promise<void> | void)[] = [];

type Status = { engine_id: string; status: string };
type Ack = { ok: boolean; response?: Record<string, unknown>; error?: { code: string } };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowork-drills-"));
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function status(gui: GuiSocketClient, engineId: string, want: string, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${want}`)), timeoutMs);
    const on = (u: Status) => {
      if (u.engine_id !== engineId || u.status !== want) return;
      clearTimeout(timer);
      gui.socket.off("engine_status_update", on);
      resolve(Date.now());
    };
    gui.socket.on("engine_status_update", on);
  });
}

/** Retries `attempt` every 200 ms until it returns a value, for at most `timeoutMs`. */
async function eventually<T>(attempt: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await attempt().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function setup(
  name: string,
  gatewayEnv: NodeJS.ProcessEnv,
  viaBalancer: boolean,
  engineEnv: NodeJS.ProcessEnv = {},
) {
  const gateway: Proc & { url: string } = await startGatewayProcess(join(dir, name), {
    GATEWAY_SECRET_TOKEN: API_KEY,
    ...gatewayEnv,
  });
  cleanups.push(async () => void (await gateway.stop("SIGKILL")));
  let balancer: TcpBalancer | undefined;
  if (viaBalancer) {
    const b = await startTcpBalancer([Number(new URL(gateway.url).port)]);
    balancer = b;
    cleanups.push(() => b.close());
  }
  const rest = new GatewayClient({ baseUrl: gateway.url, signer: owner.signer });
  await rest.post("/auth/login");
  const created = await rest.post<{ id: string; raw_token: string }>("/user/engines", { name });
  const gui = new GuiSocketClient({ url: gateway.url, signer: owner.signer, timeoutMs: 15_000 });
  cleanups.push(() => gui.close());
  await gui.connect();
  const online = status(gui, created.id, "online", 20_000);
  const engine: EngineProcess = await startEngine({
    dataDir: join(dir, `${name}-engine`),
    env: {
      GATEWAY_API_URL: balancer?.url ?? gateway.url,
      FLOWORK_ENGINE_TOKEN: created.raw_token,
      GATEWAY_SECRET_TOKEN: API_KEY,
      ...engineEnv,
    },
  });
  cleanups.push(async () => void (await engine.stop("SIGKILL")));
  await online;
  const rpc = async (body: Record<string, unknown>): Promise<Ack> =>
    gui.rpc(created.id, await signEnvelope(owner.signer, created.id, body as never));
  return { gateway, balancer, gui, engineId: created.id, rpc };
}

describe("failure drills", () => {
  let redis: PrivateRedis;
  beforeAll(async () => {
    redis = await startPrivateRedis();
  });
  afterAll(async () => {
    await redis?.dispose();
  });

  it("Redis restarted under a gateway with REDIS_URL: REST (with the shared replay cache) and sockets work again by themselves", async () => {
    const { gateway, rpc } = await setup("redis-drill", { REDIS_URL: redis.url }, false);
    expect(await rpc({ type: "ping", request_id: "before" })).toMatchObject({ ok: true });

    await redis.shutdown();
    await new Promise((r) => setTimeout(r, 1_000));
    await redis.start();

    const restoredAt = Date.now();
    const headers = await eventually(async () => {
      const h = await signApiRequest(owner.signer, "GET", "/api/v1/user/profile");
      const res = await fetch(`${gateway.url}/api/v1/user/profile`, { headers: { ...h } });
      return res.status === 200 ? h : undefined;
    }, 15_000);
    const replay = await fetch(`${gateway.url}/api/v1/user/profile`, { headers: { ...headers } });
    expect(((await replay.json()) as { error: { code: string } }).error.code).toBe("AUTH_REPLAY");
    let n = 0;
    await eventually(async () => {
      const ack = await rpc({ type: "ping", request_id: `after-${n++}` });
      return ack.ok ? ack : undefined;
    }, 15_000);
    // A new GUI handshake (signed, replay-checked in Redis) is accepted too.
    const late = new GuiSocketClient({ url: gateway.url, signer: owner.signer, timeoutMs: 15_000 });
    cleanups.push(() => late.close());
    await late.connect();
    console.log(
      `redis drill: REST and sockets back ${Date.now() - restoredAt} ms after Redis answered again`,
    );
  }, 90_000);

  it("an engine cut off for 30 s reconnects by itself and loses no run", async () => {
    const { balancer, gui, engineId, rpc } = await setup("cut-drill", {}, true);
    const started = await rpc({
      type: "execute_workflow",
      request_id: "cut-1",
      mode: "EXECUTE",
      workflow_data: wf(
        [
          ["s", "manual_trigger"],
          ["wait", "delay", { milliseconds: 3_000 }],
          ["log", "log_message", { message: "finished while cut off" }],
        ],
        [
          ["s", "wait"],
          ["wait", "log"],
        ],
      ),
    });
    expect(started.ok).toBe(true);
    const jobId = String(started.response?.["job_id"]);

    const offline = status(gui, engineId, "offline", 10_000);
    balancer?.setEnabled(0, false);
    await offline;
    await new Promise((r) => setTimeout(r, 30_000));
    const online = status(gui, engineId, "online", 60_000);
    const restoredAt = Date.now();
    balancer?.setEnabled(0, true);
    const onlineAt = await online;
    console.log(`cut drill: engine online again ${onlineAt - restoredAt} ms after the link came back`);

    const detail = await rpc({ type: "request_execution", request_id: "cut-2", job_id: jobId });
    expect(detail.ok).toBe(true);
    const execution = detail.response?.["execution"] as { status: string; logs: { message: string }[] };
    expect(execution.status).toBe("SUCCEEDED");
    expect(execution.logs.some((l) => l.message === "finished while cut off")).toBe(true);
  }, 150_000);

  describe("PostgreSQL restart", () => {
    let pgServer: PrivatePostgres;
    beforeAll(async () => {
      pgServer = await startPrivatePostgres();
      const setupClient = new pg.Client({ connectionString: pgServer.url });
      await setupClient.connect();
      await setupClient.query("CREATE SCHEMA engine");
      await setupClient.end();
    }, 60_000);
    afterAll(async () => {
      await pgServer?.dispose();
    });

    it("PostgreSQL restarted (private cluster) under a gateway and an engine on it: both live on, REST and health recover, a run spanning the restart finishes with each event stored once", async () => {
      const engineUrl = new URL(pgServer.url);
      engineUrl.searchParams.set("options", "-c search_path=engine");
      const { gateway, rpc } = await setup("pg-drill", { DATABASE_URL: pgServer.url }, false, {
        FLOWORK_ENGINE_DATABASE_URL: engineUrl.toString(),
      });
      const started = await rpc({
        type: "execute_workflow",
        request_id: "pg-1",
        mode: "EXECUTE",
        workflow_data: wf(
          [
            ["s", "manual_trigger"],
            ["wait", "delay", { milliseconds: 4_000 }],
            ["log", "log_message", { message: "after the restart" }],
          ],
          [
            ["s", "wait"],
            ["wait", "log"],
          ],
        ),
      });
      expect(started.ok).toBe(true);
      const jobId = String(started.response?.["job_id"]);
      await new Promise((r) => setTimeout(r, 500));
      await pgServer.restart();
      const restartedAt = Date.now();

      await eventually(async () => {
        const res = await fetch(`${gateway.url}/api/v1/system/health`);
        return res.status === 200 ? res : undefined;
      }, 15_000);
      await eventually(async () => {
        const h = await signApiRequest(owner.signer, "GET", "/api/v1/user/engines");
        const res = await fetch(`${gateway.url}/api/v1/user/engines`, { headers: { ...h } });
        return res.status === 200 ? res : undefined;
      }, 15_000);
      console.log(`pg drill: gateway REST back ${Date.now() - restartedAt} ms after the restart`);

      const execution = await eventually(async () => {
        const detail = await rpc({
          type: "request_execution",
          request_id: `pg-${Date.now()}`,
          job_id: jobId,
        });
        const e = detail.response?.["execution"] as
          | { status: string; logs: { message: string; ts: string }[] }
          | undefined;
        return e?.status === "SUCCEEDED" ? e : undefined;
      }, 20_000);
      const lines = execution.logs.filter((l) => l.message === "after the restart");
      expect(lines).toHaveLength(1);
      const check = new pg.Client({ connectionString: pgServer.url });
      await check.connect();
      try {
        const dup = await check.query(
          "SELECT count(*)::int AS n FROM (SELECT data FROM engine.execution_events WHERE job_id = $1 GROUP BY data HAVING count(*) > 1) d",
          [jobId],
        );
        expect(dup.rows[0]).toEqual({ n: 0 });
      } finally {
        await check.end();
      }
    }, 120_000);

    it("PostgreSQL down for 4 s while a run writes: the engine keeps the run's writes and stores them, once, when it is back", async () => {
      const engineUrl = new URL(pgServer.url);
      engineUrl.searchParams.set("options", "-c search_path=engine");
      const { rpc } = await setup("pg-outage", { DATABASE_URL: pgServer.url }, false, {
        FLOWORK_ENGINE_DATABASE_URL: engineUrl.toString(),
      });
      const started = await rpc({
        type: "execute_workflow",
        request_id: "outage-1",
        mode: "EXECUTE",
        workflow_data: wf(
          [
            ["s", "manual_trigger"],
            ["w1", "delay", { milliseconds: 1_500 }],
            ["during", "log_message", { message: "written while the database was down" }],
            ["w2", "delay", { milliseconds: 1_000 }],
            ["after", "log_message", { message: "last line" }],
          ],
          [
            ["s", "w1"],
            ["w1", "during"],
            ["during", "w2"],
            ["w2", "after"],
          ],
        ),
      });
      expect(started.ok).toBe(true);
      const jobId = String(started.response?.["job_id"]);
      await new Promise((r) => setTimeout(r, 500));
      await pgServer.stop();
      // The run goes on and ends (its live events still reach clients) while nothing can be stored.
      await new Promise((r) => setTimeout(r, 4_000));
      await pgServer.start();
      const execution = await eventually(async () => {
        const detail = await rpc({
          type: "request_execution",
          request_id: `outage-${Date.now()}`,
          job_id: jobId,
        });
        const e = detail.response?.["execution"] as
          | { status: string; logs: { message: string }[]; nodes: { node_id: string; status: string }[] }
          | undefined;
        return e?.status === "SUCCEEDED" ? e : undefined;
      }, 30_000);
      expect(execution.logs.filter((l) => l.message === "written while the database was down")).toHaveLength(
        1,
      );
      expect(execution.logs.filter((l) => l.message === "last line")).toHaveLength(1);
      expect(execution.nodes.map((n) => n.status)).toEqual(Array(5).fill("SUCCEEDED"));
      const check = new pg.Client({ connectionString: pgServer.url });
      await check.connect();
      try {
        const seqs = await check.query(
          "SELECT seq, data FROM engine.execution_events WHERE job_id = $1 ORDER BY seq",
          [jobId],
        );
        expect(seqs.rows.map((r: { seq: number }) => r.seq)).toEqual(
          seqs.rows.map((_: unknown, i: number) => i + 1),
        );
        expect(new Set(seqs.rows.map((r: { data: string }) => r.data)).size).toBe(seqs.rows.length);
      } finally {
        await check.end();
      }
    }, 120_000);
  });
});
