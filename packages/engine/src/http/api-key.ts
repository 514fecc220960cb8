import { createHash, timingSafeEqual } from "node:crypto";
import { FloworkError } from "@flowork/protocol";

const digest = (text: string): Buffer => createHash("sha256").update(text, "utf8").digest();

/**
 * Checks the `X-API-Key` header of the internal HTTP routes (`/health`, `/metrics`; SPEC section 4) against
 * `GATEWAY_SECRET_TOKEN`. Both sides are hashed with SHA-256 before a `timingSafeEqual`, so the comparison takes
 * the same time whatever the key's length or how much of it matches.
 *
 * When no key is configured (`expected` undefined or empty) every request is refused: an unset secret must
 * never mean "open". A header sent more than once (an array) is refused too.
 *
 * @throws FloworkError AUTH_INVALID_API_KEY when the key is missing, wrong, or none is configured.
 * @example
 * checkApiKey(req.headers["x-api-key"], config.apiKey);
 */
export function checkApiKey(header: string | string[] | undefined, expected: string | undefined): void {
  if (expected === undefined || expected === "") {
    throw new FloworkError(
      "AUTH_INVALID_API_KEY",
      "no internal API key is configured (GATEWAY_SECRET_TOKEN)",
    );
  }
  if (typeof header !== "string" || header === "") {
    throw new FloworkError("AUTH_INVALID_API_KEY", "missing X-API-Key header");
  }
  if (!timingSafeEqual(digest(header), digest(expected))) throw new FloworkError("AUTH_INVALID_API_KEY");
}

/** {@link checkApiKey} as a boolean. */
export function isApiKeyValid(header: string | string[] | undefined, expected: string | undefined): boolean {
  try {
    checkApiKey(header, expected);
    return true;
  } catch {
    return false;
  }
}
