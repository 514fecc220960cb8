import { createHmac, timingSafeEqual } from "node:crypto";
import { canonicalJson, type ExecutionMode, FloworkError, sha256Hex } from "@flowork/protocol";

/**
 * The signed command that authorised a queued run, exactly as the engine received it: the worker re-verifies it
 * (signature, payload hash, scope = engine id) before it runs anything.
 */
export interface QueuedAuthorization {
  address: string;
  message: string;
  signature: string;
  /** The envelope's `payload` object, exactly as signed. */
  payload: Record<string, unknown>;
}

/**
 * One run on an engine's BullMQ queue (SPEC section 8). Everything is JSON. `mac` is an HMAC-SHA256 over the
 * canonical JSON of every other field, under the queue secret the engine and its workers share: it proves the
 * engine enqueued the job (triggers have no user signature) and protects `role` and `enqueued_at`.
 */
export interface QueuedJob {
  v: 1;
  engine_id: string;
  job_id: string;
  /** The workflow the engine validated (a preset resolved to the version that was current at enqueue time). */
  workflow_data: unknown;
  preset_name: string | null;
  mode: ExecutionMode;
  initial_payload: unknown;
  start_node_id: string | null;
  /** Lowercase address of the signer; null for triggers (webhook, cron). */
  started_by: string | null;
  /** The signer's role on the engine when the engine accepted the command. */
  role: string | null;
  /** Epoch ms; the worker checks the signed message's time window against it, not against its own clock. */
  enqueued_at: number;
  /** Null exactly when `started_by` is null (a trigger). */
  authorization: QueuedAuthorization | null;
  /**
   * The engine's kill switch when it queued the run (gateway `disabled-components`): workers refuse these
   * components with COMPONENT_DISABLED exactly as the engine would. Absent in jobs queued by older engines.
   */
  disabled_components?: string[];
  mac: string;
}

/** The fields the MAC covers. */
export type UnsignedQueuedJob = Omit<QueuedJob, "mac">;

/** BullMQ queue names may not contain `:`; engine ids are `[A-Za-z0-9_-]` in practice. */
export function queueNameFor(engineId: string): string {
  return `flowork-engine-${engineId.replace(/[^A-Za-z0-9_.-]/g, "_")}`;
}

/** The Redis pub/sub channel a worker publishes the engine's job events on. */
export function eventChannelFor(engineId: string): string {
  return `flowork:${queueNameFor(engineId)}:events`;
}

/** The Redis pub/sub channel the engine sends stop/pause/resume on. */
export function controlChannelFor(engineId: string): string {
  return `flowork:${queueNameFor(engineId)}:control`;
}

/** The Redis key a worker sets (NX) before it writes a job's final status: the final status is written once. */
export function finalKeyFor(engineId: string, jobId: string): string {
  return `flowork:${queueNameFor(engineId)}:final:${jobId}`;
}

/** BullMQ job ids may not contain `:`; a hash keeps any client job id usable and deduplicates enqueues. */
export function bullJobIdFor(jobId: string): string {
  return `j${sha256Hex(jobId).slice(0, 40)}`;
}

function macOf(secret: string, job: UnsignedQueuedJob): string {
  return createHmac("sha256", secret).update(canonicalJson(job)).digest("hex");
}

/** Seals a job with the queue secret. */
export function sealQueuedJob(secret: string, job: UnsignedQueuedJob): QueuedJob {
  return { ...job, mac: macOf(secret, job) };
}

/** Checks the MAC (constant time). @throws FloworkError AUTH_INVALID_SIGNATURE when it does not match. */
export function checkQueuedJobMac(secret: string, job: QueuedJob): void {
  const { mac, ...rest } = job;
  const expected = Buffer.from(macOf(secret, rest), "hex");
  const given = Buffer.from(typeof mac === "string" ? mac : "", "hex");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new FloworkError("AUTH_INVALID_SIGNATURE", "the queued job's MAC does not match the queue secret");
  }
}

/** A structural check of what came off the queue (anything may be written to Redis). */
export function isQueuedJob(value: unknown): value is QueuedJob {
  if (value === null || typeof value !== "object") return false;
  const v = value as Record<string, unknown>;
  return (
    v["v"] === 1 &&
    typeof v["engine_id"] === "string" &&
    typeof v["job_id"] === "string" &&
    (v["mode"] === "EXECUTE" || v["mode"] === "SIMULATE") &&
    (v["started_by"] === null || typeof v["started_by"] === "string") &&
    typeof v["enqueued_at"] === "number" &&
    typeof v["mac"] === "string" &&
    (v["authorization"] === null || typeof v["authorization"] === "object") &&
    (v["disabled_components"] === undefined ||
      (Array.isArray(v["disabled_components"]) &&
        v["disabled_components"].every((id) => typeof id === "string")))
  );
}
