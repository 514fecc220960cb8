import { isUtf8 } from "node:buffer";
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { TextDecoder } from "node:util";
import { type ErrorBody, FloworkError } from "@flowork/protocol";

/** Default body limit: 1 MiB, like a WebSocket frame (`FLOWORK_MAX_FRAME_BYTES`). */
export const DEFAULT_BODY_LIMIT_BYTES = 1_048_576;

/** A request body: parsed JSON when the content type says JSON, text otherwise. `raw` is the exact bytes. */
export type RequestBody =
  | { kind: "json"; value: unknown; raw: Buffer }
  | { kind: "text"; text: string; raw: Buffer };

/** Options of {@link readBody}. */
export interface ReadBodyOptions {
  /** Largest body accepted, bytes; default {@link DEFAULT_BODY_LIMIT_BYTES}. */
  limitBytes?: number;
}

const JSON_TYPE_RE = /^application\/(?:[\w.!#$&^-]+\+)?json\s*(?:;|$)/i;

/** True for `application/json` and `application/<anything>+json`, with or without parameters. */
export function isJsonContentType(contentType: string | undefined): boolean {
  return contentType !== undefined && JSON_TYPE_RE.test(contentType.trim());
}

function tooLarge(limit: number): FloworkError {
  return new FloworkError("PAYLOAD_TOO_LARGE", `the request body is over ${limit} bytes`, {
    details: { limit_bytes: limit },
  });
}

/**
 * Reads a request body up to `limitBytes` (checked against `Content-Length` first, then while reading) and
 * decodes it: JSON (UTF-8, a BOM is ignored) when {@link isJsonContentType}, otherwise text in the declared
 * charset (UTF-8 when absent or unknown). Rejects only with a {@link FloworkError}. Slow senders are the
 * server's business (`server.requestTimeout`).
 *
 * @throws FloworkError PAYLOAD_TOO_LARGE over the limit; BAD_REQUEST for bad JSON, invalid UTF-8 in JSON, an
 *   empty JSON body, or a body that was cut off.
 * @example
 * const body = await readBody(req, { limitBytes: 64 * 1024 });
 * if (body.kind !== "json") throw new FloworkError("BAD_REQUEST", "expected application/json");
 */
export function readBody(req: IncomingMessage, options: ReadBodyOptions = {}): Promise<RequestBody> {
  const limit = options.limitBytes ?? DEFAULT_BODY_LIMIT_BYTES;
  const contentType = req.headers["content-type"];
  return new Promise<RequestBody>((resolve, reject) => {
    if (req.readableEnded) {
      reject(new FloworkError("BAD_REQUEST", "the request body was already read"));
      return;
    }
    const declared = Number(req.headers["content-length"]);
    if (Number.isFinite(declared) && declared > limit) {
      req.resume(); // discard the body; the 413 answer closes the connection
      reject(tooLarge(limit));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      req.off("data", onData).off("end", onEnd).off("error", onError).off("close", onClose);
      outcome();
    };
    const onData = (chunk: Buffer | string): void => {
      const buf = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
      size += buf.length;
      if (size > limit) {
        settle(() => reject(tooLarge(limit)));
        req.resume();
        return;
      }
      chunks.push(buf);
    };
    const onEnd = (): void =>
      settle(() => {
        try {
          resolve(decodeBody(Buffer.concat(chunks, size), contentType));
        } catch (err) {
          reject(
            err instanceof FloworkError ? err : new FloworkError("BAD_REQUEST", undefined, { cause: err }),
          );
        }
      });
    const onError = (err: Error): void =>
      settle(() =>
        reject(new FloworkError("BAD_REQUEST", "the request body could not be read", { cause: err })),
      );
    const onClose = (): void =>
      settle(() => reject(new FloworkError("BAD_REQUEST", "the request was closed before its body ended")));
    req.on("data", onData).on("end", onEnd).on("error", onError).on("close", onClose);
  });
}

/** Decodes bytes read by {@link readBody}. @throws FloworkError BAD_REQUEST. */
export function decodeBody(raw: Buffer, contentType: string | undefined): RequestBody {
  if (!isJsonContentType(contentType)) {
    return { kind: "text", text: decoderFor(contentType).decode(raw), raw };
  }
  // isUtf8 + toString: the same strict check as a fatal TextDecoder, without building a decoder per request.
  if (!isUtf8(raw)) throw new FloworkError("BAD_REQUEST", "the JSON body is not valid UTF-8");
  let text = raw.toString("utf8");
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // a BOM is ignored, as TextDecoder does
  if (text.trim() === "") throw new FloworkError("BAD_REQUEST", "the JSON body is empty");
  try {
    return { kind: "json", value: JSON.parse(text) as unknown, raw };
  } catch {
    throw new FloworkError("BAD_REQUEST", "the body is not valid JSON");
  }
}

function decoderFor(contentType: string | undefined): TextDecoder {
  const charset = /;\s*charset\s*=\s*"?([\w.:-]+)"?/i.exec(contentType ?? "")?.[1];
  if (charset !== undefined) {
    try {
      return new TextDecoder(charset);
    } catch {
      // unknown charset: fall back to UTF-8 (with replacement characters) rather than refuse the request
    }
  }
  return new TextDecoder("utf-8");
}

/** Options of {@link sendError}. */
export interface SendErrorOptions {
  /**
   * Receives an unexpected error (anything but a FloworkError, and FloworkError `INTERNAL`) with the correlation
   * id sent to the client, so an operator can match the two. Default: `console.error`.
   */
  onInternal?: (err: unknown, correlationId: string) => void;
}

const defaultOnInternal = (err: unknown, correlationId: string): void => {
  console.error(`[flowork] internal error, correlation id ${correlationId}:`, err);
};

/**
 * Answers with `{"error": {code, message, details?}}` and the status of the code (SPEC section 9). Anything that
 * is not a FloworkError, and any `INTERNAL` one (its message may name internals), goes out as a generic
 * `INTERNAL` carrying only a correlation id; the error itself goes to `onInternal`. No stack trace is ever sent.
 * `RATE_LIMITED` with `details.retry_after_ms` sets `Retry-After`; `PAYLOAD_TOO_LARGE` closes the connection
 * (the rest of the body is not worth reading). When the headers are already out, the response is destroyed.
 *
 * @returns the error as sent, for logging and metrics.
 */
export function sendError(res: ServerResponse, err: unknown, options: SendErrorOptions = {}): FloworkError {
  let sent: FloworkError;
  if (err instanceof FloworkError && err.code !== "INTERNAL") {
    sent = err;
  } else {
    const correlationId = randomUUID();
    try {
      (options.onInternal ?? defaultOnInternal)(err, correlationId);
    } catch {
      // a failing logger must not stop the answer
    }
    sent = new FloworkError("INTERNAL", `internal error (correlation id ${correlationId})`, {
      details: { correlation_id: correlationId },
    });
  }
  if (res.headersSent) {
    if (!res.writableEnded) res.destroy();
    return sent;
  }
  const headers: Record<string, string> = {};
  const retryAfterMs = sent.details?.retry_after_ms;
  if (sent.code === "RATE_LIMITED" && typeof retryAfterMs === "number" && Number.isFinite(retryAfterMs)) {
    headers["Retry-After"] = String(Math.max(1, Math.ceil(retryAfterMs / 1000)));
  }
  if (sent.code === "PAYLOAD_TOO_LARGE") headers["Connection"] = "close";
  writeJson(res, sent.status, errorText(sent), headers);
  return sent;
}

/** The wire text of an error; details that cannot be serialised (a cycle, a BigInt) are left out. */
function errorText(err: FloworkError): string {
  const body: ErrorBody = err.toBody();
  try {
    return JSON.stringify({ error: body });
  } catch {
    return JSON.stringify({ error: { code: body.code, message: body.message } });
  }
}

/**
 * Answers with `body` as JSON (`application/json; charset=utf-8`, `Cache-Control: no-store`). A body that cannot
 * be serialised becomes an `INTERNAL` error through {@link sendError}. 204 and 304 are sent without a body.
 */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
  options: SendErrorOptions = {},
): void {
  if (status === 204 || status === 304) {
    res.writeHead(status, { "Cache-Control": "no-store", ...headers }).end();
    return;
  }
  let text: string | undefined;
  try {
    text = JSON.stringify(body);
  } catch (err) {
    sendError(res, err, options);
    return;
  }
  if (text === undefined) {
    sendError(res, new TypeError("sendJson: the body is not JSON-serialisable"), options);
    return;
  }
  writeJson(res, status, text, headers);
}

function writeJson(res: ServerResponse, status: number, text: string, headers: Record<string, string>): void {
  res
    .writeHead(status, {
      "Content-Type": "application/json; charset=utf-8",
      "Content-Length": String(Buffer.byteLength(text)),
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
      ...headers,
    })
    .end(text);
}
