/**
 * Test harness of the REST API: the real services on a temp-dir SQLite database, the real app, real signatures.
 * Not part of the build (`test-*.ts` is excluded by tsconfig).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MemoryReplayCache, type Signer, signApiRequest, signerFromPrivateKey } from "@flowork/protocol";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import type { Kysely } from "kysely";
import { generatePrivateKey } from "viem/accounts";
import { type GatewayConfig, gatewayConfigFrom } from "../config.js";
import { openGatewayDb, pingGatewayDb } from "../db/index.js";
import type { GatewayDatabase } from "../db/schema.js";
import type { GatewayEvents } from "../events.js";
import { createGatewayServices } from "../services/index.js";
import type { GatewayServices } from "../services/types.js";
import { buildGatewayApp, type GatewayAppDeps } from "./app.js";
import type { InternalErrorReport } from "./errors.js";

export const SECRET = "internal-secret-token-for-tests";
export const WEBHOOK_SECRET = "webhook-secret-for-tests";

/** One recorded `GatewayEvents` call. */
export interface RecordedEvent {
  name: keyof GatewayEvents;
  args: unknown[];
}

/** A `GatewayEvents` that records every call. */
export function recordingEvents(): { events: GatewayEvents; calls: RecordedEvent[] } {
  const calls: RecordedEvent[] = [];
  const rec =
    (name: keyof GatewayEvents) =>
    (...args: unknown[]) => {
      calls.push({ name, args });
    };
  const events: GatewayEvents = {
    engineChanged: rec("engineChanged"),
    engineDeleted: rec("engineDeleted"),
    disconnectEngine: rec("disconnectEngine"),
    shareChanged: rec("shareChanged"),
    refreshAuthList: rec("refreshAuthList"),
    quotaChanged: rec("quotaChanged"),
    notify: rec("notify"),
  };
  return { events, calls };
}

/** A fresh random key. */
export function newSigner(): Signer {
  return signerFromPrivateKey(generatePrivateKey());
}

export interface Harness {
  app: FastifyInstance;
  db: Kysely<GatewayDatabase>;
  services: GatewayServices;
  config: GatewayConfig;
  calls: RecordedEvent[];
  /** `INTERNAL` errors reported to the server log. */
  internalErrors: InternalErrorReport[];
  admin: Signer;
  /** Moves the clock of the services and of the verifier. */
  clock: { now: number };
  /** Sends a signed request; `body` objects are JSON-encoded, strings sent as they are. */
  signed(
    signer: Signer,
    method: string,
    url: string,
    body?: unknown,
    extra?: { headers?: Record<string, string>; signedBody?: string; signedUrl?: string },
  ): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

/** Options of {@link startHarness}. */
export interface HarnessOptions {
  env?: Record<string, string>;
  deps?: Partial<GatewayAppDeps>;
}

/** Starts the real app on the real services and a temp-dir SQLite database. Call `close` after. */
export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), "flowork-gw-http-"));
  const admin = newSigner();
  const config = gatewayConfigFrom(
    { data: dir },
    {
      GATEWAY_SECRET_TOKEN: SECRET,
      BILLING_WEBHOOK_SECRET: WEBHOOK_SECRET,
      FLOWORK_ADMIN_ADDRESSES: admin.address,
      ...options.env,
    },
  );
  const db = await openGatewayDb(config.databaseUrl);
  const clock = { now: Date.now() };
  const now = () => clock.now;
  const { events, calls } = recordingEvents();
  const internalErrors: InternalErrorReport[] = [];
  const services = createGatewayServices({ db, events, config, clock: now });
  const app = buildGatewayApp({
    config,
    services,
    events,
    replayCache: new MemoryReplayCache({ now }),
    pingDatabase: () => pingGatewayDb(db),
    now,
    logger: false,
    onInternalError: (report) => {
      internalErrors.push(report);
    },
    rateLimit: { perIp: false, perCaller: { ratePerSecond: 10_000, burst: 10_000 } },
    ...options.deps,
  });
  await app.ready();

  const signed: Harness["signed"] = async (signer, method, url, body, extra = {}) => {
    const text = body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
    const headers = await signApiRequest(signer, method, extra.signedUrl ?? url, extra.signedBody ?? text, {
      now,
    });
    return app.inject({
      method: method as "GET",
      url,
      ...(text === undefined ? {} : { payload: text }),
      headers: {
        ...headers,
        ...(text === undefined ? {} : { "content-type": "application/json" }),
        ...extra.headers,
      },
    });
  };

  return {
    app,
    db,
    services,
    config,
    calls,
    internalErrors,
    admin,
    clock,
    signed,
    close: async () => {
      await app.close();
      await db.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The `error.code` of a response, or undefined when it is not an error body. */
export function codeOf(res: LightMyRequestResponse): string | undefined {
  try {
    const body = JSON.parse(res.body) as { error?: { code?: unknown } };
    return typeof body.error?.code === "string" ? body.error.code : undefined;
  } catch {
    return undefined;
  }
}
