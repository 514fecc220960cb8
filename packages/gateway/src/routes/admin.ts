import { AddressSchema } from "@flowork/protocol";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { type RouteDeps, typed } from "./deps.js";
import {
  EmptyBodySchema,
  ERROR_RESPONSES,
  PlanSchema,
  PriceSchema,
  SubscriptionSchema,
  TierSchema,
  Timestamp,
} from "./schemas.js";

const AdminUserSchema = z.object({
  public_address: z.string(),
  username: z.string(),
  email: z.string().nullable(),
  tier: TierSchema,
  engines: z.number().int(),
  created_at: Timestamp,
});

const Limit = z.number().int().min(0).nullable();

const PlanPatchSchema = z.strictObject({
  name: z.string().min(1).max(100).optional(),
  description: z.string().max(1000).optional(),
  prices: z.array(z.strictObject(PriceSchema.shape)).max(24).optional(),
  limits: z
    .strictObject({
      engines: Limit.optional(),
      shares_per_engine: Limit.optional(),
      monthly_executions: Limit.optional(),
    })
    .optional(),
});

/** `/admin/*`: operator tasks, for addresses in `FLOWORK_ADMIN_ADDRESSES`. */
export function adminRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const r = typed(app);
  const { users, billing } = deps.services;
  const admin = { preValidation: deps.auth.admin };
  const base = { tags: ["admin"], security: [{ signedUser: [] }] };

  r.get(
    "/admin/users",
    { ...admin, schema: { ...base, response: { 200: z.array(AdminUserSchema), ...ERROR_RESPONSES } } },
    () => users.listUsers(),
  );

  r.put(
    "/admin/plans/:id",
    {
      ...admin,
      schema: {
        ...base,
        params: z.strictObject({ id: z.string().min(1).max(64) }),
        body: PlanPatchSchema,
        response: { 200: PlanSchema, ...ERROR_RESPONSES },
      },
    },
    (request) => billing.setPlan(request.params.id, request.body),
  );

  r.post(
    "/admin/users/:address/subscription",
    {
      ...admin,
      schema: {
        ...base,
        summary: "Grant a plan for some months from now (provider admin)",
        params: z.strictObject({ address: AddressSchema }),
        body: z.strictObject({
          plan_id: z.string().min(1).max(64),
          months: z.number().int().min(1).max(120),
        }),
        response: { 200: SubscriptionSchema, ...ERROR_RESPONSES },
      },
    },
    (request) => billing.grantSubscription(request.params.address, request.body.plan_id, request.body.months),
  );

  r.post(
    "/admin/checkouts/:id/complete",
    {
      ...admin,
      schema: {
        ...base,
        summary: "Complete a pending checkout (the manual payment provider)",
        params: z.strictObject({ id: z.string().min(1).max(128) }),
        body: EmptyBodySchema,
        response: { 200: SubscriptionSchema, ...ERROR_RESPONSES },
      },
    },
    (request) => billing.completeCheckout(request.params.id),
  );
}
