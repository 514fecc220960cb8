import { mkdir, mkdtemp, realpath, rm, symlink, utimes, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Manifest } from "@flowork/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ComponentRegistry } from "../components/registry.js";
import { createComponentHarness } from "../testing/harness.js";
import { loadPlugins, type PluginReport } from "./loader.js";

function manifest(id: string, extra: Record<string, unknown> = {}): Manifest & Record<string, unknown> {
  return {
    id,
    name: `Plugin ${id}`,
    version: "1.0.0",
    type: "ACTION",
    category: "Test",
    description: "a test plugin",
    properties: [],
    input_ports: [{ name: "input" }],
    output_ports: [{ name: "success", display_name: "Success" }],
    side_effects: false,
    ...extra,
  };
}

const DOUBLE = "export default function (payload) { return { payload: { n: payload.n * 2 } }; }\n";

let dir: string;
let outside: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "flowork-plugins-"));
  outside = await mkdtemp(path.join(os.tmpdir(), "flowork-outside-"));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
  await rm(outside, { recursive: true, force: true });
});

/** Writes `<dir>/<folder>/` with a manifest (object or raw text) and files. */
async function plugin(
  folder: string,
  man: object | string | undefined,
  files: Record<string, string> = {},
): Promise<string> {
  const root = path.join(dir, folder);
  await mkdir(root, { recursive: true });
  if (man !== undefined) {
    await writeFile(path.join(root, "manifest.json"), typeof man === "string" ? man : JSON.stringify(man));
  }
  for (const [name, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, name)), { recursive: true });
    await writeFile(path.join(root, name), text);
  }
  return root;
}

/** Sets a file's mtime explicitly, so a rewrite is seen as a change even on coarse clocks. */
async function touch(file: string, secondsFromNow: number): Promise<void> {
  const t = new Date(Date.now() + secondsFromNow * 1000);
  await utimes(file, t, t);
}

async function run(registry: ComponentRegistry, id: string, payload: unknown): Promise<unknown> {
  const component = registry.get(id);
  if (component === undefined) throw new Error(`${id} not registered`);
  return createComponentHarness().run(component, payload);
}

function errorCodes(report: PluginReport): Record<string, string> {
  return Object.fromEntries(report.errors.map((e) => [e.id, e.code]));
}

