import type { Namespace } from "socket.io";
import type { SocketDeps, SocketLogger } from "./deps.js";
import type { RoleCache } from "./role-cache.js";
import {
  type EngineSocketData,
  type EngineToGatewayEvents,
  engineRoom,
  type GatewayToEngineEvents,
  type GatewayToGuiEvents,
  type GuiSocketData,
  type GuiToGatewayEvents,
  type InterServer,
} from "./types.js";
import type { VitalsPersister } from "./vitals-persister.js";
import type { VitalsRelay } from "./vitals-relay.js";

/** The typed `/engine-socket` namespace. */
export type EngineNamespace = Namespace<
  EngineToGatewayEvents,
  GatewayToEngineEvents,
  InterServer,
  EngineSocketData
>;
/** The typed `/gui-socket` namespace. */
export type GuiNamespace = Namespace<GuiToGatewayEvents, GatewayToGuiEvents, InterServer, GuiSocketData>;

/** What the namespace handlers and the events share. */
export interface SocketContext {
  engines: EngineNamespace;
  guis: GuiNamespace;
  deps: SocketDeps;
  log: SocketLogger;
  roles: RoleCache;
  rpcTimeoutMs: number;
  /** Batches vitals to GUIs. */
  vitals: VitalsRelay;
  /** Writes vitals to the database now and then; absent when the deps cannot store them. */
  persister: VitalsPersister | undefined;
}

/**
 * The data of the engine's connected socket, or `undefined` when it is offline. Asks every replica (through
 * the adapter), so it answers for engines connected anywhere.
 */
export async function onlineEngine(
  ctx: SocketContext,
  engineId: string,
): Promise<EngineSocketData | undefined> {
  const sockets = await ctx.engines.in(engineRoom(engineId)).fetchSockets();
  return sockets[0]?.data;
}

/** `onlineEngine` for many engines at once: one round trip. */
export async function onlineEngines(
  ctx: SocketContext,
  engineIds: string[],
): Promise<Map<string, EngineSocketData>> {
  const out = new Map<string, EngineSocketData>();
  if (engineIds.length === 0) return out;
  const sockets = await ctx.engines.in(engineIds.map(engineRoom)).fetchSockets();
  for (const s of sockets) if (s.data?.engine_id !== undefined) out.set(s.data.engine_id, s.data);
  return out;
}

/** Runs a fire-and-forget task; a failure is logged, never thrown. */
export function background(ctx: SocketContext, what: string, task: () => Promise<unknown>): void {
  void task().catch((err: unknown) => {
    ctx.log.error(`sockets: ${what} failed`, { err: err instanceof Error ? err.message : String(err) });
  });
}
