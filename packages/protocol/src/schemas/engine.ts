/**
 * The Core Engine WebSocket contract (SPEC section 4): request payloads with the role each needs, the response
 * frames, the internal `/health` body, and `parseEngineRequest`, the one place a payload is validated where it
 * arrives. Split by concern; this module gathers them.
 *
 * @example
 * const parsed = parseEngineRequest(envelope.payload);
 * if (!parsed.ok) return send(toEngineErrorFrame(parsed.request_id ?? null, parsed.error));
 * if (!roleAtLeast(role, MIN_ROLE[parsed.request.type])) ...
 */
export * from "./engine-fields.js";
export * from "./engine-parse.js";
export * from "./engine-requests.js";
export * from "./engine-responses.js";
