import type { EngineVitals, Role, Verifier } from "@flowork/protocol";

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

/** One engine's latest vitals for {@link SocketDeps.saveVitals}, with the time the gateway received them. */
export interface VitalsRecord {
  engine_id: string;
  vitals: EngineVitals;
  at: Date;
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
  /**
   * Stores engines' latest vitals (and `last_seen` = `at`), a few hundred rows per call, in one transaction.
   * Called at most once per `vitalsPersistMs` per engine and when an engine disconnects, never per report.
   */
  saveVitals?(rows: VitalsRecord[]): Promise<void>;
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
  /**
   * Vitals flush period bounds, in ms. GUIs get each engine's latest vitals in at most one frame per flush; the
   * period adapts between `vitalsFlushMs` (default 25, idle or light load) and `vitalsFlushMaxMs` (default
   * 1 000) so that relaying vitals uses at most about half of the event loop. The first report after a quiet
   * period goes out at once.
   */
  vitalsFlushMs?: number;
  vitalsFlushMaxMs?: number;
  /** How often each engine's latest vitals are written to the database (and on disconnect). Default 30 000 ms. */
  vitalsPersistMs?: number;
  /** Vitals reports validated, or GUI sockets served, per event-loop turn before yielding. Default 500. */
  vitalsSlice?: number;
  /** Socket.IO path. Default `/socket.io`. */
  path?: string;
  /** Allowed browser origins (CORS); default none (same origin only). */
  corsOrigins?: string[];
}

/** A logger that drops everything. */
export const SILENT_LOGGER: SocketLogger = { info() {}, warn() {}, error() {} };
