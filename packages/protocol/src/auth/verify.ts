import { FloworkError, toFloworkError } from "../errors.js";
import { EMPTY_SHA256, hashApiBody, hashEnvelopePayload, type Sha256Hex, sha256Hex } from "./hash.js";
import {
  type AuthContext,
  apiScope,
  isAddress,
  isAuthContext,
  isValidApiTarget,
  type MessageFields,
  parseMessage,
  SOCKET_SCOPE,
} from "./message.js";
import type { Recoverer } from "./recover.js";
import type { ReplayCache } from "./replay.js";
import { isSignatureFormat } from "./signature.js";

/** Default auth window (SPEC section 1; setting `FLOWORK_AUTH_WINDOW_MS`). */
export const DEFAULT_AUTH_WINDOW_MS = 300_000;

/**
 * The credentials as received. Typed `unknown` on purpose: they come from headers, handshakes and frames, and
 * the verifier checks them itself.
 */
export interface Credentials {
  address?: unknown;
  message?: unknown;
  signature?: unknown;
}

/** What every verify input may carry besides the credentials. */
export interface VerifyHooks {
  /**
   * Optional rule 7, run after rules 1–6 pass and before the nonce is remembered: throw `AUTH_NOT_AUTHORIZED` or
   * `AUTH_FORBIDDEN_ROLE` (see {@link assertEngineRole}). Use it where strangers can reach the verifier (an
   * engine): their validly signed messages then never take replay-cache space, so they cannot fill it.
   */
  authorize?: (verified: VerifiedMessage) => void | Promise<void>;
}

/** An engine envelope to verify: the engine's own id and the received `payload`. */
export interface EnvelopeVerifyInput extends Credentials, VerifyHooks {
  context: "GUI-to-Engine";
  engineId: string;
  payload: unknown;
}

/** A gateway REST request to verify. */
export interface ApiVerifyInput extends Credentials, VerifyHooks {
  context: "API";
  method: string;
  /** The raw request target, path and query string as sent (e.g. express `req.originalUrl`). */
  pathWithQuery: string;
  /** The raw body bytes as received, before any JSON parsing. */
  body?: Uint8Array | string | null;
}

/** A `/gui-socket` handshake to verify. */
export interface SocketVerifyInput extends Credentials, VerifyHooks {
  context: "Socket";
}

/** What to verify: the credentials plus what the request actually is, per context. */
export type VerifyInput = EnvelopeVerifyInput | ApiVerifyInput | SocketVerifyInput;

/** A verified message. `address` is lowercase. */
export interface VerifiedMessage {
  context: AuthContext;
  address: string;
  timestamp_ms: number;
  nonce: string;
  scope: string;
  payload_sha256: string;
}

/** Options of {@link createVerifier}. Dependencies come in here; nothing is a module singleton. */
export interface VerifierOptions {
  recoverer: Recoverer;
  replayCache: ReplayCache;
  /** Accepted clock difference, both directions. Default 300 000 ms. Nonces are kept for twice this. */
  windowMs?: number;
  now?: () => number;
  /** SHA-256 for payload hashes. Default: pure JS (browser-safe); `createNodeVerifier` passes node:crypto's. */
  sha256?: Sha256Hex;
}

/** Verifies signed messages; see {@link createVerifier}. */
export interface Verifier {
  readonly windowMs: number;
  verify(input: VerifyInput): Promise<VerifiedMessage>;
}

function fail(code: "AUTH_MISSING" | "AUTH_MALFORMED", field: string, message: string): never {
  throw new FloworkError(code, message, { details: { field } });
}

function absent(value: unknown): boolean {
  return value === undefined || value === null || value === "";
}

/** Rule 1: the credentials are present and every field is well-formed. */
function checkCredentials(input: Credentials): MessageFields {
  if (absent(input.address) && absent(input.message) && absent(input.signature)) {
    fail("AUTH_MISSING", "auth", "No credentials were sent.");
  }
  if (!isAddress(input.address))
    fail("AUTH_MALFORMED", "address", "The address is not 0x + 40 hex characters.");
  const fields = parseMessage(input.message);
  if (!isSignatureFormat(input.signature)) {
    fail("AUTH_MALFORMED", "signature", "The signature is not 0x + 65 bytes with v in {27, 28, 0, 1}.");
  }
  return fields;
}

/** Rule 2: the claimed address is the message's, and the signature recovers to it. */
function checkSignature(recoverer: Recoverer, input: Credentials, fields: MessageFields): void {
  const claimed = String(input.address).toLowerCase();
  let recovered: string | undefined;
  if (claimed === fields.address) {
    try {
      recovered = recoverer.recoverAddress(String(input.message), String(input.signature));
    } catch (err) {
      if (err instanceof FloworkError) throw err;
      throw new FloworkError("AUTH_INVALID_SIGNATURE", undefined, { cause: err });
    }
  }
  if (recovered !== fields.address) {
    throw new FloworkError("AUTH_INVALID_SIGNATURE", undefined, {
      details: { reason: claimed === fields.address ? "wrong_signer" : "address_mismatch" },
    });
  }
}

/** Rule 5: the message was signed for this context and this engine, route or socket. */
function checkScope(input: VerifyInput, fields: MessageFields): void {
  let expected: string;
  if (input.context === "GUI-to-Engine") expected = input.engineId;
  else if (input.context === "API") {
    expected = isValidApiTarget(input.method, input.pathWithQuery)
      ? apiScope(input.method, input.pathWithQuery)
      : "";
  } else expected = SOCKET_SCOPE;
  if (fields.context !== input.context || fields.scope !== expected) {
    throw new FloworkError("AUTH_SCOPE_MISMATCH", undefined, {
      details: { expected_context: input.context, context: fields.context, expected_scope: expected },
    });
  }
}

