import {
  EngineHandshakeSchema,
  FloworkError,
  ForwardEventToGuiSchema,
  UsageReportSchema,
} from "@flowork/protocol";
import type { Socket } from "socket.io";
import { background, type SocketContext } from "./context.js";
import {
  type EngineSocketData,
  type EngineToGatewayEvents,
  engineRoom,
  type GatewayToEngineEvents,
  type InterServer,
  userRoom,
} from "./types.js";
import { connectError } from "./wire.js";

type EngineSocket = Socket<EngineToGatewayEvents, GatewayToEngineEvents, InterServer, EngineSocketData>;

/** `/engine-socket`: token handshake, presence, vitals, relayed events and usage (SPEC section 3). */
export function setupEngineNamespace(ctx: SocketContext): void {
  ctx.engines.use((socket, next) => {
    const parsed = EngineHandshakeSchema.safeParse(socket.handshake.auth);
    if (!parsed.success) {
      next(connectError(new FloworkError("AUTH_INVALID_TOKEN")));
      return;
    }
    ctx.deps.authenticateEngine(parsed.data.token).then(
      (engine) => {
        if (engine === undefined) {
          next(connectError(new FloworkError("AUTH_INVALID_TOKEN")));
          return;
        }
        socket.data = {
          engine_id: engine.engine_id,
          name: engine.name,
          owner_address: engine.owner_address?.toLowerCase() ?? null,
          vitals: null,
          connected_at: new Date().toISOString(),
        };
        next();
      },
      (err: unknown) => next(connectError(err)),
    );
  });
  ctx.engines.on("connection", (socket) => onEngine(ctx, socket));
}

function onEngine(ctx: SocketContext, socket: EngineSocket): void {
  const { engine_id: engineId, name, owner_address } = socket.data;
  const room = engineRoom(engineId);
  // Queued, validated in the relay's drain, sent to GUIs in the next batch (see VitalsRelay).
  socket.on("engine_vitals_update", (raw: unknown) => ctx.vitals.receive(socket, raw));
  socket.on("forward_event_to_gui", (raw: unknown) => {
    const parsed = ForwardEventToGuiSchema.safeParse(raw);
    if (!parsed.success) return;
    const { event_name, event_data, target_address } = parsed.data;
    const body = { engine_id: engineId, event_name, event_data };
    if (target_address === undefined) {
      ctx.guis.to(room).emit("engine_event", body);
      return;
    }
    const target = target_address.toLowerCase();
    background(ctx, "forward_event_to_gui", async () => {
      if ((await ctx.roles.get(engineId, target)) !== undefined) {
        ctx.guis.to(userRoom(target)).emit("engine_event", body);
      }
    });
  });
  socket.on("usage_report", (raw: unknown) => {
    const parsed = UsageReportSchema.safeParse(raw);
    const record = ctx.deps.recordUsage;
    if (!parsed.success || record === undefined || parsed.data.executions === 0) return;
    background(ctx, "recordUsage", () => record(engineId, parsed.data.period, parsed.data.executions));
  });
  socket.on("disconnect", () => {
    ctx.vitals.forget(engineId, socket.id);
    background(ctx, "engine offline", async () => {
      // A reconnect that replaced this socket keeps the engine online.
      const still = await ctx.engines.in(room).fetchSockets();
      if (still.length > 0) return;
      const at = new Date();
      ctx.guis.to(room).emit("engine_status_update", {
        engine_id: engineId,
        name: socket.data.name,
        status: "offline",
        last_seen: at.toISOString(),
      });
      // Its last vitals are written before the presence update, never after it.
      await ctx.persister?.persistEngine(engineId);
      await ctx.deps.markPresence?.(engineId, "offline", at);
    });
  });

  void socket.join(room);
  // One socket per engine: an older connection (on any replica) is cut.
  ctx.engines.in(room).except(socket.id).disconnectSockets(true);
  socket.emit("auth_success", { engine_id: engineId, name, owner_address });
  const at = new Date();
  ctx.guis.to(room).emit("engine_status_update", {
    engine_id: engineId,
    name,
    status: "online",
    last_seen: at.toISOString(),
  });
  const mark = ctx.deps.markPresence;
  if (mark !== undefined) background(ctx, "markPresence", () => mark(engineId, "online", at));
  ctx.log.info("engine connected", { engine_id: engineId });
}
