import { z } from "zod";

/** `0x` + 40 hex chars, any case on input. */
export const AddressSchema = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/, "expected 0x followed by 40 hex characters");

/** Any JSON value. Payloads are JSON values (SPEC section 5). */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export const JsonValueSchema: z.ZodType<JsonValue> = z.lazy(() =>
  z.union([
    z.null(),
    z.boolean(),
    z.number(),
    z.string(),
    z.array(JsonValueSchema),
    z.record(z.string(), JsonValueSchema),
  ]),
);

export const JsonObjectSchema = z.record(z.string(), z.unknown());

export const RoleSchema = z.enum(["reader", "runner", "admin", "owner"]);
export type Role = z.infer<typeof RoleSchema>;

const ROLE_RANK: Record<Role, number> = { reader: 0, runner: 1, admin: 2, owner: 3 };

/** True when `have` is at least as strong as `need` (reader < runner < admin < owner). */
export function roleAtLeast(have: Role, need: Role): boolean {
  return ROLE_RANK[have] >= ROLE_RANK[need];
}

export const ExecutionModeSchema = z.enum(["EXECUTE", "SIMULATE"]);
export type ExecutionMode = z.infer<typeof ExecutionModeSchema>;
