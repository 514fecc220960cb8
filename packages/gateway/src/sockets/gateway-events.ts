import { randomUUID } from "node:crypto";
import type { Role } from "@flowork/protocol";
import type { GatewayEvents, Notification } from "../events.js";
import { background, onlineEngine, type SocketContext } from "./context.js";
import { engineRoom, userRoom } from "./types.js";

/**
 * {@link GatewayEvents} over Socket.IO. Every emit goes through rooms, so with the Redis adapter it reaches
 * sockets on every replica; every method returns at once and logs (never throws) a failure.
 */
export function createSocketEvents(ctx: SocketContext): GatewayEvents {
  const toEngine = (engineId: string) => ctx.engines.to(engineRoom(engineId));

  async function engineChanged(engineId: string): Promise<void> {
    const engine = await ctx.deps.engine(engineId);
    if (engine === undefined) return;
    // The owner may be new (a pairing code was just claimed): their GUIs join the engine's room, so room-wide
    // status events reach them as they reach sharees.
    if (engine.owner_address !== null) {
      ctx.roles.invalidate(engineId, engine.owner_address);
      ctx.guis.in(userRoom(engine.owner_address)).socketsJoin(engineRoom(engineId));
    }
    const live = await onlineEngine(ctx, engineId);
    if (live !== undefined) {
      // keep the name shown by later status updates current
      for (const s of await ctx.engines.in(engineRoom(engineId)).fetchSockets()) {
        if (s.data.name !== engine.name) s.data.name = engine.name;
      }
    }
    ctx.guis.to(engineRoom(engineId)).emit("engine_status_update", {
      engine_id: engineId,
      name: engine.name,
      status: live === undefined ? "offline" : "online",
      last_seen: live === undefined ? engine.last_seen : new Date().toISOString(),
    });
  }

  async function shareChanged(
    engineId: string,
    guest: string,
    change: "new" | "updated" | "removed",
    role: Role | undefined,
  ): Promise<void> {
    ctx.roles.invalidate(engineId, guest);
    toEngine(engineId).emit("force_refresh_auth_list", {});
    const guestRoom = userRoom(guest);
    if (change === "removed") {
      ctx.guis.in(guestRoom).socketsLeave(engineRoom(engineId));
      ctx.guis.to(guestRoom).emit("removed_shared_engine", { engine_id: engineId });
      return;
    }
    const effective = role ?? (await ctx.deps.roleOf(engineId, guest));
    if (effective === undefined) return;
    if (change === "updated") {
      ctx.guis.to(guestRoom).emit("shared_engine_updated", { engine_id: engineId, role: effective });
      return;
    }
    const [engine, live] = await Promise.all([ctx.deps.engine(engineId), onlineEngine(ctx, engineId)]);
    if (engine === undefined) return;
    ctx.guis.in(guestRoom).socketsJoin(engineRoom(engineId));
    ctx.guis.to(guestRoom).emit("new_shared_engine", {
      engine_id: engineId,
      name: engine.name,
      role: effective,
      status: live === undefined ? "offline" : "online",
      last_seen: live === undefined ? engine.last_seen : new Date().toISOString(),
    });
  }

  return {
    engineChanged: (engineId) => background(ctx, "engineChanged", () => engineChanged(engineId)),
    engineDeleted: (engineId, ownerAddress, sharedWith) => {
      ctx.roles.invalidate(engineId);
      toEngine(engineId).disconnectSockets(true);
      ctx.guis.in(engineRoom(engineId)).socketsLeave(engineRoom(engineId));
      ctx.guis.to(userRoom(ownerAddress)).emit("engine_deleted", { engine_id: engineId });
      const guests = sharedWith.map(userRoom);
      if (guests.length > 0) ctx.guis.to(guests).emit("removed_shared_engine", { engine_id: engineId });
    },
    disconnectEngine: (engineId) => toEngine(engineId).disconnectSockets(true),
    shareChanged: (engineId, guest, change, role) =>
      background(ctx, "shareChanged", () => shareChanged(engineId, guest.toLowerCase(), change, role)),
    refreshAuthList: (engineId) => {
      ctx.roles.invalidate(engineId);
      toEngine(engineId).emit("force_refresh_auth_list", {});
    },
    quotaChanged: (engineId, tier, quotas) => toEngine(engineId).emit("quota_update", { tier, quotas }),
    notify: (address, n: Notification) =>
      ctx.guis.to(userRoom(address)).emit("notification", {
        id: randomUUID(),
        level: n.level,
        title: n.title,
        text: n.text,
        ts: new Date().toISOString(),
      }),
  };
}
