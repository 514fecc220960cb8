import { readFile } from "node:fs/promises";
import { UsageError } from "./errors.js";

const MAX_FILE_BYTES = 16 * 1024 * 1024;

/** Reads and parses a JSON file the user named; any failure is a UsageError naming the flag. */
export async function readJsonFile(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    const buf = await readFile(path);
    if (buf.byteLength > MAX_FILE_BYTES) throw new UsageError(`${what} ${path} is larger than 16 MiB`);
    text = buf.toString("utf8");
  } catch (err) {
    if (err instanceof UsageError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read ${what} ${path}${code ? ` (${code})` : ""}`);
  }
  return parseJson(text, `${what} ${path}`);
}

export function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (err) {
    throw new UsageError(`${what} is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
}
