import {
  assertEngineRole,
  type EngineErrorFrame,
  type EngineRequest,
  type EngineRequestType,
  FloworkError,
  type JobEvent,
  MIN_ROLE,
  parseEngineRequest,
  RESPONSE_TYPE_OF,
  type Role,
  STATE_CHANGING_TYPES,
  toEngineErrorFrame,
  type VerifiedEnvelope,
  type Verifier,
  verifyEnvelope,
} from "@flowork/protocol";

/** Who sent a command, and where its job events go. */
export interface CommandContext {
  address: string;
  role: Role;
  envelope: VerifiedEnvelope;
  /** The signed message and signature exactly as received (kept with presets and in the audit log). */
  signedMessage: string;
  signature: string;
  /** Receives pushed events for this caller (the WebSocket connection, or the gateway relay for this user). */
  sink: ((event: JobEvent) => void) | undefined;
  /** Lets the transport undo subscriptions when the connection closes. */
  onClose: (cleanup: () => void) => void;
}

export type Handler = (request: EngineRequest, ctx: CommandContext) => Promise<Record<string, unknown>>;
export type Handlers = { [T in EngineRequestType]: Handler };

export interface AuditRecord {
  ts: string;
  address: string;
  type: string;
  message: string;
  signature: string;
  payload_sha256: string;
}

export interface DispatcherOptions {
  verifier: Verifier;
  engineId: () => string;
  roleOf: (address: string) => Role | undefined;
  handlers: Handlers;
  audit: (record: AuditRecord) => Promise<void>;
  /** Per-address limit, checked after the signature is verified (so nobody can spend another's budget). */
  rateLimit?: (address: string) => { ok: true } | { ok: false; retryAfterMs: number };
  /** Verification failures by code, for metrics. */
  onAuthFailure?: (code: string) => void;
  onInternalError?: (err: unknown, correlationId: string) => void;
}

export type ResponseFrame = Record<string, unknown> & { type: string; request_id: string | null };

function requestIdOf(envelope: unknown): string | null {
  if (envelope === null || typeof envelope !== "object") return null;
  const payload = (envelope as { payload?: unknown }).payload;
  if (payload === null || typeof payload !== "object") return null;
  const id = (payload as { request_id?: unknown }).request_id;
  return typeof id === "string" && id.length <= 128 ? id : null;
}

/**
 * The engine's one command dispatcher (STYLE: transport-agnostic core). The WebSocket, the gateway relay and
 * tests all call `dispatch` with a parsed frame and get exactly one response frame back; it never throws.
 */
export class CommandDispatcher {
  readonly #o: DispatcherOptions;

  constructor(options: DispatcherOptions) {
    this.#o = options;
  }

  async dispatch(
    envelope: unknown,
    transport: { sink?: (event: JobEvent) => void; onClose?: (cleanup: () => void) => void } = {},
  ): Promise<ResponseFrame> {
    const requestId = requestIdOf(envelope);
    try {
      let verified: VerifiedEnvelope;
      try {
        verified = await verifyEnvelope(this.#o.verifier, envelope, this.#o.engineId());
      } catch (err) {
        if (err instanceof FloworkError) this.#o.onAuthFailure?.(err.code);
        throw err;
      }
      const address = verified.auth.address;
      const limited = this.#o.rateLimit?.(address);
      if (limited && !limited.ok) {
        throw new FloworkError("RATE_LIMITED", "too many commands; slow down", {
          details: { retry_after_ms: limited.retryAfterMs },
        });
      }
      const parsed = parseEngineRequest(verified.payload);
      if (!parsed.ok) throw parsed.error;
      const request = parsed.request;
      const role = assertEngineRole(this.#o.roleOf(address), MIN_ROLE[request.type]);
      const auth = (envelope as { auth: { message: string; signature: string } }).auth;
      const ctx: CommandContext = {
        address,
        role,
        envelope: verified,
        signedMessage: auth.message,
        signature: auth.signature,
        sink: transport.sink,
        onClose: transport.onClose ?? (() => {}),
      };
      const body = await this.#o.handlers[request.type](request, ctx);
      if (STATE_CHANGING_TYPES.has(request.type)) {
        await this.#o.audit({
          ts: new Date().toISOString(),
          address,
          type: request.type,
          message: auth.message,
          signature: auth.signature,
          payload_sha256: verified.auth.payload_sha256,
        });
      }
      return { ...body, type: RESPONSE_TYPE_OF[request.type], request_id: request.request_id };
    } catch (err) {
      return this.errorFrame(requestId, err);
    }
  }

  /** An error frame with a spec code; an unexpected error is logged with a correlation id and never leaks. */
  errorFrame(requestId: string | null, err: unknown): EngineErrorFrame {
    if (!(err instanceof FloworkError)) {
      const correlationId = `err-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
      this.#o.onInternalError?.(err, correlationId);
      return toEngineErrorFrame(
        requestId,
        new FloworkError("INTERNAL", `internal error (correlation id ${correlationId})`),
      );
    }
    return toEngineErrorFrame(requestId, err);
  }
}
