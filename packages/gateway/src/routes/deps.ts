import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import type { GatewayConfig } from "../config.js";
import type { GatewayEvents } from "../events.js";
import type { AuthHooks } from "../http/auth.js";
import type { GatewayServices } from "../services/types.js";

/** Live health of an engine, as the engine answers it; `undefined` when the engine is not connected. */
export type EngineHealthProbe = (engineId: string) => Promise<Record<string, unknown> | undefined>;

/** What every route group gets. */
export interface RouteDeps {
  config: GatewayConfig;
  services: GatewayServices;
  events: GatewayEvents;
  auth: AuthHooks;
  /** True when the database answers (`GET /system/health`). */
  pingDatabase(): Promise<boolean>;
  engineHealth: EngineHealthProbe;
}

/** A fastify instance whose routes are typed by their zod schemas. */
export type ZodApp = ReturnType<typeof typed>;

/** `app` with the zod type provider. */
export function typed(app: FastifyInstance) {
  return app.withTypeProvider<ZodTypeProvider>();
}
