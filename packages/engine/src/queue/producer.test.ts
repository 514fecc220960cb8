import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_SETTINGS, type JobEvent } from "@flowork/protocol";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createBuiltinRegistry } from "../components/builtin/index.js";
import { JobManager } from "../service/job-manager.js";
import { jobStoreFrom } from "../service/job-store.js";
import { type EngineStore, openEngineStore } from "../store/index.js";
import { MemoryVariables } from "../variables/memory.js";
import { bullJobIdFor, queueNameFor } from "./payload.js";
import { QueueProducer } from "./producer.js";

const REDIS_URL = process.env.FLOWORK_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
let dir: string;
let store: EngineStore;
let producer: QueueProducer;
let engineId: string;
let queue: Queue;
let redis: Redis;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowork-producer-"));
  store = await openEngineStore({ dataDir: dir, secretKey: "b".repeat(64) });
  engineId = `producer-test-${randomBytes(4).toString("hex")}`;
  producer = await QueueProducer.open({
    url: REDIS_URL,
    engineId,
    secret: "s".repeat(32),
    currentCommand: () => undefined,
    onEvent: () => {},
  });
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  queue = new Queue(queueNameFor(engineId), { connection: redis });
});

afterEach(async () => {
  await queue.obliterate({ force: true });
  await queue.close();
  redis.disconnect();
  await producer.close();
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

describe("queue mode on the engine side (real Redis, no worker running)", () => {
  it("stopping a run no worker has taken removes it from the queue and ends it STOPPED; the kill switch travels", async () => {
    const registry = createBuiltinRegistry();
    registry.setDisabled(["shell_command"]);
    const jobs = new JobManager({
      store: jobStoreFrom(store),
      events: store.events,
      registry,
      settings: () => DEFAULT_SETTINGS,
      variables: async () => new MemoryVariables(),
      loadPreset: async () => undefined,
      services: {},
      remote: producer,
    });
    const seen: string[] = [];
    const { job_id, done } = await jobs.submit(
      {
        workflow: {
          nodes: [{ id: "d", module_id: "delay", x: 0, y: 0, config_values: { milliseconds: 10 } }],
          connections: [],
        },
        mode: "EXECUTE",
        startedBy: null,
      },
      (e: JobEvent) => {
        if (e.type === "workflow_status_update") seen.push(e.status_data.status);
      },
    );
    let waiting: Awaited<ReturnType<Queue["getJob"]>>;
    for (let i = 0; i < 200 && !waiting; i++) {
      waiting = await queue.getJob(bullJobIdFor(job_id));
      if (!waiting) await new Promise((r) => setTimeout(r, 10));
    }
    expect(waiting?.data.disabled_components).toEqual(["shell_command"]);
    expect(jobs.stop(job_id, "", true)).toEqual({ job_id, status: "STOPPED" });
    expect((await done).status).toBe("STOPPED");
    expect(await queue.getJob(bullJobIdFor(job_id))).toBeUndefined();
    expect(seen).toEqual(["QUEUED", "STOPPED"]);
    await store.events.flush();
    expect((await store.executions.get(job_id))?.status).toBe("STOPPED");
  });
});
