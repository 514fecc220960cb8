import { AddressSchema } from "@flowork/protocol";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { type RouteDeps, typed } from "./deps.js";
import { EngineStatusSchema, ERROR_RESPONSES, Timestamp } from "./schemas.js";

const NotifyBodySchema = z.strictObject({
  address: AddressSchema,
  level: z.enum(["info", "success", "warning", "error"]),
  title: z.string().min(1).max(200),
  text: z.string().max(4000),
});

const InternalEngineSchema = z.object({
  id: z.string(),
  name: z.string(),
  owner_address: z.string().nullable(),
  status: EngineStatusSchema,
  last_seen: Timestamp.nullable(),
  created_at: Timestamp,
});

/** `/internal/*`: service to service, with `X-API-Key`. */
export function internalRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const r = typed(app);
  const internal = { preValidation: deps.auth.internal };
  const base = { tags: ["internal"], security: [{ apiKey: [] }] };

  r.post(
    "/internal/notify",
    {
      ...internal,
      schema: {
        ...base,
        summary: "Push a notification to every GUI of an address",
        body: NotifyBodySchema,
        response: { 202: z.object({ accepted: z.literal(true) }), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const { address, level, title, text } = request.body;
      deps.events.notify(address.toLowerCase(), { level, title, text });
      return reply.code(202).send({ accepted: true });
    },
  );

  r.get(
    "/internal/engines",
    {
      ...internal,
      schema: { ...base, response: { 200: z.array(InternalEngineSchema), ...ERROR_RESPONSES } },
    },
    () => deps.services.engines.listAll(),
  );
}
