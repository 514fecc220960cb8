import type { FastifyInstance } from "fastify";
import { adminRoutes } from "./admin.js";
import { authRoutes } from "./auth.js";
import { billingRoutes } from "./billing.js";
import type { RouteDeps } from "./deps.js";
import { engineAuthRoutes } from "./engine-auth.js";
import { engineRoutes } from "./engines.js";
import { internalRoutes } from "./internal.js";
import { shareRoutes } from "./shares.js";
import { systemRoutes } from "./system.js";
import { userRoutes } from "./user.js";

export type { EngineHealthProbe, RouteDeps } from "./deps.js";

/** Registers every route of SPEC section 2 on `app` (mount it under `/api/v1`). */
export function registerRoutes(app: FastifyInstance, deps: RouteDeps): void {
  systemRoutes(app, deps);
  authRoutes(app, deps);
  userRoutes(app, deps);
  engineRoutes(app, deps);
  shareRoutes(app, deps);
  engineAuthRoutes(app, deps);
  billingRoutes(app, deps);
  adminRoutes(app, deps);
  internalRoutes(app, deps);
}
