import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { userAddress } from "../http/auth.js";
import { rawBodyOf } from "../http/raw-body.js";
import { type RouteDeps, typed } from "./deps.js";
import {
  ERROR_RESPONSES,
  LimitsSchema,
  PlanSchema,
  SubscriptionSchema,
  TierSchema,
  Timestamp,
} from "./schemas.js";

const CheckoutSchema = z.object({
  checkout_id: z.string(),
  status: z.literal("pending"),
  provider: z.string(),
  payment_url: z.string(),
});

const UsageSchema = z.object({
  period: z.string().describe("YYYY-MM"),
  executions: z.number().int(),
  limits: LimitsSchema,
  engines: z.number().int(),
  per_engine: z.array(z.object({ engine_id: z.string(), executions: z.number().int() })),
});

const InvoiceSchema = z.object({
  id: z.string(),
  plan_id: TierSchema,
  amount: z.number(),
  currency: z.string(),
  status: z.string(),
  created_at: Timestamp,
});

/** `/billing/*`. */
export function billingRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const r = typed(app);
  const { billing } = deps.services;
  const user = { preValidation: deps.auth.user };
  const base = { tags: ["billing"], security: [{ signedUser: [] }] };

  r.get(
    "/billing/plans",
    { schema: { tags: ["billing"], response: { 200: z.array(PlanSchema), ...ERROR_RESPONSES } } },
    () => billing.plans(),
  );

  r.get(
    "/billing/subscription",
    { ...user, schema: { ...base, response: { 200: SubscriptionSchema, ...ERROR_RESPONSES } } },
    (request) => billing.subscription(userAddress(request)),
  );

  r.post(
    "/billing/checkout",
    {
      ...user,
      schema: {
        ...base,
        body: z.strictObject({
          plan_id: z.string().min(1).max(64),
          duration_months: z.number().int().min(1).max(120),
        }),
        response: { 201: CheckoutSchema, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const result = await billing.checkout(
        userAddress(request),
        request.body.plan_id,
        request.body.duration_months,
      );
      return reply.code(201).send(result);
    },
  );

  r.post(
    "/billing/webhook/:provider",
    {
      schema: {
        tags: ["billing"],
        summary:
          "Payment provider webhook. Header X-Flowork-Webhook-Signature: sha256=<hex HMAC-SHA256 of the raw body " +
          "with BILLING_WEBHOOK_SECRET>; body {event_id, type: checkout.completed | subscription.canceled, " +
          "checkout_id}; idempotent on event_id. The body is checked by the provider after the signature.",
        params: z.strictObject({ provider: z.string().regex(/^[a-z0-9_-]{1,32}$/) }),
        response: { 200: z.object({ event_id: z.string(), duplicate: z.boolean() }), ...ERROR_RESPONSES },
      },
    },
    (request) => {
      const signature = request.headers["x-flowork-webhook-signature"];
      return billing.webhook(
        request.params.provider,
        rawBodyOf(request) ?? "",
        typeof signature === "string" ? signature : undefined,
      );
    },
  );

  r.get(
    "/billing/usage",
    { ...user, schema: { ...base, response: { 200: UsageSchema, ...ERROR_RESPONSES } } },
    (request) => billing.usage(userAddress(request)),
  );

  r.get(
    "/billing/invoices",
    { ...user, schema: { ...base, response: { 200: z.array(InvoiceSchema), ...ERROR_RESPONSES } } },
    (request) => billing.invoices(userAddress(request)),
  );
}
