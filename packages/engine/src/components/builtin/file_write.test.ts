import { link, mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { FloworkError, ManifestSchema } from "@flowork/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createComponentHarness } from "../../testing/harness.js";
import type { ComponentResult } from "../types.js";
import { fileWrite } from "./file_write.js";

let top: string;
let workspace: string;
let outside: string;

beforeAll(async () => {
  top = await mkdtemp(path.join(tmpdir(), "flowork-file-write-"));
  workspace = path.join(top, "workspace");
  outside = path.join(top, "outside");
  await mkdir(workspace);
  await mkdir(outside);
  await writeFile(path.join(outside, "target.txt"), "original");
  await symlink(path.join(outside, "target.txt"), path.join(workspace, "link-out.txt"));
  await symlink(outside, path.join(workspace, "dir-out"));
  await symlink(path.join(outside, "missing-dir"), path.join(workspace, "dangling-dir"));
  await link(path.join(outside, "target.txt"), path.join(workspace, "hardlink.txt"));
});

afterAll(async () => {
  await rm(top, { recursive: true, force: true });
});

const payloadOf = (result: ComponentResult) => {
  if ("emits" in result) throw new Error("expected one emission");
  return result.payload;
};

const write = async (config: Record<string, unknown>, payload: unknown = {}, mode?: "SIMULATE") =>
  payloadOf(
    await createComponentHarness({ config, mode, services: { workspaceDir: workspace } }).run(
      fileWrite,
      payload,
    ),
  );

async function failure(config: Record<string, unknown>, workspaceDir: string | null = workspace) {
  const h = createComponentHarness({ config, services: workspaceDir === null ? {} : { workspaceDir } });
  const err = await h.run(fileWrite, {}).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(FloworkError);
  return err as FloworkError;
}

const inWorkspace = (p: string) => readFile(path.join(workspace, p), "utf8");

describe("file_write", () => {
  it("has a valid manifest with side effects", () => {
    expect(ManifestSchema.safeParse(fileWrite.manifest).success).toBe(true);
    expect(fileWrite.manifest.side_effects).toBe(true);
  });

  it("writes, overwrites and appends", async () => {
    const out = await write({ path: "notes.txt", content: "first line\n" }, { keep: 1 });
    expect(out).toEqual({ keep: 1, file: { path: "notes.txt", bytes_written: 11, mode: "overwrite" } });
    await write({ path: "notes.txt", content: "second\n", mode: "append" });
    expect(await inWorkspace("notes.txt")).toBe("first line\nsecond\n");
    await write({ path: "notes.txt", content: "new" });
    expect(await inWorkspace("notes.txt")).toBe("new");
  });

  it("writes JSON values as pretty JSON, and base64 as bytes", async () => {
    await write({ path: "data.json", content: { a: [1, 2] } });
    expect(JSON.parse(await inWorkspace("data.json"))).toEqual({ a: [1, 2] });
    await write({ path: "bytes.bin", content: Buffer.from([0, 255]).toString("base64"), encoding: "base64" });
    expect([...(await readFile(path.join(workspace, "bytes.bin")))]).toEqual([0, 255]);
  });

  it("creates missing folders only when asked", async () => {
    expect(await failure({ path: "a/b/c.txt", content: "x" })).toMatchObject({ code: "NOT_FOUND" });
    await write({ path: "a/b/c.txt", content: "x", create_dirs: true });
    expect(await inWorkspace("a/b/c.txt")).toBe("x");
  });

  it.each([
    ["a parent escape", "../outside/evil.txt"],
    ["an absolute path outside", path.join(tmpdir(), "flowork-evil.txt")],
    ["a symlinked file pointing out", "link-out.txt"],
    ["a symlinked directory pointing out", "dir-out/evil.txt"],
    ["a broken symlinked directory", "dangling-dir/evil.txt"],
    ["a hard link to a file outside", "hardlink.txt"],
  ])("refuses %s with SANDBOX_VIOLATION and changes nothing outside", async (_name, p) => {
    const err = await failure({ path: p, content: "pwned", create_dirs: true });
    expect(err).toMatchObject({ code: "SANDBOX_VIOLATION", retryable: false });
    expect(await readFile(path.join(outside, "target.txt"), "utf8")).toBe("original");
    await expect(stat(path.join(outside, "evil.txt"))).rejects.toThrow();
    await expect(stat(path.join(outside, "missing-dir"))).rejects.toThrow();
  });

  it("fails without a workspace or without content", async () => {
    expect(await failure({ path: "x.txt", content: "x" }, null)).toMatchObject({ code: "SANDBOX_VIOLATION" });
    expect(await failure({ path: "x.txt" })).toMatchObject({ code: "VALIDATION_FAILED" });
    expect(fileWrite.validateConfig?.({ path: "x.txt" })).toHaveLength(1);
    expect(fileWrite.validateConfig?.({ path: "x.txt", content: "" })).toEqual([]);
  });

  it("writes nothing in SIMULATE", async () => {
    const out = await write({ path: "simulated.txt", content: "abc" }, { keep: 1 }, "SIMULATE");
    expect(out).toEqual({
      keep: 1,
      file: { path: "simulated.txt", bytes_written: 3, mode: "overwrite", simulated: true },
    });
    await expect(stat(path.join(workspace, "simulated.txt"))).rejects.toThrow();
  });
});
