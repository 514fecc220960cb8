import { exceedsDepth, FloworkError } from "@flowork/protocol";
import type { FastifyInstance, FastifyRequest } from "fastify";

/** Largest request body accepted (SPEC section 2 via the engine's frame limit): 1 MiB. */
export const BODY_LIMIT_BYTES = 1024 * 1024;

/** JSON bodies nesting deeper than this are refused before any schema sees them. */
export const MAX_BODY_DEPTH = 64;

const rawBodies = new WeakMap<FastifyRequest, Buffer>();

/**
 * The exact bytes of the request body as received, or `undefined` when there was none. Signatures (SPEC
 * section 1, Context `API`) and webhook HMACs are computed over these bytes, never over re-serialised JSON.
 */
export function rawBodyOf(request: FastifyRequest): Buffer | undefined {
  return rawBodies.get(request);
}

function isJsonType(contentType: string | undefined): boolean {
  if (contentType === undefined || contentType === "") return true;
  const media = contentType.split(";", 1)[0]?.trim().toLowerCase() ?? "";
  return media === "application/json" || (media.startsWith("application/") && media.endsWith("+json"));
}

/** Refuses `__proto__` keys: they would turn into prototype changes once an object is spread or merged. */
function noProto(key: string, value: unknown): unknown {
  if (key === "__proto__") throw new FloworkError("BAD_REQUEST", "The key __proto__ is not allowed.");
  return value;
}

/**
 * Parses a raw body: empty → `undefined`; JSON → the value; anything else `BAD_REQUEST`. Nesting deeper than
 * {@link MAX_BODY_DEPTH} is `BAD_REQUEST` too.
 */
export function parseJsonBody(raw: Buffer, contentType: string | undefined): unknown {
  if (raw.length === 0) return undefined;
  if (!isJsonType(contentType)) {
    throw new FloworkError("BAD_REQUEST", "The body must be JSON (Content-Type: application/json).");
  }
  let value: unknown;
  try {
    value = JSON.parse(raw.toString("utf8"), noProto);
  } catch (err) {
    if (err instanceof FloworkError) throw err;
    throw new FloworkError("BAD_REQUEST", "The body is not valid JSON.");
  }
  if (exceedsDepth(value, MAX_BODY_DEPTH)) {
    throw new FloworkError("BAD_REQUEST", `The body nests deeper than ${MAX_BODY_DEPTH} levels.`);
  }
  return value;
}

/**
 * Replaces fastify's body parsers with one that keeps the raw bytes (see {@link rawBodyOf}) and parses JSON
 * itself, for every content type, so the signed hash is over exactly what was sent.
 */
export function installRawBodyParser(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    "*",
    { parseAs: "buffer", bodyLimit: BODY_LIMIT_BYTES },
    (request: FastifyRequest, body: Buffer | string, done: (err: Error | null, body?: unknown) => void) => {
      const raw = typeof body === "string" ? Buffer.from(body, "utf8") : body;
      rawBodies.set(request, raw);
      try {
        done(null, parseJsonBody(raw, request.headers["content-type"]));
      } catch (err) {
        done(err as Error);
      }
    },
  );
}
