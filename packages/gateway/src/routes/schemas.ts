import { AddressSchema, ERROR_CODES, RoleSchema } from "@flowork/protocol";
import { z } from "zod";

/*
 * Zod schemas of the gateway's REST wire shapes (SPEC section 2). Request bodies are strict (unknown fields are
 * `VALIDATION_FAILED`); response schemas describe the success shapes and drop anything extra a service returns.
 */

/** ISO-8601 UTC timestamp string. */
export const Timestamp = z.string().describe("ISO-8601 UTC timestamp");

export const TierSchema = z.enum(["free", "builder", "creator", "architect", "enterprise"]);

/** An engine id in a path. */
export const EngineIdSchema = z.string().min(1).max(128).describe("Engine id");

/** `{"error": {code, message, details?}}` (SPEC section 2). */
export const ErrorResponseSchema = z
  .object({
    error: z.object({
      code: z.enum(ERROR_CODES as [string, ...string[]]),
      message: z.string(),
      details: z.record(z.string(), z.unknown()).optional(),
    }),
  })
  .describe("Error (SPEC section 9)");

/** Error responses every route may give, for the OpenAPI document. */
export const ERROR_RESPONSES = { "4xx": ErrorResponseSchema, "5xx": ErrorResponseSchema } as const;

/** A `{message}` answer. */
export const MessageSchema = z.object({ message: z.string() });

/** `PlanLimits`: `null` is unlimited. */
export const LimitsSchema = z.object({
  engines: z.number().int().nullable(),
  shares_per_engine: z.number().int().nullable(),
  monthly_executions: z.number().int().nullable(),
});

export const ProfileSchema = z.object({
  public_address: z.string(),
  username: z.string(),
  email: z.string().nullable(),
  name: z.string().nullable(),
  bio: z.string().nullable(),
  avatar: z.string().nullable(),
  tier: TierSchema,
  permissions: z.array(z.string()),
  created_at: Timestamp,
});

export const PublicProfileSchema = z.object({
  public_address: z.string(),
  username: z.string(),
  name: z.string().nullable(),
  bio: z.string().nullable(),
  avatar: z.string().nullable(),
  created_at: Timestamp,
});

/** `PATCH /user/profile`: `null` clears an optional field. */
export const ProfilePatchSchema = z.strictObject({
  username: z
    .string()
    .regex(/^[a-z0-9_]{3,32}$/, "3 to 32 of [a-z0-9_]")
    .optional(),
  email: z.email().max(254).nullable().optional(),
  name: z.string().max(100).nullable().optional(),
  bio: z.string().max(1000).nullable().optional(),
  avatar: z.string().max(2048).nullable().optional(),
});

/** A JSON object. */
export const JsonObjectSchema = z.record(z.string(), z.unknown());

export const EngineStatusSchema = z.enum(["online", "offline"]);

export const EngineSchema = z.object({
  id: z.string(),
  name: z.string(),
  status: EngineStatusSchema,
  last_seen: Timestamp.nullable(),
  vitals: JsonObjectSchema.nullable(),
  role: RoleSchema,
  created_at: Timestamp,
});

export const SharedEngineSchema = EngineSchema.extend({
  owner: z.object({ public_address: z.string(), username: z.string() }).nullable(),
  shared_at: Timestamp,
});

/** An engine name. */
export const EngineNameSchema = z.string().trim().min(1).max(100);

export const EngineNameBodySchema = z.strictObject({ name: EngineNameSchema });

export const CreatedEngineSchema = z.object({
  id: z.string(),
  name: z.string(),
  status: z.literal("offline"),
  raw_token: z.string().describe("Shown once; only its SHA-256 is stored"),
});

export const ShareSchema = z.object({
  public_address: z.string(),
  username: z.string(),
  role: RoleSchema,
  shared_at: Timestamp,
});

/** `POST /user/engines/:id/shares`: exactly one of `address` or `username`. */
export const ShareBodySchema = z
  .strictObject({
    address: AddressSchema.optional(),
    username: z.string().min(1).max(64).optional(),
    role: RoleSchema.exclude(["owner"]),
  })
  .refine((b) => (b.address === undefined) !== (b.username === undefined), {
    message: "exactly one of address or username",
    path: ["address"],
  });

export const EngineAuthInfoSchema = z.object({
  engine_id: z.string(),
  name: z.string(),
  owner_address: z.string().nullable(),
  authorized_addresses: z.array(z.string()),
  shares: z.array(z.object({ address: z.string(), role: RoleSchema })),
  tier: TierSchema,
  quotas: LimitsSchema,
  disabled_components: z.array(z.string()),
});

export const PriceSchema = z.object({
  duration_months: z.number().int().min(1).max(120),
  price: z.number().min(0),
  currency: z.string().min(3).max(8),
});

export const PlanSchema = z.object({
  id: TierSchema,
  name: z.string(),
  description: z.string(),
  prices: z.array(PriceSchema),
  limits: LimitsSchema,
});

export const SubscriptionSchema = z.object({
  plan_id: TierSchema,
  tier: TierSchema,
  status: z.enum(["active", "pending", "expired"]),
  expires_at: Timestamp.nullable(),
  provider: z.string().nullable(),
});

/** A module id as engines know it. */
export const ModuleIdSchema = z.string().regex(/^[a-z0-9_.-]{1,100}$/, "1 to 100 of [a-z0-9_.-]");

/** A route that takes no fields: no body (fastify gives `null`) or `{}`. */
export const EmptyBodySchema = z.strictObject({}).nullish();
