import { resolve } from "node:path";
import { envInt } from "@flowork/protocol/node";

/** Everything `flowork engine` needs to start (SPEC section 7). */
export interface EngineConfig {
  port: number;
  host: string;
  dataDir: string;
  /** Standalone id (FLOWORK_ENGINE_ID); with a gateway, the gateway's id for this engine wins. */
  engineId: string | undefined;
  /** Standalone authorization list: `0xabc...:owner,0xdef...:runner`. */
  authorizedAddresses: string | undefined;
  gatewayUrl: string | undefined;
  engineToken: string | undefined;
  /** X-API-Key for /health and /metrics (GATEWAY_SECRET_TOKEN). */
  apiKey: string | undefined;
  secretKey: string | undefined;
  /**
   * FLOWORK_ENGINE_DATABASE_URL: `sqlite:<path>` or `postgres://...`; default `<dataDir>/engine.db`. Not
   * `DATABASE_URL`, which is the gateway's (`flowork up` runs both in one process with one environment).
   */
  databaseUrl?: string | undefined;
  authWindowMs: number;
  maxFrameBytes: number;
  statusIntervalMs: number;
  version: string;
  /** Queue mode (FLOWORK_QUEUE_URL, `redis://...`): runs go to a BullMQ queue that `flowork worker` processes. */
  queueUrl?: string | undefined;
  /** Key of the MAC on queued jobs, shared with the workers: FLOWORK_QUEUE_SECRET, else GATEWAY_SECRET_TOKEN. */
  queueSecret?: string | undefined;
}

export const ENGINE_VERSION = "0.1.0";

/** Reads the engine's configuration from flags (which win) and the environment. */
export function engineConfigFrom(
  flags: { port?: number; host?: string; data?: string },
  env: NodeJS.ProcessEnv = process.env,
): EngineConfig {
  return {
    port: flags.port ?? envInt(env, "FLOWORK_ENGINE_PORT", 8989, 0, 65_535),
    host: flags.host ?? env.FLOWORK_ENGINE_HOST ?? "127.0.0.1",
    dataDir: resolve(flags.data ?? env.FLOWORK_DATA_DIR ?? ".flowork"),
    engineId: env.FLOWORK_ENGINE_ID || undefined,
    authorizedAddresses: env.FLOWORK_AUTHORIZED_ADDRESSES || undefined,
    gatewayUrl: env.GATEWAY_API_URL || undefined,
    engineToken: env.FLOWORK_ENGINE_TOKEN || undefined,
    apiKey: env.GATEWAY_SECRET_TOKEN || undefined,
    secretKey: env.FLOWORK_SECRET_KEY || undefined,
    databaseUrl: env.FLOWORK_ENGINE_DATABASE_URL || undefined,
    authWindowMs: envInt(env, "FLOWORK_AUTH_WINDOW_MS", 300_000, 1_000, 86_400_000),
    maxFrameBytes: envInt(env, "FLOWORK_MAX_FRAME_BYTES", 1_048_576, 1_024, 16 * 1_048_576),
    statusIntervalMs: envInt(env, "FLOWORK_STATUS_INTERVAL_MS", 10_000, 100, 3_600_000),
    version: ENGINE_VERSION,
    queueUrl: env.FLOWORK_QUEUE_URL || undefined,
    queueSecret: env.FLOWORK_QUEUE_SECRET || env.GATEWAY_SECRET_TOKEN || undefined,
  };
}
