import type { Dirent } from "node:fs";
import { readdir, realpath, stat } from "node:fs/promises";
import path from "node:path";
import type { ComponentRegistry } from "../components/registry.js";
import { errorText, isNotFound, MAX_PLUGIN_FILE_BYTES, resolveInside, SAFE_PLUGIN_ID } from "./files.js";
import { liveDefinition, type PluginSlot } from "./live.js";
import { readPluginManifest } from "./manifest.js";
import { findEntry, importPluginCode } from "./module.js";
import { type PluginError, PluginLoadError, type PluginReport } from "./report.js";

export { MAX_PLUGIN_FILE_BYTES, SAFE_PLUGIN_ID } from "./files.js";
export type { PluginError, PluginErrorCode, PluginReport } from "./report.js";

/** Options of `loadPlugins`. */
export interface LoadPluginsOptions {
  /** Size limit of `manifest.json` and of the entry module, in bytes. Default 1 MiB. */
  maxFileBytes?: number;
  /** How long one entry module may take to import. Default 10 000 ms. */
  importTimeoutMs?: number;
}

interface LoaderState {
  /** Loaded plugins by id, with the plugins dir (resolved) each came from. */
  slots: Map<string, { slot: PluginSlot; dir: string }>;
  /** Loads on one registry run one at a time. */
  queue: Promise<unknown>;
}

/** Per-registry loader state: the registry cannot unregister, so reloads swap the code behind each definition. */
const STATES = new WeakMap<ComponentRegistry, LoaderState>();

function stateOf(registry: ComponentRegistry): LoaderState {
  let state = STATES.get(registry);
  if (state === undefined) {
    state = { slots: new Map(), queue: Promise.resolve() };
    STATES.set(registry, state);
  }
  return state;
}

/**
 * Loads the plugin components under `dir` into `registry` (SPEC section 6). Each `<dir>/<id>/` folder holds a
 * `manifest.json` (a component manifest whose `id` is the folder name, plus an optional `main`: the entry
 * module's path relative to the folder) and an ES module entry (`main`, else `index.js`, else `index.mjs`)
 * whose default export, or named `execute`, is the component's `execute(payload, ctx)`; named `simulate` and
 * `validateConfig` exports are used too.
 *
 * Never throws for a plugin's fault: a broken plugin is listed in `errors` and skipped. Call it again to pick
 * up new and changed plugins (the entry is re-imported when its or the manifest's mtime or size changes); a
 * removed folder's component refuses to run. A missing `dir` means no plugins. Calls on one registry are
 * serialised. Plugins run in the engine's process with its rights: the checks here (safe ids, no symlink out
 * of the folder, 1 MiB files) stop accidents, not hostile code.
 *
 * @example
 * const registry = createBuiltinRegistry();
 * const report = await loadPlugins(path.join(dataDir, "components"), registry);
 * for (const e of report.errors) log.warn(`plugin ${e.id}: ${e.code} ${e.message}`);
 */
export function loadPlugins(
  dir: string,
  registry: ComponentRegistry,
  options: LoadPluginsOptions = {},
): Promise<PluginReport> {
  const state = stateOf(registry);
  const run = state.queue.then(() => scan(path.resolve(dir), registry, state, options));
  state.queue = run.catch(() => undefined);
  return run;
}

async function scan(
  dir: string,
  registry: ComponentRegistry,
  state: LoaderState,
  options: LoadPluginsOptions,
): Promise<PluginReport> {
  const report: PluginReport = { dir, loaded: [], reloaded: [], unchanged: [], removed: [], errors: [] };
  const seen = new Set<string>();
  let entries: Dirent[] = [];
  let root = dir;
  try {
    root = await realpath(dir);
    entries = await readdir(root, { withFileTypes: true });
  } catch (err) {
    if (!isNotFound(err)) {
      report.errors.push({
        id: "",
        path: dir,
        code: "READ_FAILED",
        message: `cannot read: ${errorText(err)}`,
      });
      return report; // unreadable is not "empty": keep what is loaded
    }
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    if (entry.name.startsWith(".") || !(entry.isDirectory() || entry.isSymbolicLink())) continue;
    const id = entry.name;
    const folderPath = path.join(root, id);
    if (!SAFE_PLUGIN_ID.test(id)) {
      const message = "folder name is not a component id (^[a-z][a-z0-9_]{1,63}$)";
      report.errors.push({ id: id.slice(0, 100), path: folderPath, code: "UNSAFE_ID", message });
      continue;
    }
    seen.add(id);
    try {
      const outcome = await loadOne(root, dir, id, registry, state, options);
      report[outcome].push(id);
    } catch (err) {
      report.errors.push(toPluginError(id, folderPath, err));
    }
  }
  for (const [id, { slot, dir: from }] of state.slots) {
    if (from === dir && !seen.has(id) && !slot.removed) {
      slot.removed = true;
      registry.unregister(id);
      report.removed.push(id);
    }
  }
  return report;
}

async function loadOne(
  root: string,
  dir: string,
  id: string,
  registry: ComponentRegistry,
  state: LoaderState,
  options: LoadPluginsOptions,
): Promise<"loaded" | "reloaded" | "unchanged"> {
  const maxBytes = options.maxFileBytes ?? MAX_PLUGIN_FILE_BYTES;
  const timeoutMs = options.importTimeoutMs ?? 10_000;
  const folderPath = path.join(root, id);
  const folder = await resolveInside(root, folderPath);
  if (folder === undefined) throw new PluginLoadError("READ_FAILED", folderPath, "dangling symlink");
  if (folder === root)
    throw new PluginLoadError("OUTSIDE_DIR", folderPath, "links to the plugins dir itself");
  if (!(await stat(folder)).isDirectory())
    throw new PluginLoadError("READ_FAILED", folderPath, "not a folder");

  const { manifest, main, key: manifestKey } = await readPluginManifest(folder, id, maxBytes);
  const known = state.slots.get(id);
  if (known === undefined ? registry.has(id) : known.dir !== dir) {
    const owner = known === undefined ? (registry.originOf(id) ?? "another") : `another plugins dir's`;
    throw new PluginLoadError("ID_CLASH", folderPath, `a ${owner} component already has the id ${id}`);
  }
  const entry = await findEntry(folder, main, maxBytes);
  const key = `${manifestKey}|${entry.file}|${entry.key}`;
  if (known !== undefined && known.slot.key === key && !known.slot.removed) return "unchanged";

  const code = await importPluginCode(entry, timeoutMs);
  if (known === undefined) {
    const slot: PluginSlot = { manifest, code, key, removed: false };
    registry.register(liveDefinition(slot), "plugin");
    state.slots.set(id, { slot, dir });
    return "loaded";
  }
  const wasRemoved = known.slot.removed;
  Object.assign(known.slot, { manifest, code, key, removed: false });
  if (wasRemoved) registry.register(liveDefinition(known.slot), "plugin");
  return wasRemoved ? "loaded" : "reloaded";
}

function toPluginError(id: string, folderPath: string, err: unknown): PluginError {
  if (err instanceof PluginLoadError) return { id, path: err.path, code: err.code, message: err.message };
  return { id, path: folderPath, code: "READ_FAILED", message: errorText(err) };
}
