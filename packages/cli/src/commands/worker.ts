import { type EngineLogger, startQueueWorker } from "@flowork/engine";
import { UsageError } from "../errors.js";
import { serveUntilSignal } from "../service-lifetime.js";

export interface WorkerCommandOptions {
  queue?: string;
  engineId?: string;
  concurrency?: string;
  data?: string;
}

function positiveInt(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === "") return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 10_000)
    throw new UsageError(`${name} must be an integer from 1 to 10000`);
  return n;
}

/**
 * `flowork worker`: processes an engine's queued runs (SPEC section 8) until SIGTERM or SIGINT. Needs the queue
 * (`--queue` or FLOWORK_QUEUE_URL), the engine id (`--engine-id` or FLOWORK_ENGINE_ID), the queue secret
 * (FLOWORK_QUEUE_SECRET, else GATEWAY_SECRET_TOKEN) and the engine's store (`--data` on a shared disk, or
 * FLOWORK_ENGINE_DATABASE_URL). FLOWORK_WORKER_LOCK_MS tunes how fast a dead worker's jobs move on (default 30 s).
 */
export async function workerCommand(
  options: WorkerCommandOptions,
  log: EngineLogger,
  write: (line: string) => void,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const queueUrl = options.queue ?? env.FLOWORK_QUEUE_URL;
  const engineId = options.engineId ?? env.FLOWORK_ENGINE_ID;
  const secret = env.FLOWORK_QUEUE_SECRET || env.GATEWAY_SECRET_TOKEN;
  if (!queueUrl) throw new UsageError("--queue <redis-url> or FLOWORK_QUEUE_URL is required");
  if (!engineId) throw new UsageError("--engine-id or FLOWORK_ENGINE_ID is required");
  if (!secret) throw new UsageError("FLOWORK_QUEUE_SECRET (or GATEWAY_SECRET_TOKEN) is required");
  const lockMs = positiveInt("FLOWORK_WORKER_LOCK_MS", env.FLOWORK_WORKER_LOCK_MS, 30_000);
  const worker = await startQueueWorker(
    {
      queueUrl,
      engineId,
      secret,
      dataDir: options.data ?? env.FLOWORK_DATA_DIR ?? ".flowork",
      databaseUrl: env.FLOWORK_ENGINE_DATABASE_URL || undefined,
      secretKey: env.FLOWORK_SECRET_KEY || undefined,
      concurrency: positiveInt("--concurrency", options.concurrency, 4),
      lockDurationMs: lockMs,
      authWindowMs: positiveInt("FLOWORK_AUTH_WINDOW_MS", env.FLOWORK_AUTH_WINDOW_MS, 300_000),
    },
    log,
  );
  write(`flowork worker ready: queue=${worker.queueName} worker_id=${worker.workerId}`);
  return serveUntilSignal(() => worker.close(), log);
}
