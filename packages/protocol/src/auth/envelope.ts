import { z } from "zod";
import { FloworkError } from "../errors.js";
import type { VerifiedMessage, Verifier, VerifyHooks } from "./verify.js";

/** The `auth` part of an engine envelope (SPEC section 4). */
export const EnvelopeAuthSchema = z.object({
  address: z.string(),
  message: z.string(),
  signature: z.string(),
});
export type EnvelopeAuth = z.infer<typeof EnvelopeAuthSchema>;

/** The `payload` part: a request `type`, an optional `request_id`, and the request's own fields. */
export const EnvelopePayloadSchema = z.looseObject({
  type: z.string().min(1),
  request_id: z.string().optional(),
});
export type EnvelopePayload = z.infer<typeof EnvelopePayloadSchema>;

/** One client frame of the engine WebSocket: `{auth: {address, message, signature}, payload: {type, ...}}`. */
export const EnvelopeSchema = z.object({
  auth: EnvelopeAuthSchema,
  payload: EnvelopePayloadSchema,
});
export type Envelope = z.infer<typeof EnvelopeSchema>;

/** A verified envelope: who signed it, and the payload exactly as received (the object that was hashed). */
export interface VerifiedEnvelope {
  auth: VerifiedMessage;
  payload: EnvelopePayload;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** {@link EnvelopePayloadSchema} as a plain check: the hot path skips zod, which is then run only for issues. */
function hasPayloadShape(value: unknown): value is EnvelopePayload {
  if (!isPlainObject(value)) return false;
  const { type, request_id } = value;
  return (
    typeof type === "string" &&
    type.length > 0 &&
    (request_id === undefined || typeof request_id === "string")
  );
}

/**
 * Checks the shape of an envelope, then verifies its signature for this engine (rules 1–6 of SPEC section 1).
 *
 * Codes: not an object, or `payload` not `{type: string, request_id?: string, ...}` → `BAD_REQUEST` (with
 * `details.issues`); no `auth` → `AUTH_MISSING`; `auth` not an object → `AUTH_MALFORMED`; then the verifier's
 * codes. `hooks.authorize` runs rule 7 before the nonce is remembered (see `VerifyHooks`). The payload hashed
 * and returned is the received object itself, never a schema-parsed copy, so what was signed is what runs.
 */
export async function verifyEnvelope(
  verifier: Verifier,
  envelope: unknown,
  engineId: string,
  hooks: VerifyHooks = {},
): Promise<VerifiedEnvelope> {
  if (!isPlainObject(envelope)) throw new FloworkError("BAD_REQUEST", "The frame is not an envelope object.");
  const { auth, payload } = envelope;
  if (!hasPayloadShape(payload)) {
    const shape = EnvelopePayloadSchema.safeParse(payload);
    throw new FloworkError("BAD_REQUEST", "The envelope has no valid payload.", {
      details: { issues: shape.success ? [] : shape.error.issues },
    });
  }
  if (auth === undefined || auth === null) throw new FloworkError("AUTH_MISSING");
  if (!isPlainObject(auth)) {
    throw new FloworkError("AUTH_MALFORMED", "The envelope auth is not an object.", {
      details: { field: "auth" },
    });
  }
  const verified = await verifier.verify({
    context: "GUI-to-Engine",
    address: auth["address"],
    message: auth["message"],
    signature: auth["signature"],
    engineId,
    payload,
    authorize: hooks.authorize,
  });
  return { auth: verified, payload };
}
