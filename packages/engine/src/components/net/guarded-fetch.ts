import http, { type IncomingMessage } from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import { pipeline } from "node:stream";
import zlib from "node:zlib";
import { FloworkError } from "@flowork/protocol";
import { type CheckedTarget, checkTarget, type SsrfPolicy } from "./ssrf.js";

/**
 * An HTTP client that cannot be pointed at private addresses: each hop (redirects are followed by hand) is
 * checked by the SSRF guard, and the socket connects to the very address that was checked, so a DNS answer
 * that changes between check and connect (DNS rebinding) is not used.
 *
 * Pinning is done with node:http(s) and a `lookup` that returns the checked address; TLS still verifies the
 * certificate against the hostname. When the host injects its own `fetch` (ComponentServices.fetch) the hops
 * are still checked, but the connection is that fetch's business: pinning is then the host's responsibility.
 */

/** Default cap on a response body (after decompression). */
export const DEFAULT_MAX_RESPONSE_BYTES = 10 * 1024 * 1024;
/** Redirects followed before giving up. */
export const MAX_REDIRECTS = 5;

/** The request to send. */
export interface GuardedRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string | Uint8Array | undefined;
}

/** How to send it. */
export interface GuardedFetchOptions extends SsrfPolicy {
  /** Aborts everything; its reason is rethrown as is (the runtime's stop or node timeout). */
  signal: AbortSignal;
  /** Deadline for the whole exchange, redirects and body included: `HTTP_ERROR` (retryable) when passed. */
  timeoutMs: number;
  maxBytes?: number;
  /** An injected fetch (tests, special hosts); default is the pinned node:http(s) transport. */
  fetch?: typeof fetch | undefined;
}

/** The final response, body fully read. */
export interface GuardedResponse {
  status: number;
  statusText: string;
  headers: Record<string, string>;
  body: Buffer;
  /** The URL that answered (after redirects). */
  url: URL;
}

interface RawResponse {
  status: number;
  statusText: string;
  headers: Record<string, string>;
  body: AsyncIterable<Uint8Array> | null;
  discard(): void;
}

type Hop = { method: string; headers: Record<string, string>; body: string | Uint8Array | undefined };

/**
 * Sends a request through the SSRF guard, following up to {@link MAX_REDIRECTS} redirects, and reads the body
 * up to `maxBytes`.
 *
 * @throws FloworkError `SANDBOX_VIOLATION` (refused address or scheme), `PAYLOAD_TOO_LARGE` (body over the cap),
 *   `HTTP_ERROR` (network failure, timeout, too many redirects), or the signal's reason when it aborts.
 *   A status >= 400 is returned, not thrown: see {@link httpStatusError}.
 */
export async function guardedFetch(
  request: GuardedRequest,
  options: GuardedFetchOptions,
): Promise<GuardedResponse> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = AbortSignal.any([options.signal, timeout]);
  let url = parseUrl(request.url);
  let hop: Hop = {
    method: request.method.toUpperCase(),
    headers: { ...request.headers },
    body: request.body,
  };
  try {
    for (let redirects = 0; ; redirects++) {
      const target = await checkTarget(url, options);
      signal.throwIfAborted();
      const raw = options.fetch
        ? await sendWithFetch(options.fetch, url, hop, signal)
        : await sendPinned(target, hop, signal);
      const location = raw.headers.location;
      if (raw.status >= 300 && raw.status < 400 && raw.status !== 304 && location !== undefined) {
        raw.discard();
        if (redirects >= MAX_REDIRECTS) {
          throw new FloworkError("HTTP_ERROR", `too many redirects (more than ${MAX_REDIRECTS})`, {
            details: { reason: "too_many_redirects" },
          });
        }
        const next = parseUrl(location, url);
        hop = redirectHop(hop, raw.status, url, next);
        url = next;
        continue;
      }
      const body = await readCapped(raw, options.maxBytes ?? DEFAULT_MAX_RESPONSE_BYTES);
      return { status: raw.status, statusText: raw.statusText, headers: raw.headers, body, url };
    }
  } catch (err) {
    if (options.signal.aborted) throw options.signal.reason;
    if (err instanceof FloworkError) throw err;
    if (timeout.aborted) {
      throw new FloworkError("HTTP_ERROR", `request timed out after ${options.timeoutMs / 1000}s`, {
        retryable: true,
        details: { reason: "timeout" },
      });
    }
    const code = errorCode(err);
    throw new FloworkError("HTTP_ERROR", `request to ${url.origin} failed (${code})`, {
      retryable: true,
      details: { reason: code },
      cause: err,
    });
  }
}

function parseUrl(text: string, base?: URL): URL {
  try {
    return new URL(text, base);
  } catch {
    throw new FloworkError(
      base ? "HTTP_ERROR" : "VALIDATION_FAILED",
      `not a valid URL: ${text.slice(0, 200)}`,
      {
        details: { reason: "invalid_url" },
      },
    );
  }
}

