import { AddressSchema } from "@flowork/protocol";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { userAddress } from "../http/auth.js";
import { type RouteDeps, typed } from "./deps.js";
import { EngineIdSchema, ERROR_RESPONSES, ShareBodySchema, ShareSchema } from "./schemas.js";

/** `/user/engines/:id/shares*`. */
export function shareRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const r = typed(app);
  const { shares } = deps.services;
  const user = { preValidation: deps.auth.user };
  const base = { tags: ["shares"], security: [{ signedUser: [] }] };

  r.get(
    "/user/engines/:id/shares",
    {
      ...user,
      schema: {
        ...base,
        summary: "Who the engine is shared with (owner or admin role)",
        params: z.strictObject({ id: EngineIdSchema }),
        response: { 200: z.array(ShareSchema), ...ERROR_RESPONSES },
      },
    },
    (request) => shares.list(request.params.id, userAddress(request)),
  );

  r.post(
    "/user/engines/:id/shares",
    {
      ...user,
      schema: {
        ...base,
        summary: "Share with an address or username, or change the role (owner); 201 either way",
        params: z.strictObject({ id: EngineIdSchema }),
        body: ShareBodySchema,
        response: { 201: ShareSchema.extend({ created: z.boolean() }), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const { share, created } = await shares.share(request.params.id, userAddress(request), request.body);
      return reply.code(201).send({ ...share, created });
    },
  );

  r.delete(
    "/user/engines/:id/shares/:address",
    {
      ...user,
      schema: {
        ...base,
        summary: "Stop sharing (owner)",
        params: z.strictObject({ id: EngineIdSchema, address: AddressSchema }),
        response: { 204: z.null().describe("No content"), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      await shares.unshare(request.params.id, userAddress(request), request.params.address);
      return reply.code(204).send(null);
    },
  );
}
