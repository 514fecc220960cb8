import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { FloworkError } from "@flowork/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openInWorkspace, requireWorkspace, resolveDirInWorkspace, resolveInWorkspace } from "./workspace.js";

let top: string;
let workspace: string;

beforeAll(async () => {
  top = await mkdtemp(path.join(tmpdir(), "flowork-workspace-"));
  const real = path.join(top, "real-workspace");
  await mkdir(path.join(real, "dir"), { recursive: true });
  await writeFile(path.join(real, "file.txt"), "x");
  // The configured workspace is itself a symlink: paths through either name are inside.
  workspace = path.join(top, "workspace-link");
  await symlink(real, workspace);
});

afterAll(async () => {
  await rm(top, { recursive: true, force: true });
});

const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (e: unknown) => e as FloworkError,
  );

describe("workspace confinement", () => {
  it("requires a configured workspace", () => {
    expect(() => requireWorkspace({})).toThrow(FloworkError);
    expect(requireWorkspace({ workspaceDir: "/w" })).toBe("/w");
  });

  it("resolves relative, absolute-inside and not-yet-existing paths to real paths", async () => {
    const root = await realpath(workspace);
    expect(await resolveInWorkspace(workspace, "dir/new/file.txt")).toEqual({
      root,
      absolute: path.join(root, "dir", "new", "file.txt"),
      relative: "dir/new/file.txt",
    });
    expect((await resolveInWorkspace(workspace, path.join(workspace, "file.txt"))).relative).toBe("file.txt");
    expect((await resolveInWorkspace(workspace, path.join(root, "file.txt"))).relative).toBe("file.txt");
  });

  it.each(["..", "../x", "dir/../../x", "/etc/passwd"])("refuses %s", async (p) => {
    expect(await rejection(resolveInWorkspace(workspace, p))).toMatchObject({ code: "SANDBOX_VIOLATION" });
  });

  it.each(["", "  ", "a\0b", 42])("refuses the non-path %j", async (p) => {
    expect(await rejection(resolveInWorkspace(workspace, p))).toMatchObject({ code: "VALIDATION_FAILED" });
  });

  it("fails typed when the workspace folder is missing", async () => {
    expect(await rejection(resolveInWorkspace(path.join(top, "gone"), "x"))).toMatchObject({
      code: "INTERNAL",
    });
  });

  it("resolves an existing folder for cwd and refuses a file", async () => {
    expect((await resolveDirInWorkspace({ workspaceDir: workspace }, "dir")).relative).toBe("dir");
    expect(await rejection(resolveDirInWorkspace({ workspaceDir: workspace }, "file.txt"))).toMatchObject({
      code: "USER_ERROR",
    });
    expect(await rejection(resolveDirInWorkspace({ workspaceDir: workspace }, "nope"))).toMatchObject({
      code: "NOT_FOUND",
    });
  });

  it("opens for reading and refuses a directory", async () => {
    const { handle } = await openInWorkspace({ workspaceDir: workspace }, "file.txt", "read");
    await handle.close();
    expect(await rejection(openInWorkspace({ workspaceDir: workspace }, "dir", "read"))).toMatchObject({
      code: "USER_ERROR",
    });
  });
});
