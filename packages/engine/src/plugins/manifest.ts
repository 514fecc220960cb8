import path from "node:path";
import { type Manifest, ManifestSchema, toValidationIssues } from "@flowork/protocol";
import { errorText, readSmallFile, resolveInside } from "./files.js";
import { PluginLoadError } from "./report.js";

/**
 * `main` in a plugin's `manifest.json`: the entry module, relative to the plugin folder. It is a loader field,
 * not part of the component manifest, so it is taken out before `ManifestSchema` (which is strict) checks the rest.
 */
const MAIN_RE = /^(?!\/)(?!.*(?:^|\/)\.\.(?:\/|$))[A-Za-z0-9_./-]+\.m?js$/;

/** A plugin's manifest, its optional `main`, and the change key of `manifest.json`. */
export interface PluginManifest {
  manifest: Manifest;
  main: string | undefined;
  key: string;
}

/**
 * Reads and validates `<folder>/manifest.json` of plugin `id`. `folder` is the plugin folder's real path; the
 * manifest must resolve inside it.
 */
export async function readPluginManifest(
  folder: string,
  id: string,
  maxBytes: number,
): Promise<PluginManifest> {
  const file = path.join(folder, "manifest.json");
  const real = await resolveInside(folder, file);
  if (real === undefined) throw new PluginLoadError("MANIFEST_MISSING", file, "no manifest.json");
  const { text, key } = await readSmallFile(real, maxBytes);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new PluginLoadError("MANIFEST_JSON", file, `manifest.json is not JSON: ${errorText(err)}`);
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new PluginLoadError("MANIFEST_INVALID", file, "manifest.json must hold a JSON object");
  }
  const { main, ...rest } = raw as Record<string, unknown>;
  if (main !== undefined && (typeof main !== "string" || !MAIN_RE.test(main))) {
    throw new PluginLoadError("MANIFEST_INVALID", file, "main must be a relative path to a .js or .mjs file");
  }
  const parsed = ManifestSchema.safeParse(rest);
  if (!parsed.success) {
    const problems = toValidationIssues(parsed.error.issues)
      .slice(0, 5)
      .map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`);
    throw new PluginLoadError("MANIFEST_INVALID", file, `manifest.json is invalid: ${problems.join("; ")}`);
  }
  if (parsed.data.id !== id) {
    throw new PluginLoadError(
      "ID_MISMATCH",
      file,
      `manifest id "${parsed.data.id}" differs from the folder name`,
    );
  }
  return { manifest: parsed.data, main, key };
}
