import type { Role, Verifier } from "@flowork/protocol";
import type { Vitals } from "./types.js";

/** An engine as the sockets need it. */
export interface SocketEngine {
  engine_id: string;
  name: string;
  /** Lowercase; `null` while unclaimed. */
  owner_address: string | null;
  /** ISO time the engine was last connected, if ever. */
  last_seen: string | null;
}

/** An engine a user may see, with the user's role on it. */
export interface VisibleEngine extends SocketEngine {
  role: Role;
}

/** Where the sockets log; pino-compatible through an adapter. */
export interface SocketLogger {
  info(message: string, details?: Record<string, unknown>): void;
  warn(message: string, details?: Record<string, unknown>): void;
  error(message: string, details?: Record<string, unknown>): void;
}

/**
 * What the real-time side needs from the rest of the gateway. Kept small on purpose so the sockets can be built
 * and tested without the services; `servicesSocketDeps` adapts the real services to it.
 */
export interface SocketDeps {
  /** Verifies `/gui-socket` handshakes (Context `Socket`); share its replay cache with the REST side. */
  verifier: Verifier;
  /** The engine that owns `token`, or `undefined` for an unknown or revoked token. */
  authenticateEngine(token: string): Promise<SocketEngine | undefined>;
  /** One engine, or `undefined` when it does not exist. */
  engine(engineId: string): Promise<SocketEngine | undefined>;
  /** Every engine `address` owns or has a share of, with its role. */
  visibleEngines(address: string): Promise<VisibleEngine[]>;
  /** The role of `address` on the engine, or `undefined` when it has none. */
  roleOf(engineId: string, address: string): Promise<Role | undefined>;
  /** Records an engine's `usage_report` delta (billing). */
  recordUsage?(engineId: string, period: string, executions: number): Promise<void>;
  /** Stores an engine's latest vitals (each `engine_vitals_update`). */
  updateVitals?(engineId: string, vitals: Vitals): Promise<void>;
  /** The engine connected (`online`) or disconnected; persist `last_seen`. */
  markPresence?(engineId: string, status: "online" | "offline", at: Date): Promise<void>;
  logger?: SocketLogger;
}

/** Options of `attachSockets` besides the dependencies. */
export interface SocketOptions {
  /** `REDIS_URL`: several replicas share rooms and acks through `@socket.io/redis-streams-adapter`. */
  redisUrl?: string | undefined;
  /** Redis stream (and channel prefix) the replicas share; default `flowork:socket.io`. */
  redisStreamName?: string;
  /** How long `rpc_forward_to_engine` waits for the engine's ack. Default 30 000 ms. */
  rpcTimeoutMs?: number;
  /** How long a role looked up for a targeted `forward_event_to_gui` is reused. Default 2 000 ms. */
  roleCacheMs?: number;
  /** Socket.IO path. Default `/socket.io`. */
  path?: string;
  /** Allowed browser origins (CORS); default none (same origin only). */
  corsOrigins?: string[];
}

/** A logger that drops everything. */
export const SILENT_LOGGER: SocketLogger = { info() {}, warn() {}, error() {} };
