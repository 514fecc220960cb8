import { open, realpath, stat } from "node:fs/promises";
import path from "node:path";
import { PluginLoadError } from "./report.js";

/** A folder name that may be a plugin: exactly the component id rule of `ManifestSchema`. */
export const SAFE_PLUGIN_ID = /^[a-z][a-z0-9_]{1,63}$/;

/** Default size limit of `manifest.json` and of the entry module. */
export const MAX_PLUGIN_FILE_BYTES = 1024 * 1024;

/** True when `child` is `parent` or lies below it (both absolute, already resolved). */
export function isWithin(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel === "" || (!rel.startsWith("..") && !path.isAbsolute(rel));
}

/**
 * Resolves symlinks in `candidate` and checks the result stays inside `root` (already resolved).
 * Returns undefined when `candidate` does not exist.
 */
export async function resolveInside(root: string, candidate: string): Promise<string | undefined> {
  let real: string;
  try {
    real = await realpath(candidate);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw new PluginLoadError("READ_FAILED", candidate, `cannot resolve: ${errorText(err)}`);
  }
  if (!isWithin(root, real)) {
    throw new PluginLoadError("OUTSIDE_DIR", candidate, "resolves outside the plugin folder (symlink?)");
  }
  return real;
}

/** A regular file's contents and change key, refusing anything over `maxBytes`. */
export interface SmallFile {
  text: string;
  /** mtime and size: changes whenever the file is rewritten. */
  key: string;
}

/**
 * Reads a regular file of at most `maxBytes`. The size is checked on the open handle, before reading, so a huge
 * file is never loaded into memory.
 */
export async function readSmallFile(file: string, maxBytes: number): Promise<SmallFile> {
  const handle = await open(file, "r");
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw new PluginLoadError("READ_FAILED", file, "not a regular file");
    if (stats.size > maxBytes) {
      throw new PluginLoadError(
        "FILE_TOO_LARGE",
        file,
        `${stats.size} bytes, over the ${maxBytes}-byte limit`,
      );
    }
    const buffer = Buffer.alloc(stats.size);
    const { bytesRead } = await handle.read(buffer, 0, stats.size, 0);
    return { text: buffer.toString("utf8", 0, bytesRead), key: `${stats.mtimeMs}-${stats.size}` };
  } finally {
    await handle.close();
  }
}

/** Checks a regular file is at most `maxBytes` without reading it; returns its change key (mtime and size). */
export async function statSmallFile(file: string, maxBytes: number): Promise<string> {
  const stats = await stat(file);
  if (!stats.isFile()) throw new PluginLoadError("READ_FAILED", file, "not a regular file");
  if (stats.size > maxBytes) {
    throw new PluginLoadError("FILE_TOO_LARGE", file, `${stats.size} bytes, over the ${maxBytes}-byte limit`);
  }
  return `${stats.mtimeMs}-${stats.size}`;
}

/** True for ENOENT/ENOTDIR. */
export function isNotFound(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === "ENOENT" || code === "ENOTDIR";
}

/** A short, single-line description of anything thrown. */
export function errorText(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > 500 ? `${line.slice(0, 500)}…` : line;
}
