import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { signApiRequest, signEnvelope } from "@flowork/protocol";
import { GatewayClient, GuiSocketClient } from "@flowork/sdk";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type EngineProcess, identity, startEngine } from "./engine-process.js";
import { type Proc, startGatewayProcess } from "./gateway-process.js";
import { startTcpBalancer, type TcpBalancer } from "./tcp-balancer.js";
import { wf } from "./workflows.js";

/*
 * SPEC section 8 / issue 6 acceptance: two `flowork gateway` processes on ONE PostgreSQL database and Redis, an
 * engine reaching them through a round-robin TCP balancer, a GUI connected directly to the other replica.
 * Never skipped: a missing PostgreSQL or Redis fails the run.
 */
const PG_URL = process.env["FLOWORK_TEST_PG_URL"] ?? "postgres://postgres@127.0.0.1:5432/test";
const REDIS_URL = process.env["FLOWORK_TEST_REDIS_URL"] ?? "redis://127.0.0.1:6379";
const API_KEY = "gw-internal-key-replicas-0123456789";
const DB_NAME = `flowork_rep_${randomBytes(6).toString("hex")}`;
const owner = identity();
const admin = new pg.Pool({ connectionString: PG_URL, max: 1 });
admin.on("error", () => {}); // a dropped test database must not surface as an uncaught error
admin.on("connect", (c) => c.on("error", () => {}));
let dir: string;
let databaseUrl: string;
let engineDatabaseUrl: string;
const replicas: (Proc & { url: string })[] = [];
let balancer: TcpBalancer;
let engine: EngineProcess | undefined;
const guis: GuiSocketClient[] = [];

type Status = { engine_id: string; status: string };
type Forwarded = { event_name: string; event_data: Record<string, unknown> };

function waitFor<T>(
  register: (resolve: (v: T) => void) => void,
  timeoutMs: number,
  what: string,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), timeoutMs);
    register((v) => {
      clearTimeout(timer);
      resolve(v);
    });
  });
}

/** Resolves with the time `engineId` was reported online on `gui` (listening from now on). */
function onlineOn(gui: GuiSocketClient, engineId: string, timeoutMs: number): Promise<number> {
  return waitFor<number>(
    (resolve) =>
      gui.socket.on("engine_status_update", (u: Status) => {
        if (u.engine_id === engineId && u.status === "online") resolve(Date.now());
      }),
    timeoutMs,
    `${engineId} online`,
  );
}

async function gui(url: string): Promise<GuiSocketClient> {
  const g = new GuiSocketClient({ url, signer: owner.signer, timeoutMs: 15_000 });
  guis.push(g);
  await g.connect();
  return g;
}

async function errorCode(res: Response): Promise<string> {
  return ((await res.json()) as { error: { code: string } }).error.code;
}

/** Runs a one-log workflow on `engineId` through `g` and resolves with the log line seen on `g`. */
async function runThrough(g: GuiSocketClient, engineId: string, requestId: string): Promise<string> {
  const events: Forwarded[] = [];
  g.socket.on("engine_event", (e) => events.push(e as Forwarded));
  const message = `across replicas ${requestId}`;
  const envelope = await signEnvelope(owner.signer, engineId, {
    type: "execute_workflow",
    request_id: requestId,
    workflow_data: wf(
      [
        ["s", "manual_trigger"],
        ["log", "log_message", { message }],
      ],
      [["s", "log"]],
    ),
    mode: "EXECUTE",
  });
  const ack = await g.rpc(engineId, envelope);
  expect(ack.ok).toBe(true);
  const jobId = ack.ok ? String(ack.response.job_id) : "";
  const done = (e: Forwarded) =>
    e.event_name === "workflow_status_update" &&
    e.event_data["job_id"] === jobId &&
    (e.event_data["status_data"] as { status: string }).status === "SUCCEEDED";
  // The log goes to the signer's GUIs and the status to everyone allowed: two paths, either may arrive first.
  const logged = (e: Forwarded) => e.event_name === "log" && e.event_data["job_id"] === jobId;
  for (let i = 0; i < 300 && !(events.some(done) && events.some(logged)); i++) {
    await new Promise((r) => setTimeout(r, 50));
  }
  expect(events.some(done)).toBe(true);
  return String(events.find(logged)?.event_data["message"]);
}

beforeAll(async () => {
  await admin.query(`CREATE DATABASE ${DB_NAME}`);
  const url = new URL(PG_URL);
  url.pathname = `/${DB_NAME}`;
  databaseUrl = url.toString();
  // The engine keeps its own tables in schema `engine` of the same database (FLOWORK_ENGINE_DATABASE_URL).
  const setup = new pg.Client({ connectionString: databaseUrl });
  await setup.connect();
  await setup.query("CREATE SCHEMA engine");
  await setup.end();
  url.searchParams.set("options", "-c search_path=engine");
  engineDatabaseUrl = url.toString();
  dir = await mkdtemp(join(tmpdir(), "flowork-replicas-"));
  // One data folder for both replicas: they share the license key file (created by the first).
  const env = { DATABASE_URL: databaseUrl, REDIS_URL, GATEWAY_SECRET_TOKEN: API_KEY };
  replicas.push(await startGatewayProcess(join(dir, "gw"), env));
  replicas.push(await startGatewayProcess(join(dir, "gw"), env));
  balancer = await startTcpBalancer(replicas.map((r) => Number(new URL(r.url).port)));
}, 60_000);