describe("loadPlugins: working plugins", () => {
  it("loads a plugin whose default export is execute, and calls it", async () => {
    await plugin("doubler", manifest("doubler"), { "index.js": DOUBLE });
    const registry = new ComponentRegistry();
    const report = await loadPlugins(dir, registry);
    expect(report).toMatchObject({ loaded: ["doubler"], errors: [], removed: [] });
    expect(registry.originOf("doubler")).toBe("plugin");
    expect(registry.manifests().map((m) => m.id)).toEqual(["doubler"]);
    expect(await run(registry, "doubler", { n: 21 })).toEqual({ payload: { n: 42 } });
  });

  it("uses a named execute from index.mjs, passes the context, and uses a named simulate", async () => {
    await plugin("greeter", manifest("greeter", { side_effects: true }), {
      "index.mjs": [
        "export async function execute(payload, ctx) {",
        "  ctx.log('INFO', 'hello ' + ctx.config.who);",
        "  return { payload: { greeted: ctx.config.who }, output_name: 'success' };",
        "}",
        "export function simulate(payload) { return { payload: { simulated: true } }; }",
      ].join("\n"),
    });
    const registry = new ComponentRegistry();
    expect((await loadPlugins(dir, registry)).loaded).toEqual(["greeter"]);
    const component = registry.get("greeter");
    if (!component) throw new Error("missing");
    const h = createComponentHarness({ config: { who: "ada" } });
    expect(await h.run(component, {})).toEqual({ payload: { greeted: "ada" }, output_name: "success" });
    expect(h.logs).toEqual([{ level: "INFO", message: "hello ada" }]);
    const sim = createComponentHarness({ mode: "SIMULATE" });
    expect(await sim.run(component, {})).toEqual({ payload: { simulated: true } });
  });

  it("follows a main field, which is not part of the validated manifest", async () => {
    await plugin("with_main", manifest("with_main", { main: "lib/entry.mjs" }), {
      "lib/entry.mjs": "export default (p) => ({ payload: 'from main' });",
      "index.js": "export default () => ({ payload: 'from index' });",
    });
    const registry = new ComponentRegistry();
    const report = await loadPlugins(dir, registry);
    expect(report.loaded).toEqual(["with_main"]);
    expect(await run(registry, "with_main", {})).toEqual({ payload: "from main" });
    expect(registry.get("with_main")?.manifest).not.toHaveProperty("main");
  });

  it("treats a missing dir as no plugins", async () => {
    const report = await loadPlugins(path.join(dir, "nope"), new ComponentRegistry());
    expect(report).toMatchObject({ loaded: [], errors: [] });
  });

  it("ignores hidden folders and loose files", async () => {
    await plugin(".git", undefined, { HEAD: "x" });
    await writeFile(path.join(dir, "README.md"), "# plugins");
    const report = await loadPlugins(dir, new ComponentRegistry());
    expect(report).toMatchObject({ loaded: [], errors: [] });
  });

  it("accepts a symlinked plugin folder that stays inside the dir", async () => {
    await plugin(".store/linked_one", manifest("linked_one"), { "index.js": DOUBLE });
    await symlink(path.join(dir, ".store", "linked_one"), path.join(dir, "linked_one"), "dir");
    const registry = new ComponentRegistry();
    const report = await loadPlugins(dir, registry);
    expect(report).toMatchObject({ loaded: ["linked_one"], errors: [] });
    expect(await run(registry, "linked_one", { n: 1 })).toEqual({ payload: { n: 2 } });
  });
});

