import { hostname } from "node:os";
import { join } from "node:path";
import { FloworkError, type JobEvent, TERMINAL_STATUSES } from "@flowork/protocol";
import { type Job, UnrecoverableError, Worker } from "bullmq";
import { Redis } from "ioredis";
import { createBuiltinRegistry } from "../components/builtin/index.js";
import { loadPlugins } from "../plugins/loader.js";
import { isRunCheckpoint, type RunCheckpoint } from "../runtime/checkpoint.js";
import { createSandbox } from "../sandbox/index.js";
import type { EngineLogger } from "../service/engine.js";
import { JobManager } from "../service/job-manager.js";
import { jobStoreFrom } from "../service/job-store.js";
import { type EngineStore, openEngineStore } from "../store/index.js";
import { MemoryVariables } from "../variables/memory.js";
import { FinalGuard, guardedEvents } from "./final-guard.js";
import { controlChannelFor, eventChannelFor, queueNameFor } from "./payload.js";
import { parseControlMessage, type RelayMessage } from "./relay.js";
import { type VerifiedRun, verifyQueuedJob } from "./verify.js";

const SETTINGS_TTL_MS = 1_000;

/** Everything `flowork worker` needs (SPEC sections 7, 8). */
export interface QueueWorkerConfig {
  queueUrl: string;
  engineId: string;
  /** Shared with the engine: FLOWORK_QUEUE_SECRET, else GATEWAY_SECRET_TOKEN. */
  secret: string;
  /** The engine's data folder (SQLite on a shared disk, the secret key, plugins, workspace). */
  dataDir: string;
  /** FLOWORK_ENGINE_DATABASE_URL when the engine store is not `<dataDir>/engine.db`. */
  databaseUrl?: string | undefined;
  secretKey?: string | undefined;
  concurrency: number;
  /** BullMQ lock; a dead worker's jobs are handed on after about this long (default 30 s). */
  lockDurationMs?: number;
  /** How often stalled jobs are looked for (default lockDuration / 2). */
  stalledIntervalMs?: number;
  /** How many times one job may stall before it fails (default 5). */
  maxStalledCount?: number;
  /** The verifier's window around the enqueue time (the engine's FLOWORK_AUTH_WINDOW_MS). */
  authWindowMs?: number;
}

export interface RunningWorker {
  workerId: string;
  queueName: string;
  /** Stops taking jobs; running runs are checkpointed and left for another worker (their locks expire). */
  close(): Promise<void>;
}

/**
 * Starts a queue-mode worker: takes the engine's queued runs, verifies each one's envelope, runs it with the
 * engine's runtime over the engine's store (status, events, checkpoints), and publishes its events for the engine
 * to relay. A job another worker left behind resumes from its last checkpoint.
 */
