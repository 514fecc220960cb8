/**
 * What `loadPlugins` tells its caller: which plugins are active and which were refused, and why.
 */

/** Why a plugin folder was refused. Stable strings, meant for operators and the components list. */
export type PluginErrorCode =
  /** The folder name is not a component id (`^[a-z][a-z0-9_]{1,63}$`). */
  | "UNSAFE_ID"
  /** The folder, `manifest.json` or the entry is a symlink resolving outside its folder or the plugins dir. */
  | "OUTSIDE_DIR"
  /** `manifest.json` or the entry module is over the size limit (1 MiB). */
  | "FILE_TOO_LARGE"
  | "MANIFEST_MISSING"
  /** `manifest.json` is not JSON. */
  | "MANIFEST_JSON"
  /** `manifest.json` fails `ManifestSchema`, or its `main` field is not a safe relative `.js`/`.mjs` path. */
  | "MANIFEST_INVALID"
  /** The manifest's `id` differs from the folder name. */
  | "ID_MISMATCH"
  /** A built-in component (or something not loaded from this dir) already has this id. */
  | "ID_CLASH"
  /** No entry module (`main`, else `index.js`, else `index.mjs`). */
  | "MODULE_MISSING"
  /** The entry module failed to import (syntax error, or it threw while evaluating). */
  | "MODULE_IMPORT_FAILED"
  /** The entry module did not finish importing in time (a top-level await that never settles). */
  | "MODULE_TIMEOUT"
  /** The entry module exports neither a default function nor a named `execute` function. */
  | "NO_EXECUTE"
  /** Any other I/O failure reading the folder. */
  | "READ_FAILED";

/** One refused plugin. `path` is the file or folder at fault; `message` is for humans. */
export interface PluginError {
  id: string;
  path: string;
  code: PluginErrorCode;
  message: string;
}

/** The outcome of one `loadPlugins` call. Ids are sorted. */
export interface PluginReport {
  /** The plugins directory that was scanned. */
  dir: string;
  /** Registered for the first time by this call. */
  loaded: string[];
  /** Already registered, and replaced by a changed version. */
  reloaded: string[];
  /** Already registered and unchanged on disk. */
  unchanged: string[];
  /** Registered earlier but their folder is gone: they now refuse to run with `COMPONENT_NOT_FOUND`. */
  removed: string[];
  /**
   * Refused plugins. A plugin that loaded earlier and is broken now keeps running its last good version; it is
   * listed here until fixed.
   */
  errors: PluginError[];
}

/** Thrown inside the loader for one plugin; caught and turned into a `PluginError`. */
export class PluginLoadError extends Error {
  override readonly name = "PluginLoadError";
  constructor(
    readonly code: PluginErrorCode,
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}