describe("loadPlugins: broken plugins are reported and skipped", () => {
  it("reports every failure kind and still loads the good plugin", async () => {
    await plugin("good", manifest("good"), { "index.js": DOUBLE });
    await plugin("bad_json", "{ not json", { "index.js": DOUBLE });
    await plugin("bad_manifest", { ...manifest("bad_manifest"), type: "SERVICE" }, { "index.js": DOUBLE });
    await plugin("extra_field", manifest("extra_field", { author: "me" }), { "index.js": DOUBLE });
    await plugin("not_object", "[1, 2]", { "index.js": DOUBLE });
    await plugin("no_manifest", undefined, { "index.js": DOUBLE });
    await plugin("mismatch", manifest("other_id"), { "index.js": DOUBLE });
    await plugin("no_module", manifest("no_module"), {});
    await plugin("missing_main", manifest("missing_main", { main: "dist/x.mjs" }), { "index.js": DOUBLE });
    await plugin("escaping_main", manifest("escaping_main", { main: "../good/index.js" }), {});
    await plugin("absolute_main", manifest("absolute_main", { main: "/etc/passwd.js" }), {});
    await plugin("throws", manifest("throws"), { "index.mjs": "throw new Error('boom at import');" });
    await plugin("syntax", manifest("syntax"), { "index.mjs": "export default function ( {" });
    await plugin("no_execute", manifest("no_execute"), { "index.mjs": "export const answer = 42;" });
    await plugin("not_function", manifest("not_function"), { "index.mjs": "export default { execute: 1 };" });
    await plugin("Bad-Name", manifest("bad_name"), { "index.js": DOUBLE });
    await plugin("x", manifest("x"), { "index.js": DOUBLE });

    const registry = new ComponentRegistry();
    const report = await loadPlugins(dir, registry);
    expect(report.loaded).toEqual(["good"]);
    expect(errorCodes(report)).toEqual({
      bad_json: "MANIFEST_JSON",
      bad_manifest: "MANIFEST_INVALID",
      extra_field: "MANIFEST_INVALID",
      not_object: "MANIFEST_INVALID",
      no_manifest: "MANIFEST_MISSING",
      mismatch: "ID_MISMATCH",
      no_module: "MODULE_MISSING",
      missing_main: "MODULE_MISSING",
      escaping_main: "MANIFEST_INVALID",
      absolute_main: "MANIFEST_INVALID",
      throws: "MODULE_IMPORT_FAILED",
      syntax: "MODULE_IMPORT_FAILED",
      no_execute: "NO_EXECUTE",
      not_function: "NO_EXECUTE",
      "Bad-Name": "UNSAFE_ID",
      x: "UNSAFE_ID",
    });
    expect(report.errors.find((e) => e.id === "throws")?.message).toContain("boom at import");
    for (const e of report.errors) {
      expect(e.path.startsWith(await realpath(dir))).toBe(true);
      expect(e.message.length).toBeGreaterThan(0);
    }
    expect(registry.manifests().map((m) => m.id)).toEqual(["good"]);
  });

  it("refuses an id that clashes with a built-in", async () => {
    const registry = new ComponentRegistry();
    registry.register({ manifest: manifest("set_data"), execute: (payload) => ({ payload }) }, "builtin");
    await plugin("set_data", manifest("set_data"), { "index.js": DOUBLE });
    const report = await loadPlugins(dir, registry);
    expect(errorCodes(report)).toEqual({ set_data: "ID_CLASH" });
    expect(registry.originOf("set_data")).toBe("builtin");
    expect(await run(registry, "set_data", { a: 1 })).toEqual({ payload: { a: 1 } });
  });

  it("refuses symlinks that point outside the dir", async () => {
    await writeFile(path.join(outside, "manifest.json"), JSON.stringify(manifest("via_folder")));
    await writeFile(path.join(outside, "index.js"), DOUBLE);
    await symlink(outside, path.join(dir, "via_folder"), "dir");
    const viaManifest = await plugin("via_manifest", undefined, { "index.js": DOUBLE });
    await writeFile(path.join(outside, "m2.json"), JSON.stringify(manifest("via_manifest")));
    await symlink(path.join(outside, "m2.json"), path.join(viaManifest, "manifest.json"));
    const viaEntry = await plugin("via_entry", manifest("via_entry"), {});
    await symlink(path.join(outside, "index.js"), path.join(viaEntry, "index.js"));
    const viaSibling = await plugin("via_sibling", manifest("via_sibling"), {});
    await plugin("sibling", manifest("sibling"), { "index.js": DOUBLE });
    await symlink(path.join(dir, "sibling", "index.js"), path.join(viaSibling, "index.js"));
    await symlink(dir, path.join(dir, "loop_back"), "dir");

    const registry = new ComponentRegistry();
    const report = await loadPlugins(dir, registry);
    expect(report.loaded).toEqual(["sibling"]);
    expect(errorCodes(report)).toEqual({
      via_folder: "OUTSIDE_DIR",
      via_manifest: "OUTSIDE_DIR",
      via_entry: "OUTSIDE_DIR",
      via_sibling: "OUTSIDE_DIR",
      loop_back: "OUTSIDE_DIR",
    });
  });

  it("refuses a manifest or an entry over 1 MiB", async () => {
    const big = " ".repeat(1024 * 1024 + 1);
    await plugin("big_manifest", JSON.stringify(manifest("big_manifest")) + big, { "index.js": DOUBLE });
    await plugin("big_entry", manifest("big_entry"), { "index.js": DOUBLE + big });
    const report = await loadPlugins(dir, new ComponentRegistry());
    expect(errorCodes(report)).toEqual({ big_manifest: "FILE_TOO_LARGE", big_entry: "FILE_TOO_LARGE" });
  });

  it("gives up on a module whose import never finishes", async () => {
    await plugin("hangs", manifest("hangs"), {
      "index.mjs": "await new Promise(() => {});\nexport default () => ({});",
    });
    const report = await loadPlugins(dir, new ComponentRegistry(), { importTimeoutMs: 200 });
    expect(errorCodes(report)).toEqual({ hangs: "MODULE_TIMEOUT" });
  });
});

