/** Error codes of SPEC section 9 as sentences a user can act on. */
const SENTENCES: Record<string, string> = {
  AUTH_MISSING: "You are not signed in. Unlock your key and sign in again.",
  AUTH_MALFORMED: "The request was not signed in the expected format. Reload the page and try again.",
  AUTH_INVALID_SIGNATURE: "The signature does not match your address. Unlock your key again.",
  AUTH_EXPIRED: "The signature is too old. Check that this computer's clock is right, then try again.",
  AUTH_REPLAY: "This request was already sent once. Try again.",
  AUTH_SCOPE_MISMATCH: "The request was signed for another engine or route.",
  AUTH_PAYLOAD_MISMATCH: "The request changed after it was signed. Try again.",
  AUTH_INVALID_TOKEN: "The engine token is unknown or was reset.",
  AUTH_INVALID_API_KEY: "The internal API key is wrong.",
  AUTH_NOT_AUTHORIZED: "You have no access to this engine or resource.",
  AUTH_FORBIDDEN_ROLE: "Your role on this engine does not allow this action.",
  VALIDATION_FAILED: "Some fields are not valid.",
  BAD_REQUEST: "The request was not understood.",
  UNKNOWN_MESSAGE_TYPE: "The engine does not know this command; it may be an older version.",
  WORKFLOW_INVALID: "The workflow is not valid.",
  NOT_FOUND: "It was not found: it may have been deleted, or the code has expired.",
  CONFLICT: "That conflicts with something that already exists.",
  QUOTA_EXCEEDED: "Your plan's limit is reached. Upgrade on the billing page to go on.",
  PAYLOAD_TOO_LARGE: "That is too large to send.",
  RATE_LIMITED: "Too many requests. Wait a moment and try again.",
  ENGINE_OFFLINE: "The engine is offline. Start it, then try again.",
  TIMEOUT: "The engine did not answer in time.",
  COMPONENT_NOT_FOUND: "A component used by this workflow is not installed on the engine.",
  COMPONENT_DISABLED: "A component used by this workflow is disabled.",
  NODE_TIMEOUT: "A node took too long and was stopped.",
  LOOP_LIMIT: "The run took too many steps and was stopped.",
  SANDBOX_VIOLATION: "The code tried something the sandbox does not allow.",
  USER_ERROR: "The workflow raised an error.",
  HTTP_ERROR: "An HTTP request failed.",
  INTERNAL: "Something went wrong on the server. Try again; if it persists, report it.",
  // Codes of the GUI itself (not on the wire).
  DIRECT_UNREACHABLE:
    "The engine's WebSocket could not be reached directly. Check that the engine runs and the URL is right, or switch its connection back to “Through the gateway” on the Engines page.",
};

/** An error as the GUI shows it: a code (when known) and a sentence. */
export interface ShownError {
  code: string;
  sentence: string;
  detail?: string;
}

/** Turns anything thrown (a FloworkError, an ack error, a plain Error) into a sentence for the user. */
export function describeError(err: unknown): ShownError {
  const e = err as { code?: unknown; message?: unknown; details?: unknown } | undefined;
  const code =
    typeof e?.code === "string"
      ? e.code
      : typeof e?.message === "string" && SENTENCES[e.message]
        ? e.message
        : "";
  const message = typeof e?.message === "string" ? e.message : String(err);
  const sentence = SENTENCES[code] ?? message;
  const detail = detailOf(e?.details) ?? (message !== sentence && message !== code ? message : undefined);
  return { code, sentence, ...(detail !== undefined && { detail }) };
}

function detailOf(details: unknown): string | undefined {
  if (details === null || typeof details !== "object") return undefined;
  const d = details as { problems?: unknown; issues?: unknown; limit?: unknown };
  const list = Array.isArray(d.problems) ? d.problems : Array.isArray(d.issues) ? d.issues : undefined;
  if (list) {
    return list
      .map((p) => (typeof p === "string" ? p : ((p as { message?: string }).message ?? JSON.stringify(p))))
      .join("; ");
  }
  if (typeof d.limit === "string") return `limit: ${d.limit}`;
  return undefined;
}

/** One line: the sentence, then the detail if any. */
export function errorText(err: unknown): string {
  const shown = describeError(err);
  return shown.detail ? `${shown.sentence} (${shown.detail})` : shown.sentence;
}
