import {
  type ExecutionMode,
  FloworkError,
  type ReplayCache,
  RoleSchema,
  roleAtLeast,
  verifyEnvelope,
} from "@flowork/protocol";
import { createNodeVerifier } from "@flowork/protocol/node";
import { checkQueuedJobMac, isQueuedJob, type QueuedJob } from "./payload.js";

/** What a worker runs once a queued job is verified: taken from the signed payload wherever it has the field. */
export interface VerifiedRun {
  jobId: string;
  workflow: unknown;
  presetName: string | null;
  mode: ExecutionMode;
  initialPayload: unknown;
  startNodeId: string | null;
  startedBy: string | null;
  /** Components the engine's kill switch disabled when it queued the run. */
  disabledComponents: string[];
}

export interface VerifyQueuedJobOptions {
  engineId: string;
  /** The queue secret shared with the engine (FLOWORK_QUEUE_SECRET, else GATEWAY_SECRET_TOKEN). */
  secret: string;
  /** Accepted distance between the message's timestamp and the enqueue time (default 5 min, as the engine). */
  windowMs?: number;
}

/**
 * A queued job is verified once per attempt, possibly long after it was signed, and legitimately more than once
 * (a retried or stalled job): the nonce cache does not apply. The engine already burnt the nonce when it
 * accepted the command, and the MAC stops anyone without the queue secret from enqueueing a copy.
 */
const noReplayCache: ReplayCache = { has: () => false, checkAndRemember: () => true };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Verifies a job taken off the queue, as a worker must before it runs it:
 * 1. the shape, and `engine_id` is the worker's engine;
 * 2. the MAC under the queue secret (the engine enqueued it; `role` and `enqueued_at` are the engine's);
 * 3. for a user's command: the signature recovers to `started_by`, the payload hash matches, the scope is the
 *    engine id, the timestamp was inside the window at `enqueued_at`, and the role was at least runner.
 * What runs is then read from the signed payload itself, so a tampered `workflow_data` cannot run.
 *
 * @throws FloworkError BAD_REQUEST (shape), AUTH_SCOPE_MISMATCH, AUTH_INVALID_SIGNATURE, AUTH_FORBIDDEN_ROLE,
 * or the verifier's codes.
 */
export async function verifyQueuedJob(data: unknown, options: VerifyQueuedJobOptions): Promise<VerifiedRun> {
  if (!isQueuedJob(data)) throw new FloworkError("BAD_REQUEST", "not a Flowork queued job");
  if (data.engine_id !== options.engineId) {
    throw new FloworkError("AUTH_SCOPE_MISMATCH", `the job is for engine ${data.engine_id}`);
  }
  checkQueuedJobMac(options.secret, data);
  const base: VerifiedRun = {
    jobId: data.job_id,
    workflow: data.workflow_data,
    presetName: data.preset_name,
    mode: data.mode,
    initialPayload: data.initial_payload ?? {},
    startNodeId: data.start_node_id,
    startedBy: data.started_by,
    disabledComponents: data.disabled_components ?? [],
  };
  if (data.started_by === null) {
    if (data.authorization !== null)
      throw new FloworkError("BAD_REQUEST", "a trigger job carries no signature");
    return base;
  }
  return verifySigned(data, base, options);
}

async function verifySigned(
  job: QueuedJob,
  base: VerifiedRun,
  options: VerifyQueuedJobOptions,
): Promise<VerifiedRun> {
  const auth = job.authorization;
  if (auth === null || !isObject(auth.payload)) {
    throw new FloworkError("AUTH_MISSING", "a user's job must carry the envelope that authorised it");
  }
  const verifier = createNodeVerifier({
    replayCache: noReplayCache,
    windowMs: options.windowMs ?? 300_000,
    now: () => job.enqueued_at,
  });
  const verified = await verifyEnvelope(
    verifier,
    {
      auth: { address: auth.address, message: auth.message, signature: auth.signature },
      payload: auth.payload,
    },
    options.engineId,
  );
  if (verified.auth.address !== job.started_by) {
    throw new FloworkError("AUTH_INVALID_SIGNATURE", "the envelope was signed by someone else");
  }
  const role = RoleSchema.safeParse(job.role);
  if (!role.success || !roleAtLeast(role.data, "runner")) {
    throw new FloworkError("AUTH_FORBIDDEN_ROLE", "the signer may not run workflows", {
      details: { required: "runner" },
    });
  }
  return runFromPayload(verified.payload, base);
}

/** Reads what to run from the signed payload; only a preset's resolved workflow comes from the engine. */
function runFromPayload(payload: Record<string, unknown>, base: VerifiedRun): VerifiedRun {
  const p = payload;
  if (p["job_id"] !== undefined && p["job_id"] !== base.jobId) {
    throw new FloworkError("AUTH_INVALID_SIGNATURE", "the signed job id is not the queued job's");
  }
  if (p["mode"] !== "EXECUTE" && p["mode"] !== "SIMULATE") throw new FloworkError("BAD_REQUEST", "no mode");
  const common = {
    ...base,
    mode: p["mode"],
    initialPayload: p["initial_payload"] ?? {},
    startNodeId: typeof p["start_node_id"] === "string" ? p["start_node_id"] : null,
  } satisfies VerifiedRun;
  if (p["type"] === "execute_workflow") {
    if (p["workflow_data"] !== undefined)
      return { ...common, workflow: p["workflow_data"], presetName: null };
    if (typeof p["preset_name"] === "string" && p["preset_name"] === base.presetName) return common;
    throw new FloworkError("AUTH_INVALID_SIGNATURE", "the signed preset is not the queued job's");
  }
  if (p["type"] === "execute_standalone_node" && isObject(p["node_data"])) {
    const node = p["node_data"];
    const workflow = {
      nodes: [
        {
          id: "node",
          name: node["module_id"],
          x: 0,
          y: 0,
          module_id: node["module_id"],
          config_values: node["config_values"],
        },
      ],
      connections: [],
    };
    return { ...common, workflow, presetName: null, startNodeId: null };
  }
  throw new FloworkError("AUTH_INVALID_SIGNATURE", "the signed command does not start a run");
}
