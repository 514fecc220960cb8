import { resolve } from "node:path";
import { FloworkError } from "@flowork/protocol";
import { envInt } from "@flowork/protocol/node";

/** Everything `flowork gateway` needs (SPEC section 7). */
export interface GatewayConfig {
  port: number;
  host: string;
  /** Folder for the SQLite file, the license key and other state. */
  dataDir: string;
  /** `sqlite:<path>` (default `sqlite:<dataDir>/gateway.db`) or `postgres://...`. */
  databaseUrl: string;
  /** Several replicas: Socket.IO Redis adapter, shared replay cache and presence. */
  redisUrl: string | undefined;
  /** `X-API-Key` for internal routes, and for the engine's /health. */
  secretToken: string | undefined;
  /** Lowercase addresses allowed on /admin routes. */
  adminAddresses: string[];
  /** `FLOWORK_BILLING=on` enforces plan limits; off (default) puts everyone on the top tier. */
  billingEnabled: boolean;
  /** HMAC key of `POST /billing/webhook/:provider`. */
  billingWebhookSecret: string | undefined;
  authWindowMs: number;
  /** Public base URL the GUI is served from (for payment links and printed URLs). */
  publicUrl: string | undefined;
  /** Folder of the built GUI to serve at `/` (when present). */
  guiDir: string | undefined;
  /** Longest vitals flush period under load, ms (FLOWORK_GATEWAY_VITALS_FLUSH_MAX_MS, default 1 000). */
  vitalsFlushMaxMs: number;
  /** How often each engine's latest vitals are persisted, ms (FLOWORK_GATEWAY_VITALS_PERSIST_MS, default 30 000). */
  vitalsPersistMs: number;
  version: string;
}

export const GATEWAY_VERSION = "0.1.0";

/** Reads the gateway's configuration from flags (which win) and the environment. */
export function gatewayConfigFrom(
  flags: { port?: number; host?: string; data?: string; guiDir?: string },
  env: NodeJS.ProcessEnv = process.env,
): GatewayConfig {
  const dataDir = resolve(flags.data ?? env.FLOWORK_DATA_DIR ?? ".flowork");
  const admins = (env.FLOWORK_ADMIN_ADDRESSES ?? "")
    .split(",")
    .map((a) => a.trim().toLowerCase())
    .filter((a) => a !== "");
  const bad = admins.filter((a) => !/^0x[0-9a-f]{40}$/.test(a));
  if (bad.length > 0) {
    throw new FloworkError(
      "VALIDATION_FAILED",
      "FLOWORK_ADMIN_ADDRESSES holds addresses that are not 0x + 40 hex",
      {
        details: {
          issues: bad.map((a) => ({
            path: "FLOWORK_ADMIN_ADDRESSES",
            message: `not an address: ${a.slice(0, 60)}`,
          })),
        },
      },
    );
  }
  const billing = (env.FLOWORK_BILLING ?? "off").toLowerCase();
  return {
    port: flags.port ?? envInt(env, "PORT", 8000, 0, 65_535),
    host: flags.host ?? env.FLOWORK_HOST ?? "127.0.0.1",
    dataDir,
    databaseUrl: env.DATABASE_URL || `sqlite:${resolve(dataDir, "gateway.db")}`,
    redisUrl: env.REDIS_URL || undefined,
    secretToken: env.GATEWAY_SECRET_TOKEN || undefined,
    adminAddresses: admins,
    billingEnabled: billing === "on" || billing === "true" || billing === "1",
    billingWebhookSecret: env.BILLING_WEBHOOK_SECRET || undefined,
    authWindowMs: envInt(env, "FLOWORK_AUTH_WINDOW_MS", 300_000, 1_000, 86_400_000),
    publicUrl: env.FLOWORK_PUBLIC_URL || undefined,
    guiDir: flags.guiDir ?? env.FLOWORK_GUI_DIR ?? undefined,
    vitalsFlushMaxMs: envInt(env, "FLOWORK_GATEWAY_VITALS_FLUSH_MAX_MS", 1_000, 25, 60_000),
    vitalsPersistMs: envInt(env, "FLOWORK_GATEWAY_VITALS_PERSIST_MS", 30_000, 1_000, 3_600_000),
    version: GATEWAY_VERSION,
  };
}
