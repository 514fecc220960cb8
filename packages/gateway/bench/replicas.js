// Issue #6 acceptance figure: the GUI -> gateway replica A -> Redis streams adapter -> replica B -> engine -> back
// round trip, side by side with the same-replica round trip (GUI and engine both on B).
//
// Two gateway children (bench/gateway-child.js) share a private PostgreSQL database, created here and dropped at
// the end (`flowork_bench_<pid>_<random>`), and the local Redis under a stream/channel name of their own
// (`flowork-bench:<pid>:<random>`, deleted at the end), so nothing collides with tests or another bench. A real
// engine (bench/engine-child.js) links to replica B. Two GuiSocketClients sign in as the owner, one on each replica,
// and send pre-signed `ping` envelopes through `rpc_forward_to_engine`, alternately (cross, same, cross, ...), so
// both paths are measured under the same machine load.
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { signEnvelope } from "@flowork/protocol";
import { GatewayClient, GuiSocketClient } from "@flowork/sdk";
import { Redis } from "ioredis";
import pg from "pg";
import { fastSigner, pacedLoop, procCpuSeconds, rttStats, sleep } from "./lib.js";

/** Resolves when `engineId` shows online on `gui` (initial statuses or an update), or rejects after `ms`. */
function onlineOn(gui, engineId, ms) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`engine not online on a replica in ${ms} ms`)), ms);
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    gui.socket.on("initial_engine_statuses", (rows) => {
      if (rows.some((r) => r.engine_id === engineId && r.status === "online")) done();
    });
    gui.socket.on("engine_status_update", (u) => {
      if (u.engine_id === engineId && u.status === "online") done();
    });
  });
}

/**
 * Measures both round trips. `spawnChild` / `stopChild` come from bench/run.js. Resolves with
 * `{cross, same, failures, cpuA, cpuB, n}`; every resource it made is removed, also on failure.
 */
export async function replicaRoundTrips({ spawnChild, stopChild, tmp, pgUrl, redisUrl, n, warm, paceMs }) {
  const id = `${process.pid}_${randomBytes(3).toString("hex")}`;
  const dbName = `flowork_bench_${id}`;
  const stream = `flowork-bench:${id}`;
  const admin = new pg.Pool({ connectionString: pgUrl, max: 1 });
  admin.on("error", () => {}); // the dropped database must not surface as an uncaught error
  await admin.query(`CREATE DATABASE ${dbName}`);
  const dbUrl = new URL(pgUrl);
  dbUrl.pathname = `/${dbName}`;
  const children = [];
  const guis = [];
  try {
    // One data folder: the replicas share the license key file the first one creates.
    const env = {
      BENCH_GW_DATA: join(tmp, "replicas"),
      BENCH_GW_DATABASE_URL: dbUrl.toString(),
      BENCH_GW_REDIS_URL: redisUrl,
      BENCH_GW_REDIS_STREAM: stream,
    };
    const a = await spawnChild("gateway-child.js", { label: "replica-a", env });
    children.push(a);
    const b = await spawnChild("gateway-child.js", { label: "replica-b", env });
    children.push(b);
    await sleep(500); // the adapters see each other

    const owner = fastSigner();
    const rest = new GatewayClient({ baseUrl: a.info.url, signer: owner });
    await rest.post("/auth/login");
    const created = await rest.post("/user/engines", { name: "bench-replicas" });
    const engine = await spawnChild("engine-child.js", {
      label: "engine",
      env: {
        BENCH_ENGINE_DATA: join(tmp, "replicas-engine"),
        GATEWAY_API_URL: b.info.url,
        FLOWORK_ENGINE_TOKEN: created.raw_token,
      },
    });
    children.push(engine);
    const onA = new GuiSocketClient({
      url: a.info.url,
      signer: owner,
      reconnection: false,
      timeoutMs: 10_000,
    });
    const onB = new GuiSocketClient({
      url: b.info.url,
      signer: owner,
      reconnection: false,
      timeoutMs: 10_000,
    });
    guis.push(onA, onB);
    const online = [onlineOn(onA, created.id, 20_000), onlineOn(onB, created.id, 20_000)];
    await Promise.all([onA.connect(), onB.connect()]);
    await Promise.all(online);

    const total = warm + n;
    const envelopes = [];
    for (let i = 0; i < 2 * total + 2; i++) {
      envelopes.push(await signEnvelope(owner, created.id, { type: "ping", request_id: `r-${i}` }));
    }
    for (const [gui, env, where] of [
      [onA, envelopes[0], "replica A (cross)"],
      [onB, envelopes[1], "replica B (same)"],
    ]) {
      const first = await gui.rpc(created.id, env);
      if (!first.ok) throw new Error(`ping through ${where} failed: ${JSON.stringify(first.error)}`);
    }
    const cross = [];
    const same = [];
    let failures = 0;
    const cpuA0 = procCpuSeconds(a.pid);
    const cpuB0 = procCpuSeconds(b.pid);
    // Alternate the two paths, one start every paceMs: the engine allows an address 100 commands/s.
    await pacedLoop(2 * total, paceMs, async (i) => {
      const gui = i % 2 === 0 ? onA : onB;
      const s = performance.now();
      const answer = await gui.rpc(created.id, envelopes[i + 2]);
      const ms = performance.now() - s;
      if (!answer.ok || answer.response.type !== "pong") failures++;
      (i % 2 === 0 ? cross : same).push(ms);
    });
    return {
      n,
      cross: rttStats(cross.slice(warm)),
      same: rttStats(same.slice(warm)),
      failures,
      cpuAUs: ((procCpuSeconds(a.pid) - cpuA0) * 1e6) / total,
      cpuBUs: ((procCpuSeconds(b.pid) - cpuB0) * 1e6) / (2 * total),
    };
  } finally {
    for (const g of guis) g.close();
    for (const c of children.reverse()) await stopChild(c);
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => {});
    await admin.end();
    const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis
      .connect()
      .then(() => redis.del(stream))
      .catch(() => {});
    redis.disconnect();
  }
}
