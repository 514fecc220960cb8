import { randomUUID } from "node:crypto";
import {
  type ErrorBody,
  type ErrorCode,
  FloworkError,
  isErrorCode,
  toValidationIssues,
} from "@flowork/protocol";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { hasZodFastifySchemaValidationErrors } from "fastify-type-provider-zod";
import { ZodError } from "zod";

/** Issues past this many are cut from `details.issues` (a huge bad body must not make a huge answer). */
const MAX_ISSUES = 50;
const MAX_TEXT = 200;

/** One `details.issues` entry: where, what kind, and a message that never quotes the submitted value. */
export interface HttpValidationIssue {
  /** Where the problem is: `body`, `params`, `querystring` or `headers`, then the path inside it. */
  path: (string | number)[];
  code: string;
  message: string;
}

const clip = (text: string): string => (text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…` : text);

/**
 * Maps fastify's validation errors (from `fastify-type-provider-zod`: `instancePath` `/a/0/b`, `keyword` = zod
 * code) to `details.issues`. `params` (which may hold the value) is dropped on purpose.
 */
function issuesFromFastify(err: FastifyError): HttpValidationIssue[] {
  const where = err.validationContext ?? "body";
  return (err.validation ?? []).slice(0, MAX_ISSUES).map((v) => ({
    path: [
      where,
      ...v.instancePath
        .split("/")
        .filter((s) => s !== "")
        .map((s) => (/^(0|[1-9][0-9]{0,8})$/.test(s) ? Number(s) : clip(s))),
    ],
    code: v.keyword,
    message: clip(v.message ?? "invalid"),
  }));
}

/** Fastify's own error codes that are the client's fault, and the catalogue code each one becomes. */
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: "PAYLOAD_TOO_LARGE",
  FST_ERR_CTP_INVALID_MEDIA_TYPE: "BAD_REQUEST",
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: "BAD_REQUEST",
  FST_ERR_CTP_EMPTY_JSON_BODY: "BAD_REQUEST",
  FST_ERR_CTP_INVALID_JSON_BODY: "BAD_REQUEST",
  FST_ERR_BAD_URL: "BAD_REQUEST",
  FST_ERR_ASYNC_CONSTRAINT: "BAD_REQUEST",
  FST_ERR_ROUTE_MISSING_CONTENT_TYPE: "BAD_REQUEST",
};

function isFastifyError(err: unknown): err is FastifyError {
  return err instanceof Error && typeof (err as { code?: unknown }).code === "string";
}

/**
 * Turns anything thrown while serving a request into a {@link FloworkError}: our own errors pass through,
 * schema validation becomes `VALIDATION_FAILED` with `details.issues`, fastify's client errors their catalogue
 * code, and everything else `INTERNAL` (the original kept as `cause`, for the log only).
 */
export function toHttpError(err: unknown): FloworkError {
  if (err instanceof FloworkError) return err;
  if (hasZodFastifySchemaValidationErrors(err) || (isFastifyError(err) && Array.isArray(err.validation))) {
    const issues = issuesFromFastify(err as FastifyError);
    return new FloworkError("VALIDATION_FAILED", undefined, { details: { issues } });
  }
  if (err instanceof ZodError) {
    return new FloworkError("VALIDATION_FAILED", undefined, {
      details: { issues: toValidationIssues(err.issues) },
    });
  }
  if (isFastifyError(err)) {
    const mapped = FASTIFY_CODES[err.code];
    if (mapped !== undefined) return new FloworkError(mapped, undefined, { cause: err });
    const status = err.statusCode ?? 500;
    if (status === 404) return new FloworkError("NOT_FOUND", undefined, { cause: err });
    if (status === 413) return new FloworkError("PAYLOAD_TOO_LARGE", undefined, { cause: err });
    if (status === 429) return new FloworkError("RATE_LIMITED", undefined, { cause: err });
    if (status >= 400 && status < 500) return new FloworkError("BAD_REQUEST", undefined, { cause: err });
  }
  return new FloworkError("INTERNAL", undefined, { cause: err });
}

/**
 * The body sent for `error`. For `INTERNAL` the message is generic and `details` carries only the correlation
 * id; otherwise the error's own message and details.
 */
export function errorBody(error: FloworkError, correlationId?: string): { error: ErrorBody } {
  if (error.code === "INTERNAL") {
    return {
      error: {
        code: "INTERNAL",
        message: "Internal error.",
        ...(correlationId === undefined ? {} : { details: { correlation_id: correlationId } }),
      },
    };
  }
  const body = error.toBody();
  return { error: isErrorCode(body.code) ? body : { code: "INTERNAL", message: "Internal error." } };
}

/** What is reported about an unexpected (`INTERNAL`) error: the client sees only the correlation id. */
export interface InternalErrorReport {
  correlation_id: string;
  method: string;
  url: string;
  /** The original error, with its stack: for the server's log only. */
  error: unknown;
}

/** Where `INTERNAL` errors are reported. */
export type InternalErrorSink = (report: InternalErrorReport, request: FastifyRequest) => void;

/** The default sink: the request's logger at level `error`. */
export const logInternalError: InternalErrorSink = (report, request) => {
  request.log.error(
    { err: report.error, correlation_id: report.correlation_id, url: report.url },
    "internal error",
  );
};

/** Sends `err` as the SPEC section 2 error body with the status of SPEC section 9, reporting `INTERNAL` ones. */
export function sendError(
  err: unknown,
  request: FastifyRequest,
  reply: FastifyReply,
  report: InternalErrorSink = logInternalError,
): FastifyReply {
  const error = toHttpError(err);
  let correlationId: string | undefined;
  if (error.code === "INTERNAL") {
    correlationId = randomUUID();
    try {
      report(
        {
          correlation_id: correlationId,
          method: request.method,
          url: request.url,
          error: error.cause ?? error,
        },
        request,
      );
    } catch {
      // a broken log sink must not turn into a second error
    }
  }
  const retryAfterMs = error.details?.["retry_after_ms"];
  if (error.code === "RATE_LIMITED") {
    const seconds = typeof retryAfterMs === "number" ? Math.max(1, Math.ceil(retryAfterMs / 1000)) : 1;
    reply.header("retry-after", String(seconds));
  }
  // Errors never use the route's response schema (it describes the success shape).
  return reply
    .code(error.status)
    .type("application/json; charset=utf-8")
    .serializer((payload: unknown) => JSON.stringify(payload))
    .send(errorBody(error, correlationId));
}

/**
 * Installs the error and not-found handlers: every error leaves as `{"error": {code, message, details?}}`,
 * an unknown route as `NOT_FOUND`, and no stack trace ever reaches the client.
 */
export function installErrorHandling(
  app: FastifyInstance,
  report: InternalErrorSink = logInternalError,
): void {
  app.setErrorHandler((err, request, reply) => sendError(err, request, reply, report));
  app.setNotFoundHandler((request, reply) =>
    sendError(new FloworkError("NOT_FOUND", "No such route."), request, reply, report),
  );
}
