import { FloworkError } from "../errors.js";

/**
 * The signed-message format of SPEC section 1, one line:
 * `Flowork <Context> Authentication: <timestamp_ms> | address=<address> | scope=<scope> | nonce=<nonce> | payload=<sha256>`.
 */

/** The three contexts a message can be signed for. */
export const AUTH_CONTEXTS = ["GUI-to-Engine", "API", "Socket"] as const;
export type AuthContext = (typeof AUTH_CONTEXTS)[number];

/** The scope every `Socket` message carries. */
export const SOCKET_SCOPE = "gui-socket";

/**
 * Longest message accepted, in UTF-16 code units. Bounds parsing work on hostile input; an `API` scope carries a
 * path with its query string, which real servers already cap near 8 KiB.
 */
export const MAX_MESSAGE_LENGTH = 8192;

/** Separator between fields. A scope may contain spaces and `|`, but never this sequence. */
export const FIELD_SEPARATOR = " | ";

/** The parsed fields of a signed message. */
export interface MessageFields {
  context: AuthContext;
  /** Unix milliseconds when signed: a safe non-negative integer. */
  timestamp_ms: number;
  /** `0x` + 40 lowercase hex characters. */
  address: string;
  scope: string;
  /** 16 to 64 characters of `[A-Za-z0-9_-]`. */
  nonce: string;
  /** 64 lowercase hex characters. */
  payload_sha256: string;
}

const PREFIX = "Flowork ";
const HEADER_END = " Authentication: ";
const TIMESTAMP_RE = /^(?:0|[1-9][0-9]{0,15})$/;
const LOWER_ADDRESS_RE = /^0x[0-9a-f]{40}$/;
const ANY_CASE_ADDRESS_RE = /^0x[0-9a-fA-F]{40}$/;
const NONCE_RE = /^[A-Za-z0-9_-]{16,64}$/;
const SHA256_RE = /^[0-9a-f]{64}$/;
const METHOD_RE = /^[A-Z]{1,16}$/;

function malformed(field: string, reason: string): FloworkError {
  return new FloworkError("AUTH_MALFORMED", `Signed message: ${reason}.`, { details: { field } });
}

/** True for a context name of SPEC section 1. */
export function isAuthContext(value: unknown): value is AuthContext {
  return value === "GUI-to-Engine" || value === "API" || value === "Socket";
}

/** True for `0x` + 40 hex characters in any case (the form clients may send outside the message). */
export function isAddress(value: unknown): value is string {
  return typeof value === "string" && ANY_CASE_ADDRESS_RE.test(value);
}

/** True for a nonce of 16 to 64 characters of `[A-Za-z0-9_-]`. */
export function isNonce(value: unknown): value is string {
  return typeof value === "string" && NONCE_RE.test(value);
}

/** True for a lowercase hex SHA-256. */
export function isSha256Hex(value: unknown): value is string {
  return typeof value === "string" && SHA256_RE.test(value);
}

/** True when `text` has no control character (U+0000–U+001F, U+007F) and no lone UTF-16 surrogate. */
function isCleanText(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return false;
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return false;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      return false;
    }
  }
  return true;
}

/**
 * True when `scope` can sit in a message and be parsed back unchanged: not empty, no leading or trailing
 * whitespace, no control characters or lone surrogates, no ` | `, and not ending in ` |`.
 */
export function isValidScope(scope: unknown): scope is string {
  return (
    typeof scope === "string" &&
    scope.length > 0 &&
    scope.length <= MAX_MESSAGE_LENGTH &&
    scope.trim() === scope &&
    !scope.includes(FIELD_SEPARATOR) &&
    !scope.endsWith(" |") &&
    isCleanText(scope)
  );
}

/**
 * The `API` scope of a request: `<METHOD> <path with query>`, e.g. `POST /api/v1/user/engines?x=1`.
 * The method is upper-cased; the path must be the raw request target (start with `/`), not a decoded form.
 */
export function apiScope(method: string, pathWithQuery: string): string {
  return `${method.toUpperCase()} ${pathWithQuery}`;
}