/** Rule 6: the signed hash is the hash of what was actually sent. */
function checkPayload(input: VerifyInput, fields: MessageFields, sha256: Sha256Hex): void {
  let actual: string | undefined;
  try {
    if (input.context === "GUI-to-Engine") actual = hashEnvelopePayload(input.payload, sha256);
    else if (input.context === "API") actual = hashApiBody(input.body, sha256);
    else actual = EMPTY_SHA256;
  } catch {
    actual = undefined; // no canonical JSON form: it cannot match any signed hash
  }
  if (actual !== fields.payload_sha256) {
    throw new FloworkError("AUTH_PAYLOAD_MISMATCH", undefined, {
      details: { signed_sha256: fields.payload_sha256, actual_sha256: actual ?? null },
    });
  }
}

function cacheFailure(err: unknown): FloworkError {
  if (err instanceof FloworkError) return err;
  return new FloworkError("INTERNAL", "The replay cache failed.", { retryable: true, cause: err });
}

/** Calls the replay cache; a synchronous answer stays synchronous (no microtask on the in-memory hot path). */
function ask(call: () => boolean | Promise<boolean>): boolean | Promise<boolean> {
  try {
    const answer = call();
    if (typeof answer === "boolean") return answer;
    return Promise.resolve(answer).then(
      (value) => value === true,
      (err: unknown) => {
        throw cacheFailure(err);
      },
    );
  } catch (err) {
    throw cacheFailure(err);
  }
}

async function authorizeStep(
  authorize: VerifyHooks["authorize"] & {},
  verified: VerifiedMessage,
): Promise<void> {
  try {
    await authorize(verified);
  } catch (err) {
    throw toFloworkError(err);
  }
}

/**
 * Creates a verifier of SPEC section 1 signed messages. `verify` checks rules 1 to 6 in order and throws a
 * `FloworkError` with the rule's code. Rule 7 (may this address do this?) is the caller's, with
 * {@link assertEngineRole}; pass it as the input's `authorize` hook to run it before the nonce is kept.
 *
 * Order and replay bookkeeping:
 * - The nonce is remembered only after rules 1–6 (and `authorize`) all pass, so a forged signature, a message
 *   replayed to another engine or route, or a genuine message with a swapped payload never burns the nonce of
 *   the genuine request, and strangers turned away by `authorize` never take replay-cache space.
 * - To still report `AUTH_REPLAY` before scope and payload errors (the spec's order), rule 4 first peeks
 *   (`has`); at the end it remembers atomically (`checkAndRemember`), and losing that race to a concurrent copy
 *   is `AUTH_REPLAY` too.
 * - Messages outside the window are never remembered; a remembered key lives 2 × window, longer than its
 *   message can pass rule 3.
 * - The signature (the costly step) is checked before the clock because the spec orders rule 2 before rule 3.
 *
 * @example
 * const verifier = createVerifier({ recoverer: createBestRecoverer(), replayCache: new MemoryReplayCache() });
 * const who = await verifier.verify({ context: "Socket", ...socket.handshake.auth });
 */
export function createVerifier(options: VerifierOptions): Verifier {
  const { recoverer, replayCache, now = Date.now, sha256 = sha256Hex } = options;
  const windowMs = options.windowMs ?? DEFAULT_AUTH_WINDOW_MS;
  if (!Number.isSafeInteger(windowMs) || windowMs <= 0)
    throw new RangeError("windowMs must be a positive integer");
  const ttlMs = 2 * windowMs;

  async function verify(input: VerifyInput): Promise<VerifiedMessage> {
    if (typeof input !== "object" || input === null || !isAuthContext(input.context)) {
      throw new FloworkError("INTERNAL", "verify() needs an input with a known context.");
    }
    const fields = checkCredentials(input); // 1
    checkSignature(recoverer, input, fields); // 2
    const nowMs = now();
    if (!(Math.abs(nowMs - fields.timestamp_ms) <= windowMs)) {
      throw new FloworkError("AUTH_EXPIRED", undefined, {
        details: { timestamp_ms: fields.timestamp_ms, now_ms: nowMs, window_ms: windowMs },
      });
    } // 3
    const key = `${fields.address}:${fields.nonce}`;
    const seen = ask(() => replayCache.has(key));
    if (typeof seen === "boolean" ? seen : await seen) throw new FloworkError("AUTH_REPLAY"); // 4 (peek)
    checkScope(input, fields); // 5
    checkPayload(input, fields, sha256); // 6
    const verified: VerifiedMessage = {
      context: fields.context,
      address: fields.address,
      timestamp_ms: fields.timestamp_ms,
      nonce: fields.nonce,
      scope: fields.scope,
      payload_sha256: fields.payload_sha256,
    };
    if (input.authorize !== undefined) await authorizeStep(input.authorize, verified); // 7 (optional)
    const fresh = ask(() => replayCache.checkAndRemember(key, ttlMs));
    if (!(typeof fresh === "boolean" ? fresh : await fresh)) {
      throw new FloworkError("AUTH_REPLAY"); // 4 (a concurrent copy won)
    }
    return verified;
  }

  return { windowMs, verify };
}
