import { createHash, timingSafeEqual } from "node:crypto";
import { FloworkError, type VerifiedMessage, type Verifier } from "@flowork/protocol";
import type { RateLimiter } from "@flowork/protocol/node";
import type { FastifyReply, FastifyRequest, preValidationAsyncHookHandler } from "fastify";
import type { EngineIdentity } from "../services/types.js";
import { rawBodyOf } from "./raw-body.js";

/** `X-Engine-Token` format (SPEC section 2). */
const ENGINE_TOKEN_RE = /^dev_engine_[0-9a-f]{32}$/;

/** Who is calling, once a route's auth hook has run. */
export type Caller =
  | { kind: "user"; address: string; admin: boolean; message: VerifiedMessage }
  | { kind: "engine"; engine: EngineIdentity }
  | { kind: "internal" };

const callers = new WeakMap<FastifyRequest, Caller>();

/** What the auth hooks need. */
export interface AuthDeps {
  verifier: Verifier;
  /** Resolves an engine token; `undefined` for unknown or revoked ones. */
  engineByToken(rawToken: string): Promise<EngineIdentity | undefined>;
  /** `GATEWAY_SECRET_TOKEN`; when unset every internal request is refused. */
  secretToken: string | undefined;
  /** Lowercase admin addresses (`FLOWORK_ADMIN_ADDRESSES`). */
  adminAddresses: readonly string[];
  /** Per-caller limiter (key: address, or `engine:<id>`). */
  limiter: RateLimiter;
}

/** The preValidation hooks that authenticate a route, one per SPEC section 2 auth kind. */
export interface AuthHooks {
  user: preValidationAsyncHookHandler;
  admin: preValidationAsyncHookHandler;
  engine: preValidationAsyncHookHandler;
  internal: preValidationAsyncHookHandler;
}

/** One header value: a header sent twice (an array) counts as malformed, never as the first copy. */
function header(request: FastifyRequest, name: string): string | undefined | null {
  const value = request.headers[name];
  if (value === undefined) return undefined;
  return typeof value === "string" ? value : null;
}

function rateLimited(retryAfterMs: number): FloworkError {
  return new FloworkError("RATE_LIMITED", undefined, {
    retryable: true,
    details: { retry_after_ms: retryAfterMs },
  });
}

const sha = (text: string): Buffer => createHash("sha256").update(text, "utf8").digest();

/** Constant-time comparison of two strings of any length (both hashed first). */
export function safeEqual(a: string, b: string): boolean {
  return timingSafeEqual(sha(a), sha(b));
}

/**
 * The caller the route's auth hook accepted.
 * @throws FloworkError INTERNAL when the route has no auth hook of that kind (a wiring bug).
 */
export function callerOf<K extends Caller["kind"]>(
  request: FastifyRequest,
  kind: K,
): Extract<Caller, { kind: K }> {
  const caller = callers.get(request);
  if (caller?.kind !== kind) throw new FloworkError("INTERNAL", `route has no ${kind} auth`);
  return caller as Extract<Caller, { kind: K }>;
}

/** The verified address of a signed user request (lowercase). */
export function userAddress(request: FastifyRequest): string {
  return callerOf(request, "user").address;
}

/**
 * Builds the auth hooks of SPEC section 2:
 * - `user`: `X-User-Address`, `X-Signed-Message`, `X-Signature`, Context `API`, scope `<METHOD> <raw request
 *   target>`, payload = SHA-256 of the raw body bytes. The rate limit and (for `admin`) the admin check run in
 *   the verifier's `authorize` step, so a refused request never burns its nonce or takes replay-cache space.
 * - `engine`: `X-Engine-Token` → `AUTH_INVALID_TOKEN` when malformed, unknown or revoked.
 * - `internal`: `X-API-Key` compared in constant time with `GATEWAY_SECRET_TOKEN`.
 * A missing credential is `AUTH_MISSING` in every case.
 */
export function createAuthHooks(deps: AuthDeps): AuthHooks {
  const admins = new Set(deps.adminAddresses.map((a) => a.toLowerCase()));

  function takeToken(key: string): void {
    const r = deps.limiter.take(key);
    if (!r.ok) throw rateLimited(r.retryAfterMs);
  }

  async function verifyUser(request: FastifyRequest, needAdmin: boolean): Promise<void> {
    const credentials = {
      address: header(request, "x-user-address"),
      message: header(request, "x-signed-message"),
      signature: header(request, "x-signature"),
    };
    if (credentials.address === null || credentials.message === null || credentials.signature === null) {
      throw new FloworkError("AUTH_MALFORMED", "An auth header was sent more than once.");
    }
    let admin = false;
    const message = await deps.verifier.verify({
      context: "API",
      ...credentials,
      method: request.method,
      pathWithQuery: request.url,
      body: rawBodyOf(request) ?? null,
      authorize: (verified) => {
        admin = admins.has(verified.address);
        if (needAdmin && !admin) {
          throw new FloworkError(
            "AUTH_FORBIDDEN_ROLE",
            "This route is for operators (FLOWORK_ADMIN_ADDRESSES).",
          );
        }
        takeToken(verified.address);
      },
    });
    callers.set(request, { kind: "user", address: message.address, admin, message });
  }

  return {
    user: async (request: FastifyRequest, _reply: FastifyReply) => verifyUser(request, false),
    admin: async (request: FastifyRequest, _reply: FastifyReply) => verifyUser(request, true),
    engine: async (request: FastifyRequest, _reply: FastifyReply) => {
      const token = header(request, "x-engine-token");
      if (token === undefined || token === "")
        throw new FloworkError("AUTH_MISSING", "No X-Engine-Token header.");
      if (token === null || !ENGINE_TOKEN_RE.test(token)) throw new FloworkError("AUTH_INVALID_TOKEN");
      const engine = await deps.engineByToken(token);
      if (engine === undefined) throw new FloworkError("AUTH_INVALID_TOKEN");
      takeToken(`engine:${engine.engine_id}`);
      callers.set(request, { kind: "engine", engine });
    },
    internal: async (request: FastifyRequest, _reply: FastifyReply) => {
      const key = header(request, "x-api-key");
      if (key === undefined || key === "") throw new FloworkError("AUTH_MISSING", "No X-API-Key header.");
      const expected = deps.secretToken;
      if (key === null || expected === undefined || expected === "" || !safeEqual(key, expected)) {
        throw new FloworkError("AUTH_INVALID_API_KEY");
      }
      callers.set(request, { kind: "internal" });
    },
  };
}