/** True when `method` and `pathWithQuery` make a well-formed `API` scope. */
export function isValidApiTarget(method: unknown, pathWithQuery: unknown): boolean {
  return (
    typeof method === "string" &&
    METHOD_RE.test(method.toUpperCase()) &&
    typeof pathWithQuery === "string" &&
    pathWithQuery.startsWith("/") &&
    isValidScope(apiScope(method, pathWithQuery))
  );
}

function checkFields(fields: MessageFields): void {
  if (!isAuthContext(fields.context)) throw malformed("context", "unknown context");
  if (!Number.isSafeInteger(fields.timestamp_ms) || fields.timestamp_ms < 0) {
    throw malformed("timestamp_ms", "timestamp_ms must be a safe non-negative integer");
  }
  if (typeof fields.address !== "string" || !LOWER_ADDRESS_RE.test(fields.address)) {
    throw malformed("address", "address must be 0x followed by 40 lowercase hex characters");
  }
  if (!isValidScope(fields.scope)) throw malformed("scope", "scope is empty or not representable");
  if (!isNonce(fields.nonce)) throw malformed("nonce", "nonce must be 16 to 64 characters of [A-Za-z0-9_-]");
  if (!isSha256Hex(fields.payload_sha256)) {
    throw malformed("payload", "payload must be 64 lowercase hex characters");
  }
}

/**
 * Builds the message string for `fields`. The address may be in any case; it is written lowercase.
 * Throws `AUTH_MALFORMED` (with `details.field`) when a field is not well-formed, so whatever this returns
 * {@link parseMessage} accepts and parses back to the same fields.
 *
 * @example
 * buildMessage({ context: "Socket", timestamp_ms: Date.now(), address, scope: "gui-socket",
 *   nonce: generateNonce(), payload_sha256: EMPTY_SHA256 });
 */
export function buildMessage(fields: MessageFields): string {
  const normalised: MessageFields = {
    ...fields,
    address: isAddress(fields.address) ? fields.address.toLowerCase() : fields.address,
  };
  checkFields(normalised);
  const message =
    `${PREFIX}${normalised.context}${HEADER_END}${normalised.timestamp_ms}` +
    `${FIELD_SEPARATOR}address=${normalised.address}${FIELD_SEPARATOR}scope=${normalised.scope}` +
    `${FIELD_SEPARATOR}nonce=${normalised.nonce}${FIELD_SEPARATOR}payload=${normalised.payload_sha256}`;
  if (message.length > MAX_MESSAGE_LENGTH) throw malformed("scope", "message too long");
  return message;
}

function field(part: string | undefined, name: string): string {
  const key = `${name}=`;
  if (part === undefined || !part.startsWith(key)) throw malformed(name, `expected ${key}`);
  return part.slice(key.length);
}

/**
 * Parses a signed message strictly: every field must be well-formed and the address lowercase.
 * Throws `AUTH_MALFORMED` with `details.field` naming the first bad field.
 */
export function parseMessage(message: unknown): MessageFields {
  if (typeof message !== "string" || message.length === 0) throw malformed("message", "not a string");
  if (message.length > MAX_MESSAGE_LENGTH) throw malformed("message", "too long");
  if (!message.startsWith(PREFIX)) throw malformed("message", "does not start with 'Flowork '");
  const headerEnd = message.indexOf(HEADER_END, PREFIX.length);
  if (headerEnd < 0) throw malformed("message", "no ' Authentication: ' header");
  const context = message.slice(PREFIX.length, headerEnd);
  if (!isAuthContext(context)) throw malformed("context", "unknown context");
  const parts = message.slice(headerEnd + HEADER_END.length).split(FIELD_SEPARATOR);
  if (parts.length !== 5) throw malformed("message", "expected 5 fields separated by ' | '");
  const [timestamp, addressPart, scopePart, noncePart, payloadPart] = parts;
  if (timestamp === undefined || !TIMESTAMP_RE.test(timestamp)) {
    throw malformed("timestamp_ms", "timestamp_ms must be a non-negative integer without leading zeros");
  }
  const fields: MessageFields = {
    context,
    timestamp_ms: Number(timestamp),
    address: field(addressPart, "address"),
    scope: field(scopePart, "scope"),
    nonce: field(noncePart, "nonce"),
    payload_sha256: field(payloadPart, "payload"),
  };
  checkFields(fields);
  return fields;
}
