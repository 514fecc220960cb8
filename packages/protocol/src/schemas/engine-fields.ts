import { z } from "zod";

/* Field schemas shared by engine requests and responses (SPEC section 4). Re-exported from `./engine.js`. */

/** A client-chosen correlation id, echoed in the response: 1 to 128 chars. */
export const RequestIdSchema = z.string().min(1).max(128);

const JOB_ID_CHARS = /^[A-Za-z0-9_.:-]+$/;

/** A job id (client-chosen on `execute_*`, else generated): 1 to 128 chars of `[A-Za-z0-9_.:-]`. */
export const JobIdSchema = z.string().min(1).max(128).regex(JOB_ID_CHARS, "letters, digits and _ . : -");

/** What {@link JobIdSchema} accepts, without building a parse result (hot paths; the schema gives the error). */
export function isJobId(value: string): boolean {
  return value.length >= 1 && value.length <= 128 && JOB_ID_CHARS.test(value);
}

/** A variable name: `^[A-Z][A-Z0-9_]*$`, at most 128 chars. */
export const VariableNameSchema = z
  .string()
  .max(128)
  .regex(/^[A-Z][A-Z0-9_]*$/, "an upper-case letter, then upper-case letters, digits or _");

/**
 * A preset name: 1 to 128 chars, no control characters (Unicode Cc), no bidirectional overrides
 * (U+202A-202E, U+2066-2069), no `/` or `\`, no leading or trailing whitespace, and not `.` or `..`.
 * Spaces and any other Unicode are allowed, so existing names like "Daily report (v2)" keep working, and the
 * name can never traverse a path or spoof a listing.
 */
export const PresetNameSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[^\p{Cc}\u202A-\u202E\u2066-\u2069/\\]+$/u, "no control characters, / or \\")
  .refine((s) => s.trim() === s, "no leading or trailing whitespace")
  .refine((s) => s !== "." && s !== "..", "not . or ..");

/** A pagination cursor: an ISO-8601 timestamp; only items strictly older are returned. */
export const BeforeCursorSchema = z.iso.datetime({ offset: true });

/** Variable modes: one value, a random pick from `values`, or `values` in turn. */
export const VariableModeSchema = z.enum(["single", "random", "sequential"]);
export type VariableMode = z.infer<typeof VariableModeSchema>;

/** A variable value. Values are strings, as the original Flowork stores them; at most 64 KiB each. */
export const VariableValueSchema = z.string().max(65_536);
