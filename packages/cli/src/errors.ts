import { FloworkError } from "@flowork/protocol";

/** Exit statuses of SPEC section 7. */
export const EXIT = { OK: 0, RUN_FAILED: 1, INVALID: 2 } as const;

/** A problem with what the user typed or gave us (bad flag, unreadable file): exit 2 with a clear line. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** One line for the terminal, never a stack trace. */
export function describeError(err: unknown): string {
  if (err instanceof UsageError) return err.message;
  if (err instanceof FloworkError) return `${err.code}: ${err.message}`;
  return "INTERNAL: unexpected error";
}
