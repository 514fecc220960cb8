import { FloworkError } from "@flowork/protocol";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { userAddress } from "../http/auth.js";
import { type RouteDeps, typed } from "./deps.js";
import {
  CreatedEngineSchema,
  EmptyBodySchema,
  EngineIdSchema,
  EngineNameBodySchema,
  EngineSchema,
  ERROR_RESPONSES,
  JsonObjectSchema,
  SharedEngineSchema,
} from "./schemas.js";

const IdParams = z.strictObject({ id: EngineIdSchema });

/** `/user/engines*` (but shares) and `/user/shared-engines`. */
export function engineRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const r = typed(app);
  const { engines, pairing } = deps.services;
  const user = { preValidation: deps.auth.user };
  const base = { tags: ["engines"], security: [{ signedUser: [] }] };

  r.get(
    "/user/engines",
    { ...user, schema: { ...base, response: { 200: z.array(EngineSchema), ...ERROR_RESPONSES } } },
    (request) => engines.list(userAddress(request)),
  );

  r.post(
    "/user/engines",
    {
      ...user,
      schema: {
        ...base,
        summary: "Register an engine; the raw token is shown once",
        body: EngineNameBodySchema,
        response: { 201: CreatedEngineSchema, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const created = await engines.create(userAddress(request), request.body.name);
      return reply.code(201).send(created);
    },
  );

  r.post(
    "/user/engines/claim",
    {
      ...user,
      schema: {
        ...base,
        summary: "Claim an engine with the pairing code printed by `flowork up`",
        body: z.strictObject({ code: z.string().min(1).max(64) }),
        response: { 200: EngineSchema, ...ERROR_RESPONSES },
      },
    },
    (request) => pairing.claim(request.body.code, userAddress(request)),
  );

  r.get(
    "/user/shared-engines",
    { ...user, schema: { ...base, response: { 200: z.array(SharedEngineSchema), ...ERROR_RESPONSES } } },
    (request) => engines.sharedWithMe(userAddress(request)),
  );

  r.get(
    "/user/engines/:id",
    { ...user, schema: { ...base, params: IdParams, response: { 200: EngineSchema, ...ERROR_RESPONSES } } },
    (request) => engines.get(request.params.id, userAddress(request)),
  );

  r.patch(
    "/user/engines/:id",
    {
      ...user,
      schema: {
        ...base,
        summary: "Rename (owner)",
        params: IdParams,
        body: EngineNameBodySchema,
        response: { 200: EngineSchema, ...ERROR_RESPONSES },
      },
    },
    (request) => engines.rename(request.params.id, userAddress(request), request.body.name),
  );

  r.delete(
    "/user/engines/:id",
    {
      ...user,
      schema: {
        ...base,
        summary: "Delete (owner): its token dies and its socket is cut",
        params: IdParams,
        response: { 204: z.null().describe("No content"), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      await engines.delete(request.params.id, userAddress(request));
      return reply.code(204).send(null);
    },
  );

  r.post(
    "/user/engines/:id/reset-token",
    {
      ...user,
      schema: {
        ...base,
        summary: "New token (owner); the old one stops working at once",
        params: IdParams,
        body: EmptyBodySchema,
        response: { 200: z.object({ engine_id: z.string(), token: z.string() }), ...ERROR_RESPONSES },
      },
    },
    (request) => engines.resetToken(request.params.id, userAddress(request)),
  );

  r.get(
    "/user/engines/:id/health",
    {
      ...user,
      schema: {
        ...base,
        summary: "Live health, asked of the engine over its socket",
        params: IdParams,
        response: { 200: JsonObjectSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      await engines.get(request.params.id, userAddress(request)); // any role; strangers stop here
      const health = await deps.engineHealth(request.params.id);
      if (health === undefined) throw new FloworkError("ENGINE_OFFLINE");
      return health;
    },
  );
}