afterAll(async () => {
  for (const g of guis) g.close();
  await engine?.stop("SIGKILL");
  for (const r of replicas) await r.stop("SIGKILL");
  await balancer?.close();
  await admin.query(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`);
  await admin.end();
  await rm(dir, { recursive: true, force: true });
}, 30_000);

describe("gateway replicas on one PostgreSQL database and Redis", () => {
  it("share the database and the license key: a user created on one replica is known to the other", async () => {
    const [a, b] = replicas;
    if (a === undefined || b === undefined) throw new Error("replicas did not start");
    const info = await Promise.all(
      [a, b].map(async (r) => (await (await fetch(`${r.url}/api/v1/system/info`)).json()) as object),
    );
    expect(info[0]).toHaveProperty("license_public_key");
    expect(info[1]).toEqual(info[0]);
    await new GatewayClient({ baseUrl: a.url, signer: owner.signer }).post("/auth/login");
    const profile = await new GatewayClient({ baseUrl: b.url, signer: owner.signer }).get<{
      public_address: string;
    }>("/user/profile");
    expect(profile.public_address).toBe(owner.address);
  });

  it("a signed REST request accepted by one replica is AUTH_REPLAY on the other (shared replay cache)", async () => {
    const [a, b] = replicas;
    if (a === undefined || b === undefined) throw new Error("replicas did not start");
    const headers = await signApiRequest(owner.signer, "GET", "/api/v1/user/profile");
    const first = await fetch(`${a.url}/api/v1/user/profile`, { headers: { ...headers } });
    expect(first.status).toBe(200);
    const replayed = await fetch(`${b.url}/api/v1/user/profile`, { headers: { ...headers } });
    expect(replayed.status).toBe(401);
    expect(await errorCode(replayed)).toBe("AUTH_REPLAY");
  });

  it("a GUI on one replica sees the engine connected to the other online, runs a job on it and gets its events; SIGKILL of the engine's replica: the engine reconnects through the balancer to the survivor and shows online again", async () => {
    const [a, b] = replicas;
    if (a === undefined || b === undefined) throw new Error("replicas did not start");
    const created = await new GatewayClient({ baseUrl: a.url, signer: owner.signer }).post<{
      id: string;
      raw_token: string;
    }>("/user/engines", { name: "behind-balancer" });
    // A GUI on each replica before the engine connects: whichever replica it lands on, the other one's GUI
    // must hear it come online.
    const guiA = await gui(a.url);
    const guiB = await gui(b.url);
    const online = [onlineOn(guiA, created.id, 20_000), onlineOn(guiB, created.id, 20_000)];
    engine = await startEngine({
      dataDir: join(dir, "engine"),
      env: {
        GATEWAY_API_URL: balancer.url,
        FLOWORK_ENGINE_TOKEN: created.raw_token,
        GATEWAY_SECRET_TOKEN: API_KEY,
        FLOWORK_VITALS_INTERVAL_MS: "500",
        FLOWORK_ENGINE_DATABASE_URL: engineDatabaseUrl,
      },
    });
    await Promise.all(online);
    const [engineSide] = balancer.socketIoBackends();
    expect(balancer.socketIoBackends()).toHaveLength(1);
    const survivor = engineSide === 0 ? 1 : 0;
    const otherGui = survivor === 0 ? guiA : guiB;

    expect(await runThrough(otherGui, created.id, "rep-1")).toBe("across replicas rep-1");

    const back = onlineOn(otherGui, created.id, 20_000);
    const killedAt = Date.now();
    await replicas[engineSide ?? 0]?.stop("SIGKILL");
    const onlineAt = await back;
    const failoverMs = onlineAt - killedAt;
    console.log(`replica failover: engine online again on the survivor after ${failoverMs} ms`);
    expect(failoverMs).toBeLessThan(15_000);
    expect(balancer.socketIoBackends()).toEqual([survivor]);
    expect(await runThrough(otherGui, created.id, "rep-2")).toBe("across replicas rep-2");

    // The engine stored both runs in PostgreSQL (schema `engine`), next to the gateway's tables.
    const check = new pg.Client({ connectionString: databaseUrl });
    await check.connect();
    try {
      const runs = await check.query("SELECT status FROM engine.executions");
      expect(runs.rows.map((r: { status: string }) => r.status)).toEqual(["SUCCEEDED", "SUCCEEDED"]);
    } finally {
      await check.end();
    }
  }, 90_000);
});
