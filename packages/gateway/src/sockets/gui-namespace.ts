import { randomUUID } from "node:crypto";
import {
  type EngineStatusRow,
  FloworkError,
  GuiHandshakeSchema,
  RpcAckSchema,
  RpcForwardSchema,
} from "@flowork/protocol";
import type { Socket } from "socket.io";
import { background, onlineEngines, type SocketContext } from "./context.js";
import {
  engineRoom,
  type GatewayToGuiEvents,
  type GuiSocketData,
  type GuiToGatewayEvents,
  type InterServer,
  type RpcAck,
  userRoom,
} from "./types.js";
import { answer, connectError, failure, validationFailure } from "./wire.js";

type GuiSocket = Socket<GuiToGatewayEvents, GatewayToGuiEvents, InterServer, GuiSocketData>;

/** `/gui-socket`: signed handshake, initial statuses, RPC forwarding (SPEC section 3). */
export function setupGuiNamespace(ctx: SocketContext): void {
  ctx.guis.use((socket, next) => {
    const parsed = GuiHandshakeSchema.safeParse(socket.handshake.auth ?? {});
    if (!parsed.success) {
      next(connectError(new FloworkError("AUTH_MALFORMED")));
      return;
    }
    const creds = parsed.data;
    ctx.deps.verifier
      .verify({
        context: "Socket",
        address: creds.address,
        message: creds.message,
        signature: creds.signature,
      })
      .then(
        (verified) => {
          // Opting in to batched vitals changes only the shape of what this socket receives, not what.
          socket.data = { address: verified.address, vitals_batch: creds.vitals_batch === true };
          next();
        },
        (err: unknown) => next(connectError(err)),
      );
  });
  ctx.guis.on("connection", (socket) => onGui(ctx, socket));
}

function onGui(ctx: SocketContext, socket: GuiSocket): void {
  const address = socket.data.address;
  socket.on("rpc_forward_to_engine", (raw: unknown, ack: unknown) => {
    if (typeof ack !== "function") return; // an RPC with no ack has nobody to answer to
    background(ctx, "rpc_forward_to_engine", async () => answer(ack, await forward(ctx, address, raw)));
  });
  void socket.join(userRoom(address));
  background(ctx, "initial_engine_statuses", async () => {
    const engines = await ctx.deps.visibleEngines(address);
    if (!socket.connected) return;
    socket.join(engines.map((e) => engineRoom(e.engine_id)));
    const online = await onlineEngines(
      ctx,
      engines.map((e) => e.engine_id),
    );
    const rows: EngineStatusRow[] = engines.map((e) => {
      const live = online.get(e.engine_id);
      return {
        engine_id: e.engine_id,
        name: e.name,
        status: live === undefined ? "offline" : "online",
        last_seen: live === undefined ? e.last_seen : new Date().toISOString(),
        vitals: live?.vitals ?? null,
        role: e.role,
      };
    });
    socket.emit("initial_engine_statuses", rows);
  });
}

function requestIdOf(envelope: Record<string, unknown>): string {
  const payload = envelope["payload"];
  if (typeof payload === "object" && payload !== null) {
    const id = (payload as Record<string, unknown>)["request_id"];
    if (typeof id === "string" && id.length > 0 && id.length <= 128) return id;
  }
  return randomUUID();
}

/**
 * Forwards one GUI command to its engine, wherever the engine is connected (a broadcast with ack to the
 * engine's room works across replicas). The envelope is passed on untouched: the engine verifies it.
 */
async function forward(ctx: SocketContext, address: string, raw: unknown): Promise<RpcAck> {
  const parsed = RpcForwardSchema.safeParse(raw);
  if (!parsed.success) return validationFailure(parsed.error);
  const { engine_id, envelope } = parsed.data;
  // A role seen in the last few seconds is reused (share changes on this replica invalidate it at once); "no
  // role" is always asked again, so a fresh share works at once. The engine verifies the envelope itself anyway.
  const role = (await ctx.roles.get(engine_id, address)) ?? (await ctx.deps.roleOf(engine_id, address));
  if (role === undefined) return failure("AUTH_NOT_AUTHORIZED");
  const body = { request_id: requestIdOf(envelope), envelope };
  return new Promise<RpcAck>((resolve) => {
    ctx.engines
      .to(engineRoom(engine_id))
      .timeout(ctx.rpcTimeoutMs)
      .emit("execute_rpc_from_gui", body, (err: Error | null, responses: RpcAck[]) => {
        const first = responses[0];
        if (first === undefined) {
          resolve(err === null ? failure("ENGINE_OFFLINE") : failure("TIMEOUT"));
          return;
        }
        const checked = RpcAckSchema.safeParse(first);
        resolve(
          checked.success ? checked.data : failure("INTERNAL", "The engine answered with a malformed ack."),
        );
      });
  });
}