export async function startQueueWorker(config: QueueWorkerConfig, log: EngineLogger): Promise<RunningWorker> {
  const workerId = `${hostname()}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const store = await openEngineStore({
    dataDir: config.dataDir,
    databaseUrl: config.databaseUrl,
    secretKey: config.secretKey,
  });
  const registry = createBuiltinRegistry();
  const report = await loadPlugins(join(config.dataDir, "components"), registry);
  for (const e of report.errors) log.warn(`plugin ${e.id} skipped: ${e.code}: ${e.message}`);
  const sandbox = createSandbox();
  const redis = new Redis(config.queueUrl, { maxRetriesPerRequest: null });
  const subscriber = new Redis(config.queueUrl, { maxRetriesPerRequest: null });
  const guard = new FinalGuard({
    redis,
    engineId: config.engineId,
    workerId,
    isFinal: async (jobId) => {
      const status = await store.executions.status(jobId);
      return status !== undefined && TERMINAL_STATUSES.has(status);
    },
  });
  // Settings are read again at most once a second (not once per job): a change applies to jobs started after it.
  let settings = await store.settings.get();
  let settingsReadAt = Date.now();
  const freshSettings = async () => {
    if (Date.now() - settingsReadAt >= SETTINGS_TTL_MS) {
      settings = await store.settings.get();
      settingsReadAt = Date.now();
    }
  };
  const owners = new Map<string, string | null>();
  const publish = (jobId: string, event: JobEvent) => {
    const message: RelayMessage = { job_id: jobId, started_by: owners.get(jobId) ?? null, event };
    redis
      .publish(eventChannelFor(config.engineId), JSON.stringify(message))
      .catch((err: unknown) => log.error(`publish ${jobId}`, err));
  };
  const jobs = new JobManager({
    store: jobStoreFrom(store),
    events: guardedEvents(store.events, guard),
    registry,
    settings: () => settings,
    variables: () => loadVariables(store),
    loadPreset: (name) => store.presets.load(name),
    services: { sandbox, workspaceDir: join(config.dataDir, "workspace") },
    onEvent: (event, meta) => {
      const final =
        event.type === "workflow_status_update" && TERMINAL_STATUSES.has(event.status_data.status);
      if (!final) publish(meta.jobId, event);
      else void guard.claim(meta.jobId).then((ok) => ok && publish(meta.jobId, event));
    },
    onError: (err, context) => log.error(context, err),
  });

  subscriber.on("message", (_channel: string, text: string) => {
    const control = parseControlMessage(text);
    if (!control) return;
    try {
      jobs[control.op](control.job_id, "", true);
    } catch {
      // not running on this worker
    }
  });
  await subscriber.subscribe(controlChannelFor(config.engineId));

  const processJob = async (bullJob: Job): Promise<{ status: string; duplicate?: boolean }> => {
    let run: VerifiedRun;
    try {
      run = await verifyQueuedJob(bullJob.data, {
        engineId: config.engineId,
        secret: config.secret,
        ...(config.authWindowMs !== undefined && { windowMs: config.authWindowMs }),
      });
    } catch (err) {
      const code = err instanceof FloworkError ? err.code : "BAD_REQUEST";
      log.warn(`refused queued job ${bullJob.id ?? "?"}: ${code}`);
      throw new UnrecoverableError(`refused: ${code}`);
    }
    const status = await store.executions.status(run.jobId);
    if (status === undefined) throw new UnrecoverableError(`no execution ${run.jobId} in the engine store`);
    if (TERMINAL_STATUSES.has(status)) return { status, duplicate: true };
    await freshSettings();
    const resumeFrom = await checkpointOf(store, run.jobId);
    owners.set(run.jobId, run.startedBy);
    try {
      if (status !== "QUEUED") resumedNote(run.jobId, workerId, resumeFrom, store, publish);
      const outcome = await jobs.runQueued(
        {
          jobId: run.jobId,
          workflow: run.workflow,
          mode: run.mode,
          initialPayload: run.initialPayload,
          startedBy: run.startedBy,
          ...(run.presetName !== null && { presetName: run.presetName }),
          ...(run.startNodeId !== null && { startNodeId: run.startNodeId }),
          disabledComponents: run.disabledComponents,
        },
        resumeFrom,
      );
      return { status: outcome.status };
    } catch (err) {
      await failRun(run, err, { store, guard, publish }).catch((e: unknown) => log.error("fail", e));
      throw new UnrecoverableError(err instanceof Error ? err.message : String(err));
    } finally {
      owners.delete(run.jobId);
      guard.forget(run.jobId);
    }
  };

  const lockDuration = config.lockDurationMs ?? 30_000;
  const worker = new Worker(queueNameFor(config.engineId), processJob, {
    connection: new Redis(config.queueUrl, { maxRetriesPerRequest: null }),
    concurrency: config.concurrency,
    lockDuration,
    stalledInterval: config.stalledIntervalMs ?? Math.max(500, Math.floor(lockDuration / 2)),
    maxStalledCount: config.maxStalledCount ?? 5,
  });
  worker.on("error", (err) => log.error("queue worker", err));
  await worker.waitUntilReady();

  let closed: Promise<void> | undefined;
  return {
    workerId,
    queueName: queueNameFor(config.engineId),
    close: () => {
      closed ??= (async () => {
        await jobs.close();
        await worker.close(true);
        subscriber.disconnect();
        redis.disconnect();
        await sandbox.close();
        await store.close();
      })();
      return closed;
    },
  };
}

async function loadVariables(store: EngineStore): Promise<MemoryVariables> {
  return new MemoryVariables(await store.variables.loadAll(), async (name, def) => {
    await store.variables.upsert(name, {
      value: def.value,
      mode: def.mode,
      is_secret: def.is_secret,
      is_enabled: def.is_enabled,
    });
  });
}

async function checkpointOf(store: EngineStore, jobId: string): Promise<RunCheckpoint | undefined> {
  const saved = await store.executions.loadCheckpoint(jobId);
  if (saved === undefined) return undefined;
  const parsed: unknown = JSON.parse(saved);
  return isRunCheckpoint(parsed) ? parsed : undefined;
}

/** A log line in the job's history: which worker picked the run up again, and from where. */
function resumedNote(
  jobId: string,
  workerId: string,
  from: RunCheckpoint | undefined,
  store: EngineStore,
  publish: (jobId: string, event: JobEvent) => void,
): void {
  const event: JobEvent = {
    type: "log",
    job_id: jobId,
    level: "WARN",
    source: "queue",
    message: `worker ${workerId} resumed this run ${from ? `from its checkpoint (step ${from.steps})` : "from the start"}`,
    ts: new Date().toISOString(),
  };
  store.events.append(jobId, event);
  publish(jobId, event);
}

/** A run that could not run at all (invalid on this worker, store down): FAILED, once. */
async function failRun(
  run: VerifiedRun,
  err: unknown,
  deps: { store: EngineStore; guard: FinalGuard; publish: (jobId: string, event: JobEvent) => void },
): Promise<void> {
  if (!(await deps.guard.claim(run.jobId))) return;
  const now = new Date().toISOString();
  const message = err instanceof Error ? err.message : String(err);
  const event: JobEvent = {
    type: "workflow_status_update",
    job_id: run.jobId,
    status_data: { status: "FAILED", mode: run.mode, start_time: now, end_time: now, error_message: message },
  };
  deps.store.events.append(run.jobId, event);
  await deps.store.executions.setStatus(run.jobId, "FAILED", { ended_at: now, error_message: message });
  await deps.store.events.flush();
  deps.publish(run.jobId, event);
}
