import { createHmac, timingSafeEqual } from "node:crypto";
import { FloworkError } from "@flowork/protocol";
import { z } from "zod";

/** The body of `POST /billing/webhook/:provider`. Extra fields from a provider are ignored. */
export const WebhookEventSchema = z.object({
  event_id: z.string().min(1).max(200),
  type: z.enum(["checkout.completed", "subscription.canceled"]),
  checkout_id: z.string().min(1).max(200),
});
export type WebhookEvent = z.infer<typeof WebhookEventSchema>;

/** `sha256=<hex HMAC-SHA256(body, secret)>`: the header value a sender computes. */
export function webhookSignature(rawBody: string | Uint8Array, secret: string): string {
  return `sha256=${createHmac("sha256", secret).update(rawBody).digest("hex")}`;
}

/**
 * Checks `X-Flowork-Webhook-Signature` in constant time, then parses the body.
 * @throws FloworkError AUTH_MISSING, AUTH_INVALID_SIGNATURE, BAD_REQUEST (not JSON), VALIDATION_FAILED.
 */
export function verifyWebhook(
  rawBody: string | Uint8Array,
  header: string | undefined,
  secret: string | undefined,
): WebhookEvent {
  if (header === undefined || header === "") throw new FloworkError("AUTH_MISSING", "No webhook signature.");
  if (secret === undefined || secret === "") {
    throw new FloworkError("AUTH_INVALID_SIGNATURE", "Webhooks are off: BILLING_WEBHOOK_SECRET is not set.");
  }
  const expected = Buffer.from(webhookSignature(rawBody, secret), "utf8");
  const given = Buffer.from(header.trim().toLowerCase(), "utf8");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new FloworkError("AUTH_INVALID_SIGNATURE", "The webhook signature does not match.");
  }
  let json: unknown;
  try {
    json = JSON.parse(typeof rawBody === "string" ? rawBody : Buffer.from(rawBody).toString("utf8"));
  } catch {
    throw new FloworkError("BAD_REQUEST", "The webhook body is not JSON.");
  }
  const parsed = WebhookEventSchema.safeParse(json);
  if (!parsed.success) {
    throw new FloworkError("VALIDATION_FAILED", "The webhook body does not match its schema.", {
      details: { issues: parsed.error.issues },
    });
  }
  return parsed.data;
}