/** The next hop as fetch does it: 303 (and 301/302 after POST) become a GET without body; credentials stay on the origin. */
function redirectHop(hop: Hop, status: number, from: URL, to: URL): Hop {
  const headers = { ...hop.headers };
  let { method, body } = hop;
  if ((status === 303 && method !== "HEAD") || ((status === 301 || status === 302) && method === "POST")) {
    method = "GET";
    body = undefined;
    for (const name of Object.keys(headers)) if (/^content-/i.test(name)) delete headers[name];
  }
  if (to.origin !== from.origin) {
    for (const name of Object.keys(headers)) {
      if (/^(authorization|proxy-authorization|cookie|host)$/i.test(name)) delete headers[name];
    }
  }
  return { method, headers, body };
}

function sendPinned(target: CheckedTarget, hop: Hop, signal: AbortSignal): Promise<RawResponse> {
  const pinnedLookup: LookupFunction = (_hostname, options, callback) => {
    if (options.all) callback(null, [{ address: target.address, family: target.family }]);
    else callback(null, target.address, target.family);
  };
  const transport = target.url.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const req = transport.request(target.url, {
      method: hop.method,
      headers: { "accept-encoding": "gzip, deflate, br", ...hop.headers },
      lookup: pinnedLookup,
      // A fresh agent per request: no pooled socket from another check is ever reused.
      agent: false,
      signal,
    });
    req.once("error", reject);
    req.once("response", (res) => resolve(fromIncoming(res, hop.method)));
    req.end(hop.body);
  });
}

function fromIncoming(res: IncomingMessage, method: string): RawResponse {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(res.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  const noBody = method === "HEAD" || res.statusCode === 204 || res.statusCode === 304;
  return {
    status: res.statusCode ?? 0,
    statusText: res.statusMessage ?? "",
    headers,
    body: noBody ? null : decode(res, headers["content-encoding"]),
    discard: () => res.destroy(),
  };
}

/** Decompresses as fetch would (gzip, deflate, br); unknown encodings are passed through as received. */
function decode(res: IncomingMessage, encoding: string | undefined): AsyncIterable<Uint8Array> {
  const kind = encoding?.trim().toLowerCase();
  const decoder =
    kind === "gzip" || kind === "x-gzip"
      ? zlib.createGunzip()
      : kind === "deflate"
        ? zlib.createInflate()
        : kind === "br"
          ? zlib.createBrotliDecompress()
          : undefined;
  if (!decoder) return res;
  return pipeline(res, decoder, () => {});
}

async function sendWithFetch(
  fetchImpl: typeof fetch,
  url: URL,
  hop: Hop,
  signal: AbortSignal,
): Promise<RawResponse> {
  const res = await fetchImpl(url.href, {
    method: hop.method,
    headers: hop.headers,
    body: hop.body,
    redirect: "manual",
    signal,
  });
  const headers: Record<string, string> = {};
  res.headers.forEach((value, name) => {
    headers[name] = value;
  });
  const stream = res.body;
  return {
    status: res.status,
    statusText: res.statusText,
    headers,
    body: stream,
    discard: () => {
      stream?.cancel().catch(() => {});
    },
  };
}

async function readCapped(raw: RawResponse, maxBytes: number): Promise<Buffer> {
  if (!raw.body) return Buffer.alloc(0);
  const declared = Number(raw.headers["content-length"]);
  const tooLarge = () =>
    new FloworkError("PAYLOAD_TOO_LARGE", `response body over the ${maxBytes}-byte limit`, {
      details: { limit: maxBytes },
    });
  if (!raw.headers["content-encoding"] && Number.isFinite(declared) && declared > maxBytes) {
    raw.discard();
    throw tooLarge();
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of raw.body) {
    total += chunk.byteLength;
    if (total > maxBytes) {
      raw.discard();
      throw tooLarge();
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function errorCode(err: unknown): string {
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code === "string") return code;
  return cause instanceof Error ? cause.message.slice(0, 200) : "network error";
}

/**
 * The error for a response status >= 400: `HTTP_ERROR`, retryable for 5xx, 429 and 408 (a later try can
 * succeed), not for other 4xx. `details` carries the status, the URL without its query (it may hold keys),
 * `Retry-After` when sent, and the start of the body.
 */
export function httpStatusError(response: GuardedResponse, message?: string): FloworkError {
  const { status, statusText, url } = response;
  const retryable = status >= 500 || status === 429 || status === 408;
  const where = `${url.origin}${url.pathname}`;
  const details: Record<string, unknown> = {
    status,
    url: where,
    body: response.body.toString("utf8", 0, 2000),
  };
  const retryAfter = response.headers["retry-after"];
  if (retryAfter !== undefined) details.retry_after = retryAfter;
  const text = `HTTP ${status}${statusText ? ` ${statusText}` : ""} from ${where}${message ? `: ${message}` : ""}`;
  return new FloworkError("HTTP_ERROR", text, { retryable, details });
}
