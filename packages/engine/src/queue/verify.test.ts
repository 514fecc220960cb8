import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FloworkError, signEnvelope, signerFromPrivateKey } from "@flowork/protocol";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { generatePrivateKey } from "viem/accounts";
import { describe, expect, it } from "vitest";
import {
  bullJobIdFor,
  type QueuedJob,
  queueNameFor,
  sealQueuedJob,
  type UnsignedQueuedJob,
} from "./payload.js";
import { verifyQueuedJob } from "./verify.js";
import { startQueueWorker } from "./worker.js";

const engineId = `verify-${randomBytes(4).toString("hex")}`;
const secret = "s3cret-shared-with-workers";
const signer = signerFromPrivateKey(generatePrivateKey());
const address = signer.address.toLowerCase();
const workflow = { nodes: [{ id: "s", module_id: "manual_trigger", x: 0, y: 0 }], connections: [] };

async function signedJob(
  overrides: Partial<UnsignedQueuedJob> = {},
  payloadFor = engineId,
): Promise<QueuedJob> {
  const envelope = await signEnvelope(signer, payloadFor, {
    type: "execute_workflow",
    request_id: "r-1",
    workflow_data: workflow,
    mode: "EXECUTE",
  });
  return sealQueuedJob(secret, {
    v: 1,
    engine_id: engineId,
    job_id: "job-1",
    workflow_data: workflow,
    preset_name: null,
    mode: "EXECUTE",
    initial_payload: {},
    start_node_id: null,
    started_by: address,
    role: "runner",
    enqueued_at: Date.now(),
    authorization: { ...envelope.auth, payload: envelope.payload },
    ...overrides,
  });
}

async function refusal(data: unknown): Promise<string> {
  try {
    await verifyQueuedJob(data, { engineId, secret });
  } catch (err) {
    if (err instanceof FloworkError) return err.code;
    throw err;
  }
  return "accepted";
}

describe("verifyQueuedJob", () => {
  it("accepts a job the engine sealed with the envelope that authorised it, and runs the signed workflow", async () => {
    const run = await verifyQueuedJob(await signedJob(), { engineId, secret });
    expect(run).toMatchObject({ jobId: "job-1", workflow, mode: "EXECUTE", startedBy: address });
  });

  it("refuses a tampered envelope payload even when the queue MAC is recomputed", async () => {
    const job = await signedJob();
    const { mac: _mac, ...rest } = job;
    const auth = rest.authorization;
    if (!auth) throw new Error("no authorization");
    const tampered = sealQueuedJob(secret, {
      ...rest,
      authorization: { ...auth, payload: { ...auth.payload, workflow_data: { nodes: [], connections: [] } } },
    });
    expect(await refusal(tampered)).toBe("AUTH_PAYLOAD_MISMATCH");
  });

  it("refuses a job whose fields changed after the engine sealed it (MAC)", async () => {
    const job = await signedJob();
    expect(await refusal({ ...job, role: "owner" })).toBe("AUTH_INVALID_SIGNATURE");
    expect(await refusal({ ...job, workflow_data: { nodes: [] } })).toBe("AUTH_INVALID_SIGNATURE");
  });

  it("refuses a job sealed with another secret, for another engine, or signed for another engine", async () => {
    const { mac: _mac, ...rest } = await signedJob();
    expect(await refusal(sealQueuedJob("not-the-secret", rest))).toBe("AUTH_INVALID_SIGNATURE");
    expect(await refusal(await signedJob({ engine_id: "other" }))).toBe("AUTH_SCOPE_MISMATCH");
    expect(await refusal(await signedJob({}, "other-engine"))).toBe("AUTH_SCOPE_MISMATCH");
  });

  it("refuses a reader's job, and a job whose signer is not started_by", async () => {
    expect(await refusal(await signedJob({ role: "reader" }))).toBe("AUTH_FORBIDDEN_ROLE");
    expect(await refusal(await signedJob({ started_by: `0x${"1".repeat(40)}` }))).toBe(
      "AUTH_INVALID_SIGNATURE",
    );
  });

  it("accepts a trigger's job on the MAC alone, and refuses one carrying no envelope for a user", async () => {
    const trigger = await signedJob({ started_by: null, role: null, authorization: null });
    expect((await verifyQueuedJob(trigger, { engineId, secret })).startedBy).toBeNull();
    expect(await refusal(await signedJob({ authorization: null }))).toBe("AUTH_MISSING");
    expect(await refusal({ hello: "world" })).toBe("BAD_REQUEST");
  });

  it("carries the engine's kill switch under the MAC: read back, never alterable, malformed refused", async () => {
    const job = await signedJob({ disabled_components: ["shell_command"] });
    expect((await verifyQueuedJob(job, { engineId, secret })).disabledComponents).toEqual(["shell_command"]);
    // A job queued by an engine that predates the field runs with nothing extra disabled.
    expect((await verifyQueuedJob(await signedJob(), { engineId, secret })).disabledComponents).toEqual([]);
    expect(await refusal({ ...job, disabled_components: [] })).toBe("AUTH_INVALID_SIGNATURE");
    const { disabled_components: _dropped, ...withoutList } = job;
    expect(await refusal(withoutList)).toBe("AUTH_INVALID_SIGNATURE");
    for (const bad of ["shell_command", [1], [null], {}, null]) {
      expect(await refusal({ ...job, disabled_components: bad })).toBe("BAD_REQUEST");
    }
  });
});

describe("queue worker", () => {
  it("refuses (fails, without running) a queued job whose envelope was tampered with", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "flowork-qworker-"));
    const url = "redis://127.0.0.1:6379";
    const silent = { info: () => {}, warn: () => {}, error: () => {} };
    const worker = await startQueueWorker(
      { queueUrl: url, engineId, secret, dataDir, concurrency: 1 },
      silent,
    );
    const connection = new Redis(url, { maxRetriesPerRequest: null });
    const queue = new Queue(queueNameFor(engineId), { connection });
    try {
      const job = await signedJob();
      const auth = job.authorization;
      if (!auth) throw new Error("no authorization");
      const tampered = { ...job, authorization: { ...auth, payload: { ...auth.payload, mode: "SIMULATE" } } };
      const added = await queue.add("run", tampered, { jobId: bullJobIdFor("job-1") });
      let state = "";
      for (let i = 0; i < 100 && state !== "failed"; i++) {
        await new Promise((r) => setTimeout(r, 50));
        state = await added.getState();
      }
      expect(state).toBe("failed");
      expect((await queue.getJob(added.id ?? ""))?.failedReason).toMatch(/^refused: AUTH_/);
    } finally {
      await queue.obliterate({ force: true });
      await queue.close();
      connection.disconnect();
      await worker.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
