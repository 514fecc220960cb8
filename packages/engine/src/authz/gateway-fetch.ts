import { FloworkError, toValidationIssues } from "@flowork/protocol";
import { type AuthInfo, AuthInfoSchema } from "./types.js";

/** The gateway route that answers with the engine's authorization list (SPEC section 2). */
export const AUTH_INFO_PATH = "/api/v1/engine/get-engine-auth-info";
/** A gateway answer larger than this is refused (10 000 shares fit in well under 2 MiB). */
export const MAX_AUTH_INFO_BYTES = 4 * 1024 * 1024;

/** Why fetching the list did not produce one. */
export type AuthFetchFailure =
  | "unreachable"
  | "timeout"
  | "http_error"
  | "invalid_body"
  | "revoked"
  | "stopped";

/** The outcome of {@link fetchAuthInfo}. */
export type AuthFetchResult =
  | { ok: true; info: AuthInfo }
  | { ok: false; reason: AuthFetchFailure; message: string; status?: number; issues?: unknown[] };

/**
 * The full URL of the auth-info route for a gateway base URL. `GATEWAY_API_URL` may be given with or without
 * `/api/v1` and with or without a trailing slash; a query string or fragment is dropped.
 *
 * @throws FloworkError VALIDATION_FAILED when it is not an http(s) URL.
 */
export function authInfoUrl(gatewayUrl: string): string {
  let url: URL;
  try {
    url = new URL(gatewayUrl);
  } catch {
    throw new FloworkError("VALIDATION_FAILED", "the gateway URL is not a valid URL", {
      details: { issues: [{ path: ["gatewayUrl"], code: "invalid_url", message: "not a URL" }] },
    });
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new FloworkError("VALIDATION_FAILED", "the gateway URL must start with http:// or https://", {
      details: { issues: [{ path: ["gatewayUrl"], code: "invalid_url", message: "not http(s)" }] },
    });
  }
  const base = url.pathname.replace(/\/+$/, "");
  url.pathname = base.endsWith("/api/v1")
    ? `${base}${AUTH_INFO_PATH.slice("/api/v1".length)}`
    : `${base}${AUTH_INFO_PATH}`;
  url.search = "";
  url.hash = "";
  return url.toString();
}

/** Inputs of {@link fetchAuthInfo}. */
export interface AuthFetchInput {
  url: string;
  engineToken: string;
  fetch: typeof globalThis.fetch;
  timeoutMs: number;
  /** Aborts the request when the source stops. */
  signal: AbortSignal;
}

/**
 * One `GET` of the auth-info route with `X-Engine-Token`, bounded in time (`timeoutMs` covers the body too) and
 * size, validated against {@link AuthInfoSchema}. Never throws. Redirects are refused: following one would send
 * the engine token to wherever the redirect points.
 */
export async function fetchAuthInfo(input: AuthFetchInput): Promise<AuthFetchResult> {
  const signal = AbortSignal.any([input.signal, AbortSignal.timeout(input.timeoutMs)]);
  try {
    const res = await input.fetch(input.url, {
      method: "GET",
      headers: { "X-Engine-Token": input.engineToken, Accept: "application/json" },
      redirect: "error",
      signal,
    });
    if (res.status === 401) {
      await res.body?.cancel().catch(() => {});
      return {
        ok: false,
        reason: "revoked",
        status: 401,
        message: "the gateway refused the engine token (401)",
      };
    }
    if (res.status < 200 || res.status > 299) {
      await res.body?.cancel().catch(() => {});
      return {
        ok: false,
        reason: "http_error",
        status: res.status,
        message: `the gateway answered ${res.status}`,
      };
    }
    const text = await readLimited(res, MAX_AUTH_INFO_BYTES);
    if (text === undefined) {
      return {
        ok: false,
        reason: "invalid_body",
        message: `the answer is over ${MAX_AUTH_INFO_BYTES} bytes`,
      };
    }
    return parseAuthInfo(text);
  } catch (err) {
    if (input.signal.aborted) return { ok: false, reason: "stopped", message: "the auth source was stopped" };
    if (signal.aborted) {
      return {
        ok: false,
        reason: "timeout",
        message: `the gateway did not answer within ${input.timeoutMs} ms`,
      };
    }
    return { ok: false, reason: "unreachable", message: `cannot reach the gateway: ${describe(err)}` };
  }
}

/** Parses and validates the text of a gateway answer. */
export function parseAuthInfo(text: string): AuthFetchResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, reason: "invalid_body", message: "the answer is not JSON" };
  }
  const parsed = AuthInfoSchema.safeParse(json);
  if (!parsed.success) {
    return {
      ok: false,
      reason: "invalid_body",
      message: "the answer does not match get-engine-auth-info",
      issues: toValidationIssues(parsed.error.issues),
    };
  }
  return { ok: true, info: parsed.data };
}

/** Reads the body as UTF-8 text, or `undefined` (and cancels the stream) once it passes `limit` bytes. */
async function readLimited(res: Response, limit: number): Promise<string | undefined> {
  const declared = Number(res.headers.get("content-length") ?? Number.NaN);
  if (declared > limit) {
    await res.body?.cancel().catch(() => {});
    return undefined;
  }
  if (res.body === null) return "";
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => {});
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function describe(err: unknown): string {
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
  const code = (cause as { code?: unknown } | null)?.code;
  const text = cause instanceof Error ? cause.message : String(cause);
  return typeof code === "string" ? `${code} (${text})` : text;
}