describe("loadPlugins: reloading", () => {
  it("picks up new plugins, changed ones and removals on a second call", async () => {
    const registry = new ComponentRegistry();
    const first = await plugin("first", manifest("first"), { "index.js": DOUBLE });
    expect((await loadPlugins(dir, registry)).loaded).toEqual(["first"]);
    const definition = registry.get("first");

    await plugin("second", manifest("second"), { "index.mjs": "export default () => ({ payload: 2 });" });
    let report = await loadPlugins(dir, registry);
    expect(report).toMatchObject({ loaded: ["second"], unchanged: ["first"], reloaded: [], errors: [] });

    await writeFile(path.join(first, "index.js"), "export default () => ({ payload: 'v2' });\n");
    await touch(path.join(first, "index.js"), 5);
    await writeFile(
      path.join(first, "manifest.json"),
      JSON.stringify(manifest("first", { version: "2.0.0" })),
    );
    await touch(path.join(first, "manifest.json"), 5);
    report = await loadPlugins(dir, registry);
    expect(report).toMatchObject({ reloaded: ["first"], unchanged: ["second"], errors: [] });
    expect(registry.get("first")).toBe(definition);
    expect(registry.get("first")?.manifest.version).toBe("2.0.0");
    expect(await run(registry, "first", {})).toEqual({ payload: "v2" });

    await rm(path.join(dir, "second"), { recursive: true });
    report = await loadPlugins(dir, registry);
    expect(report.removed).toEqual(["second"]);
    expect(registry.has("second")).toBe(false);
    expect(registry.manifests().map((m) => m.id)).not.toContain("second");
    expect((await loadPlugins(dir, registry)).removed).toEqual([]);

    await plugin("second", manifest("second"), {
      "index.mjs": "export default () => ({ payload: 'back' });",
    });
    report = await loadPlugins(dir, registry);
    expect(report.loaded).toEqual(["second"]);
    expect(await run(registry, "second", {})).toEqual({ payload: "back" });
  });

  it("keeps the last good version of a plugin that breaks, and reports it", async () => {
    const registry = new ComponentRegistry();
    const folder = await plugin("fragile", manifest("fragile"), { "index.mjs": DOUBLE });
    await loadPlugins(dir, registry);
    await writeFile(path.join(folder, "index.mjs"), "export default function ( {");
    await touch(path.join(folder, "index.mjs"), 5);
    const report = await loadPlugins(dir, registry);
    expect(errorCodes(report)).toEqual({ fragile: "MODULE_IMPORT_FAILED" });
    expect(await run(registry, "fragile", { n: 2 })).toEqual({ payload: { n: 4 } });

    await writeFile(path.join(folder, "index.mjs"), "export default () => ({ payload: 'fixed' });");
    await touch(path.join(folder, "index.mjs"), 10);
    expect((await loadPlugins(dir, registry)).reloaded).toEqual(["fragile"]);
    expect(await run(registry, "fragile", {})).toEqual({ payload: "fixed" });
  });

  it("serialises concurrent loads on one registry", async () => {
    await plugin("once", manifest("once"), { "index.js": DOUBLE });
    const registry = new ComponentRegistry();
    const [a, b] = await Promise.all([loadPlugins(dir, registry), loadPlugins(dir, registry)]);
    expect(a.loaded).toEqual(["once"]);
    expect(b).toMatchObject({ unchanged: ["once"], errors: [] });
  });

  it("refuses the same id from a second plugins dir", async () => {
    await plugin("shared", manifest("shared"), { "index.js": DOUBLE });
    await mkdir(path.join(outside, "shared"));
    await writeFile(path.join(outside, "shared", "manifest.json"), JSON.stringify(manifest("shared")));
    await writeFile(path.join(outside, "shared", "index.js"), DOUBLE);
    const registry = new ComponentRegistry();
    await loadPlugins(dir, registry);
    expect(errorCodes(await loadPlugins(outside, registry))).toEqual({ shared: "ID_CLASH" });
  });
});
