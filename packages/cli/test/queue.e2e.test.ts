import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { EngineEvent } from "@flowork/protocol";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { BIN, connect, type EngineProcess, identity, startEngine } from "./engine-process.js";

const REDIS_URL = "redis://127.0.0.1:6379";
const owner = identity();
const engineId = `queue-e2e-${randomBytes(4).toString("hex")}`;
const queueName = `flowork-engine-${engineId}`;
const secret = randomBytes(32).toString("hex");
let dataDir: string;
let engine: EngineProcess | undefined;
const workers: ChildProcess[] = [];

const env = () => ({
  FLOWORK_ENGINE_ID: engineId,
  FLOWORK_AUTHORIZED_ADDRESSES: `${owner.address}:owner`,
  FLOWORK_QUEUE_URL: REDIS_URL,
  FLOWORK_QUEUE_SECRET: secret,
  FLOWORK_WORKER_LOCK_MS: "2000",
});

/** Starts `flowork worker` and waits for its ready line. */
function startWorker(): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [BIN, "worker", "--data", dataDir, "--engine-id", engineId, "--concurrency", "4"],
      {
        env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env() },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    workers.push(child);
    let out = "";
    const timer = setTimeout(() => reject(new Error(`worker did not start:\n${out}`)), 20_000);
    child.stderr?.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.includes("flowork worker ready")) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      if (!out.includes("flowork worker ready")) reject(new Error(`worker exited with ${code}:\n${out}`));
    });
  });
}

async function deleteQueueKeys(): Promise<void> {
  const redis = new Redis(REDIS_URL);
  for (const pattern of [`bull:${queueName}:*`, `flowork:${queueName}:*`]) {
    const keys = await redis.keys(pattern);
    if (keys.length > 0) await redis.del(...keys);
  }
  redis.disconnect();
}

afterAll(async () => {
  for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill("SIGKILL");
  await engine?.stop("SIGKILL");
  await deleteQueueKeys();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const delayWorkflow = (ms: number) => ({
  nodes: [
    { id: "s", module_id: "manual_trigger", x: 0, y: 0 },
    { id: "wait", module_id: "delay", x: 0, y: 0, config_values: { milliseconds: ms } },
    { id: "after", module_id: "log_message", x: 0, y: 0, config_values: { message: "after the delay" } },
  ],
  connections: [
    { id: "c1", source: "s", target: "wait" },
    { id: "c2", source: "wait", target: "after" },
  ],
});

const statusOf = (e: EngineEvent) => (e.type === "workflow_status_update" ? e.status_data.status : undefined);

describe("queue mode: engine + BullMQ workers", () => {
  it("8 one-second runs on 2 workers all finish exactly once when one worker is SIGKILLed mid-run", async () => {
    dataDir = await mkdtemp(join(tmpdir(), "flowork-queue-"));
    engine = await startEngine({ dataDir, env: env() });
    const [first] = await Promise.all([startWorker(), startWorker()]);
    const client = await connect(engine, owner);
    const finished = new Map<string, number>();
    const running = new Set<string>();
    client.onEvent((e) => {
      if (e.type === "workflow_status_update" && e.status_data.status === "SUCCEEDED")
        finished.set(e.job_id, (finished.get(e.job_id) ?? 0) + 1);
      if (e.type === "NODE_EXECUTION_METRIC" && e.node_id === "wait" && e.status === "RUNNING")
        running.add(e.job_id);
    });
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) {
      const r = await client.request("execute_workflow", {
        workflow_data: delayWorkflow(1000),
        mode: "EXECUTE",
      });
      expect(r.status).toBe("QUEUED");
      ids.push(r.job_id as string);
    }
    const until = async (ok: () => boolean, ms: number, what: string) => {
      const end = Date.now() + ms;
      while (!ok()) {
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    await until(() => running.size >= 8, 10_000, "the runs to start");
    await new Promise((r) => setTimeout(r, 200)); // checkpoints written
    first?.kill("SIGKILL");
    await until(() => ids.every((id) => finished.has(id)), 30_000, "every run to finish");
    await new Promise((r) => setTimeout(r, 1_000)); // a late duplicate would show up here
    client.close();

    const reader = await connect(engine, owner);
    let resumed = 0;
    for (const id of ids) {
      const seen: EngineEvent[] = [];
      const off = reader.onEvent((e) => {
        // Engine status events belong to no job.
        if ("job_id" in e && e.job_id === id) seen.push(e);
      });
      await reader.request("subscribe_job", { job_id: id });
      await new Promise((r) => setTimeout(r, 100));
      off();
      const finals = seen.filter((e) => statusOf(e) === "SUCCEEDED");
      expect(finals, `job ${id}`).toHaveLength(1);
      expect(seen.filter((e) => ["FAILED", "STOPPED"].includes(statusOf(e) ?? ""))).toHaveLength(0);
      if (seen.some((e) => e.type === "log" && /resumed this run/.test(String(e.message)))) resumed++;
      const detail = await reader.request("request_execution", { job_id: id });
      expect((detail.execution as { status: string }).status).toBe("SUCCEEDED");
    }
    reader.close();
    // The killed worker held about half the runs; another worker resumed them from their checkpoints.
    expect(resumed).toBeGreaterThan(0);
    for (const id of ids) expect(finished.get(id)).toBe(1);
  }, 60_000);
});
