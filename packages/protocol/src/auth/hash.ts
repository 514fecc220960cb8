import canonicalize from "canonicalize";
import { sha256 } from "viem";
import { FloworkError } from "../errors.js";

/** SHA-256 of the empty string: the payload hash of every `Socket` message and of a body-less `API` request. */
export const EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

const encoder = new TextEncoder();

/** Lowercase hex SHA-256 of bytes, or of a string's UTF-8 encoding. Synchronous and browser-safe. */
export function sha256Hex(data: Uint8Array | string): string {
  // Always hand viem bytes: given a string that looks like hex, viem would hash the decoded bytes instead.
  const bytes = typeof data === "string" ? encoder.encode(data) : data;
  return sha256(bytes).slice(2);
}

/**
 * RFC 8785 (JCS) canonical JSON of a JSON value. Throws `VALIDATION_FAILED` for what has no JSON form
 * (undefined, functions, NaN, Infinity, BigInt, cycles, lone surrogates).
 */
export function canonicalJson(value: unknown): string {
  let text: string | undefined;
  try {
    text = canonicalize(value);
  } catch (err) {
    throw new FloworkError("VALIDATION_FAILED", "The payload has no canonical JSON form.", { cause: err });
  }
  if (typeof text !== "string") {
    throw new FloworkError("VALIDATION_FAILED", "The payload has no canonical JSON form.");
  }
  return text;
}

/** A SHA-256 to lowercase hex; a string is hashed as its UTF-8 bytes. */
export type Sha256Hex = (data: Uint8Array | string) => string;

/** The `GUI-to-Engine` payload hash: SHA-256 of the JCS canonical JSON of the envelope's `payload`. */
export function hashEnvelopePayload(payload: unknown, sha256: Sha256Hex = sha256Hex): string {
  return sha256(canonicalJson(payload));
}

/**
 * The `API` payload hash: SHA-256 of the raw request body bytes exactly as sent (a string is taken as UTF-8).
 * No body (`undefined`, `null`, empty) hashes as the empty string.
 */
export function hashApiBody(
  body: Uint8Array | string | null | undefined,
  sha256: Sha256Hex = sha256Hex,
): string {
  if (body === undefined || body === null || body.length === 0) return EMPTY_SHA256;
  return sha256(body);
}
