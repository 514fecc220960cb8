/**
 * The error catalogue of SPEC section 9. Every code is defined once, here, with its HTTP status and a default
 * human message. Codes are stable: a retired code is never reused.
 */
export const ERROR_CATALOGUE = {
  AUTH_MISSING: { status: 401, message: "No credentials were sent." },
  AUTH_MALFORMED: { status: 401, message: "Credentials are not in the signed-message format." },
  AUTH_INVALID_SIGNATURE: { status: 401, message: "The signature does not recover to the address." },
  AUTH_EXPIRED: { status: 401, message: "The signed timestamp is outside the accepted window." },
  AUTH_REPLAY: { status: 401, message: "This nonce was already used." },
  AUTH_SCOPE_MISMATCH: { status: 401, message: "The message was signed for another engine or route." },
  AUTH_PAYLOAD_MISMATCH: { status: 401, message: "The message was signed for another payload or body." },
  AUTH_INVALID_TOKEN: { status: 401, message: "Unknown or revoked engine token." },
  AUTH_INVALID_API_KEY: { status: 401, message: "Wrong internal API key." },
  AUTH_NOT_AUTHORIZED: { status: 403, message: "No role on this engine or resource." },
  AUTH_FORBIDDEN_ROLE: { status: 403, message: "Your role is too weak for this action." },
  VALIDATION_FAILED: { status: 400, message: "The body or payload does not match its schema." },
  BAD_REQUEST: { status: 400, message: "Not JSON, or not an envelope." },
  UNKNOWN_MESSAGE_TYPE: { status: 400, message: "No such request type." },
  WORKFLOW_INVALID: { status: 400, message: "The workflow failed validation." },
  NOT_FOUND: { status: 404, message: "Not found." },
  CONFLICT: { status: 409, message: "Conflict with the current state." },
  QUOTA_EXCEEDED: { status: 402, message: "Over a plan limit." },
  PAYLOAD_TOO_LARGE: { status: 413, message: "Body or frame over its size limit." },
  RATE_LIMITED: { status: 429, message: "Too many requests." },
  ENGINE_OFFLINE: { status: 503, message: "The target engine is not connected." },
  TIMEOUT: { status: 504, message: "The engine did not answer in time." },
  COMPONENT_NOT_FOUND: { status: 400, message: "No component with this module id." },
  COMPONENT_DISABLED: { status: 400, message: "This component is disabled by the operator." },
  NODE_TIMEOUT: { status: 400, message: "The node ran past its timeout." },
  LOOP_LIMIT: { status: 400, message: "The run exceeded max_steps_per_execution." },
  SANDBOX_VIOLATION: { status: 400, message: "The sandboxed code broke a sandbox rule or limit." },
  USER_ERROR: { status: 400, message: "The workflow raised an error." },
  HTTP_ERROR: { status: 400, message: "The HTTP request failed." },
  INTERNAL: { status: 500, message: "Internal error." },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export const ERROR_CODES = Object.keys(ERROR_CATALOGUE) as ErrorCode[];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === "string" && Object.hasOwn(ERROR_CATALOGUE, value);
}

export function httpStatusOf(code: ErrorCode): number {
  return ERROR_CATALOGUE[code].status;
}

/** The JSON shape every error takes on the wire: `{"error": {code, message, details?}}`. */
export interface ErrorBody {
  code: ErrorCode;
  message: string;
  details?: Record<string, unknown>;
}

/**
 * A typed error with a stable code. `retryable` says whether trying the same thing again can help
 * (a network blip can; a validation failure cannot).
 */
export class FloworkError extends Error {
  override readonly name = "FloworkError";
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;
  readonly retryable: boolean;

  constructor(
    code: ErrorCode,
    message?: string,
    options: { details?: Record<string, unknown>; retryable?: boolean; cause?: unknown } = {},
  ) {
    super(
      message ?? ERROR_CATALOGUE[code].message,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.code = code;
    this.details = options.details;
    this.retryable = options.retryable ?? false;
  }

  get status(): number {
    return httpStatusOf(this.code);
  }

  toBody(): ErrorBody {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

/**
 * Normalise anything thrown into a FloworkError. Unknown errors become `INTERNAL` with a generic message so no
 * stack trace or internal detail reaches a client; the original is kept as `cause` for logging.
 */
export function toFloworkError(err: unknown): FloworkError {
  if (err instanceof FloworkError) return err;
  return new FloworkError("INTERNAL", undefined, { cause: err });
}
