import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { type RouteDeps, typed } from "./deps.js";
import { ERROR_RESPONSES, ModuleIdSchema } from "./schemas.js";

const HealthSchema = z.object({
  status: z.enum(["healthy", "unhealthy"]),
  database: z.enum(["connected", "disconnected"]),
});

/** `PUT /system/disabled-components`: the full list, as a bare array or `{disabled_components: [...]}`. */
const DisabledBodySchema = z.union([
  z.array(ModuleIdSchema).max(1000),
  z.strictObject({ disabled_components: z.array(ModuleIdSchema).max(1000) }),
]);

/** `/system/*`: health, info and the component kill switch. */
export function systemRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const r = typed(app);
  const { services, config } = deps;

  r.get(
    "/system/health",
    {
      schema: {
        tags: ["system"],
        summary: "Liveness with a real database ping",
        response: { 200: HealthSchema, 503: HealthSchema },
      },
    },
    async (_request, reply) => {
      let ok = false;
      try {
        ok = await deps.pingDatabase();
      } catch {
        ok = false;
      }
      if (!ok) return reply.code(503).send({ status: "unhealthy", database: "disconnected" });
      return { status: "healthy", database: "connected" } as const;
    },
  );

  r.get(
    "/system/info",
    {
      schema: {
        tags: ["system"],
        summary: "Version and public settings",
        response: {
          200: z.object({
            version: z.string(),
            billing_enabled: z.boolean(),
            auth_window_ms: z.number().int(),
            license_public_key: z.string(),
          }),
          ...ERROR_RESPONSES,
        },
      },
    },
    async () => ({
      version: config.version,
      billing_enabled: config.billingEnabled,
      auth_window_ms: config.authWindowMs,
      license_public_key: await services.billing.licensePublicKey(),
    }),
  );

  r.get(
    "/system/disabled-components",
    {
      schema: {
        tags: ["system"],
        summary: "Global kill switch: module ids engines refuse to run",
        response: { 200: z.array(z.string()), ...ERROR_RESPONSES },
      },
    },
    () => services.billing.disabledComponents(),
  );

  r.put(
    "/system/disabled-components",
    {
      preValidation: deps.auth.admin,
      schema: {
        tags: ["admin"],
        summary: "Replace the kill switch list (operators)",
        security: [{ signedUser: [] }],
        body: DisabledBodySchema,
        response: { 200: z.array(z.string()), ...ERROR_RESPONSES },
      },
    },
    (request) =>
      services.billing.setDisabledComponents(
        Array.isArray(request.body) ? request.body : request.body.disabled_components,
      ),
  );
}
