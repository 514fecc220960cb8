import path from "node:path";
import { pathToFileURL } from "node:url";
import type { ComponentDefinition } from "../components/types.js";
import { errorText, resolveInside, statSmallFile } from "./files.js";
import { PluginLoadError } from "./report.js";

/** The code half of a plugin: what its entry module exports. */
export type PluginCode = Pick<ComponentDefinition, "execute" | "simulate" | "validateConfig">;

/** Entry files tried, in order, when the manifest has no `main`. */
export const DEFAULT_ENTRIES = ["index.js", "index.mjs"] as const;

/** The resolved entry module of a plugin and its change key. */
export interface PluginEntry {
  file: string;
  key: string;
}

/** Finds the entry module (`main`, else `index.js`, else `index.mjs`) inside the plugin folder (a real path). */
export async function findEntry(
  folder: string,
  main: string | undefined,
  maxBytes: number,
): Promise<PluginEntry> {
  const candidates = main === undefined ? DEFAULT_ENTRIES : [main];
  for (const name of candidates) {
    const real = await resolveInside(folder, path.join(folder, name));
    if (real !== undefined) return { file: real, key: await statSmallFile(real, maxBytes) };
  }
  throw new PluginLoadError("MODULE_MISSING", folder, `no entry module (${candidates.join(", ")})`);
}

const isFunction = (value: unknown): value is (...args: never[]) => unknown => typeof value === "function";

/**
 * Imports the entry module and picks its functions: the default export (or a named `execute`) is `execute`;
 * optional named `simulate` and `validateConfig` are used when they are functions.
 * The import URL carries `?v=<key>`, so a changed file is imported afresh (Node caches modules by URL).
 */
export async function importPluginCode(entry: PluginEntry, timeoutMs: number): Promise<PluginCode> {
  const url = `${pathToFileURL(entry.file).href}?v=${encodeURIComponent(entry.key)}`;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new PluginLoadError("MODULE_TIMEOUT", entry.file, `import took over ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  let mod: Record<string, unknown>;
  try {
    mod = (await Promise.race([import(url), timeout])) as Record<string, unknown>;
  } catch (err) {
    if (err instanceof PluginLoadError) throw err;
    throw new PluginLoadError("MODULE_IMPORT_FAILED", entry.file, `import failed: ${errorText(err)}`);
  } finally {
    clearTimeout(timer);
  }
  const execute = isFunction(mod["default"]) ? mod["default"] : mod["execute"];
  if (!isFunction(execute)) {
    throw new PluginLoadError(
      "NO_EXECUTE",
      entry.file,
      "exports neither a default function nor a named execute",
    );
  }
  const code: PluginCode = { execute: execute as PluginCode["execute"] };
  if (isFunction(mod["simulate"])) code.simulate = mod["simulate"] as NonNullable<PluginCode["simulate"]>;
  if (isFunction(mod["validateConfig"])) {
    code.validateConfig = mod["validateConfig"] as NonNullable<PluginCode["validateConfig"]>;
  }
  return code;
}
