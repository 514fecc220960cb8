import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Kysely } from "kysely";
import type { GatewayConfig } from "../config.js";
import type { GatewayDatabase } from "../db/schema.js";
import type { GatewayEvents } from "../events.js";
import { createGatewayServices } from "./index.js";
import type { GatewayServices } from "./types.js";

/** Opens a fresh, migrated, empty database; `close` destroys it. */
export type OpenTestDb = () => Promise<{ db: Kysely<GatewayDatabase>; close: () => Promise<void> }>;

/** One recorded `GatewayEvents` call. */
export interface RecordedEvent {
  name: keyof GatewayEvents;
  args: unknown[];
}

/** A test world: services on a fresh database, recorded events, a movable clock. */
export interface World {
  db: Kysely<GatewayDatabase>;
  services: GatewayServices;
  events: RecordedEvent[];
  config: GatewayConfig;
  /** Current fake time (ms); tests move it with `advance`. */
  now: () => number;
  advance: (ms: number) => void;
  close: () => Promise<void>;
}

export const WEBHOOK_SECRET = "whsec_test_secret";
export const START = Date.parse("2030-01-15T12:00:00.000Z");

/** A random lowercase address. */
export function addr(): string {
  let hex = "";
  for (let i = 0; i < 40; i++) hex += Math.floor(Math.random() * 16).toString(16);
  return `0x${hex}`;
}

function recorder(log: RecordedEvent[]): GatewayEvents {
  const rec =
    (name: keyof GatewayEvents) =>
    (...args: unknown[]): void => {
      log.push({ name, args });
    };
  return {
    engineChanged: rec("engineChanged"),
    engineDeleted: rec("engineDeleted"),
    disconnectEngine: rec("disconnectEngine"),
    shareChanged: rec("shareChanged"),
    refreshAuthList: rec("refreshAuthList"),
    quotaChanged: rec("quotaChanged"),
    notify: rec("notify"),
  };
}

/** Builds a world; `billing` turns plan limits on. */
export async function openWorld(openDb: OpenTestDb, options: { billing?: boolean; admins?: string[] } = {}) {
  const { db, close } = await openDb();
  const dataDir = mkdtempSync(join(tmpdir(), "flowork-gw-data-"));
  let t = START;
  const events: RecordedEvent[] = [];
  const config: GatewayConfig = {
    port: 8000,
    host: "127.0.0.1",
    dataDir,
    databaseUrl: "unused",
    redisUrl: undefined,
    secretToken: undefined,
    adminAddresses: options.admins ?? [],
    billingEnabled: options.billing ?? false,
    billingWebhookSecret: WEBHOOK_SECRET,
    authWindowMs: 300_000,
    publicUrl: "https://gw.example",
    guiDir: undefined,
    vitalsFlushMaxMs: 1_000,
    vitalsPersistMs: 30_000,
    version: "test",
  };
  const services = createGatewayServices({ db, events: recorder(events), config, clock: () => t });
  const world: World = {
    db,
    services,
    events,
    config,
    now: () => t,
    advance: (ms) => {
      t += ms;
    },
    close: async () => {
      await close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return world;
}
