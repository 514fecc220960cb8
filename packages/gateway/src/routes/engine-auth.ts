import type { FastifyInstance } from "fastify";
import { callerOf } from "../http/auth.js";
import { type RouteDeps, typed } from "./deps.js";
import { EngineAuthInfoSchema, ERROR_RESPONSES } from "./schemas.js";

/** `/engine/*`: what an engine (by its token) asks of the gateway. */
export function engineAuthRoutes(app: FastifyInstance, deps: RouteDeps): void {
  typed(app).get(
    "/engine/get-engine-auth-info",
    {
      preValidation: deps.auth.engine,
      schema: {
        tags: ["engine"],
        summary: "The engine's owner, shares, tier, quotas and the kill switch",
        security: [{ engineToken: [] }],
        response: { 200: EngineAuthInfoSchema, ...ERROR_RESPONSES },
      },
    },
    (request) => deps.services.engines.authInfo(callerOf(request, "engine").engine.engine_id),
  );
}
