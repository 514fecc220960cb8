import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { FloworkError, ManifestSchema } from "@flowork/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createComponentHarness } from "../../testing/harness.js";
import type { ComponentResult } from "../types.js";
import { FILE_READ_MAX_BYTES, fileRead } from "./file_read.js";

let top: string;
let workspace: string;
let outside: string;

beforeAll(async () => {
  top = await mkdtemp(path.join(tmpdir(), "flowork-file-read-"));
  workspace = path.join(top, "workspace");
  outside = path.join(top, "outside");
  await mkdir(path.join(workspace, "sub"), { recursive: true });
  await mkdir(outside);
  await writeFile(path.join(workspace, "hello.txt"), "hello ✓");
  await writeFile(path.join(workspace, "sub", "data.json"), '{"n": 1}');
  await writeFile(path.join(workspace, "bad.json"), "{nope");
  await writeFile(path.join(outside, "secret.txt"), "secret");
  await symlink(path.join(outside, "secret.txt"), path.join(workspace, "link-out.txt"));
  await symlink(outside, path.join(workspace, "dir-out"));
  await symlink(path.join(workspace, "hello.txt"), path.join(workspace, "link-in.txt"));
});

afterAll(async () => {
  await rm(top, { recursive: true, force: true });
});

const payloadOf = (result: ComponentResult) => {
  if ("emits" in result) throw new Error("expected one emission");
  return result.payload;
};

const read = async (config: Record<string, unknown>, payload: unknown = { keep: true }, mode?: "SIMULATE") =>
  payloadOf(
    await createComponentHarness({ config, mode, services: { workspaceDir: workspace } }).run(
      fileRead,
      payload,
    ),
  );

async function failure(config: Record<string, unknown>, workspaceDir: string | null = workspace) {
  const h = createComponentHarness({ config, services: workspaceDir === null ? {} : { workspaceDir } });
  const err = await h.run(fileRead, {}).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(FloworkError);
  return err as FloworkError;
}

describe("file_read", () => {
  it("has a valid manifest and no side effects", () => {
    expect(ManifestSchema.safeParse(fileRead.manifest).success).toBe(true);
    expect(fileRead.manifest.side_effects).toBe(false);
  });

  it("reads text into content, keeping the payload", async () => {
    expect(await read({ path: "hello.txt" })).toEqual({ keep: true, content: "hello ✓" });
  });

  it("reads JSON and base64, into a chosen field", async () => {
    expect(await read({ path: "sub/data.json", encoding: "json", output_field: "data" })).toEqual({
      keep: true,
      data: { n: 1 },
    });
    expect(await read({ path: "./sub/../hello.txt", encoding: "base64" })).toMatchObject({
      content: Buffer.from("hello ✓").toString("base64"),
    });
  });

  it("keeps a non-object payload under payload", async () => {
    expect(await read({ path: "hello.txt" }, "text")).toEqual({ payload: "text", content: "hello ✓" });
  });

  it("accepts an absolute path inside the workspace and a symlink that stays inside", async () => {
    expect(await read({ path: path.join(workspace, "hello.txt") })).toMatchObject({ content: "hello ✓" });
    expect(await read({ path: "link-in.txt" })).toMatchObject({ content: "hello ✓" });
  });

  it("runs in SIMULATE (reading changes nothing)", async () => {
    expect(await read({ path: "hello.txt" }, {}, "SIMULATE")).toEqual({ content: "hello ✓" });
  });

  it.each([
    ["a parent escape", "../outside/secret.txt"],
    ["a deep parent escape", "../../../../../../etc/passwd"],
    ["an absolute path outside", "/etc/passwd"],
    ["a symlinked file pointing out", "link-out.txt"],
    ["a symlinked directory pointing out", "dir-out/secret.txt"],
  ])("refuses %s with SANDBOX_VIOLATION", async (_name, p) => {
    const err = await failure({ path: p });
    expect(err).toMatchObject({ code: "SANDBOX_VIOLATION", retryable: false });
    expect(err.message).not.toContain("secret\n");
  });

  it("fails without a workspace", async () => {
    const err = await failure({ path: "hello.txt" }, null);
    expect(err.code).toBe("SANDBOX_VIOLATION");
    expect(err.details).toMatchObject({ reason: "no_workspace" });
  });

  it("reports a missing file, a directory, bad JSON and an empty path", async () => {
    expect(await failure({ path: "nope.txt" })).toMatchObject({ code: "NOT_FOUND" });
    expect(await failure({ path: "sub" })).toMatchObject({ code: "USER_ERROR" });
    expect(await failure({ path: "bad.json", encoding: "json" })).toMatchObject({ code: "USER_ERROR" });
    expect(await failure({ path: "" })).toMatchObject({ code: "VALIDATION_FAILED" });
    expect(await failure({ path: "hello.txt", encoding: "latin1" })).toMatchObject({
      code: "VALIDATION_FAILED",
    });
  });

  it("refuses a file over the size cap", async () => {
    await writeFile(path.join(workspace, "big.bin"), Buffer.alloc(FILE_READ_MAX_BYTES + 1));
    expect(await failure({ path: "big.bin" })).toMatchObject({ code: "PAYLOAD_TOO_LARGE" });
  });
});
