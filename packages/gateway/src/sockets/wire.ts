import { ERROR_CATALOGUE, type ErrorCode, isErrorCode, toFloworkError } from "@flowork/protocol";
import type { z } from "zod";
import type { RpcAck, SocketWireError } from "./types.js";

/** An ack that failed with `code` (the catalogue's message unless one is given). */
export function failure(code: ErrorCode, message?: string, details?: Record<string, unknown>): RpcAck {
  const error: SocketWireError = { code, message: message ?? ERROR_CATALOGUE[code].message };
  if (details !== undefined) error.details = details;
  return { ok: false, error };
}

/** `VALIDATION_FAILED` with zod's issues in `details.issues` (paths and messages only, never the input). */
export function validationFailure(error: z.ZodError): RpcAck {
  const issues = error.issues
    .slice(0, 20)
    .map((i) => ({ code: i.code, path: i.path.map(String), message: i.message }));
  return failure("VALIDATION_FAILED", undefined, { issues });
}

/** An Error whose message is a SPEC code: what a Socket.IO middleware passes to `next` (→ `connect_error`). */
export function connectError(err: unknown): Error & { data: { code: string; message: string } } {
  const fe = toFloworkError(err);
  const code = isErrorCode(fe.code) ? fe.code : "INTERNAL";
  const message = code === "INTERNAL" ? ERROR_CATALOGUE.INTERNAL.message : fe.message;
  return Object.assign(new Error(code), { data: { code, message } });
}

/** Calls `ack` when the client sent one; a client that sent none gets nothing (and nothing throws). */
export function answer(ack: unknown, value: RpcAck): void {
  if (typeof ack === "function") {
    try {
      (ack as (v: RpcAck) => void)(value);
    } catch {
      // a broken callback on our side of the wire must not take the process down
    }
  }
}
