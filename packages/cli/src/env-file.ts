import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { UsageError } from "./errors.js";

/**
 * Reads `.env` from the working folder (SPEC section 7). Variables already set in the environment win, so
 * `FOO=x flowork ...` overrides the file.
 */
export function loadDotEnv(cwd = process.cwd()): void {
  const path = resolve(cwd, ".env");
  if (!existsSync(path)) return;
  try {
    process.loadEnvFile(path);
  } catch (err) {
    throw new UsageError(`cannot read ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
}
