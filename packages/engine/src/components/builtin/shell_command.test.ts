import { readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { FloworkError, ManifestSchema } from "@flowork/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createComponentHarness, type HarnessOptions } from "../../testing/harness.js";
import type { ComponentResult } from "../types.js";
import { SHELL_OUTPUT_MAX_BYTES, shellCommand } from "./shell_command.js";

const node = process.execPath;
let workspace: string;

beforeAll(async () => {
  workspace = await mkdtemp(path.join(tmpdir(), "flowork-shell-"));
  await mkdir(path.join(workspace, "sub"));
});

afterAll(async () => {
  await rm(workspace, { recursive: true, force: true });
});

const payloadOf = (result: ComponentResult) => {
  if ("emits" in result) throw new Error("expected one emission");
  return result.payload;
};

const options = (
  config: Record<string, unknown>,
  extra: Omit<HarnessOptions, "config"> = {},
): HarnessOptions => ({
  settings: { enable_dangerous_components: true },
  services: { workspaceDir: workspace },
  ...extra,
  config,
});

const run = async (config: Record<string, unknown>, extra?: Omit<HarnessOptions, "config">) =>
  payloadOf(await createComponentHarness(options(config, extra)).run(shellCommand));

async function failure(config: Record<string, unknown>, extra?: Omit<HarnessOptions, "config">) {
  const err = await createComponentHarness(options(config, extra))
    .run(shellCommand)
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  expect(err).toBeInstanceOf(FloworkError);
  return err as FloworkError;
}

/** A killed process may stay a zombie until init reaps it: that counts as gone. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !readFileSync(`/proc/${pid}/status`, "utf8").includes("State:\tZ");
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "ENOENT" && process.platform !== "linux";
  }
}

const script = (code: string, ...rest: string[]) => ({ command: node, args: ["-e", code, ...rest] });

describe("shell_command", () => {
  it("has a valid manifest with side effects and a simulate_output", () => {
    expect(ManifestSchema.safeParse(shellCommand.manifest).success).toBe(true);
    expect(shellCommand.manifest.side_effects).toBe(true);
    expect(shellCommand.manifest.simulate_output).toEqual({ exit_code: 0, stdout: "", stderr: "" });
  });

  it("refuses unless enable_dangerous_components is on, naming the setting", async () => {
    const err = await failure(script("process.exit(0)"), {
      settings: { enable_dangerous_components: false },
    });
    expect(err).toMatchObject({ code: "SANDBOX_VIOLATION", retryable: false });
    expect(err.message).toContain("enable_dangerous_components");
  });

  it("runs a program with arguments passed verbatim, without a shell", async () => {
    const out = await run(
      script("console.log(JSON.stringify(process.argv.slice(1)))", "$HOME", "a b", "`id`; echo hi"),
    );
    expect(out).toMatchObject({ exit_code: 0, stderr: "" });
    expect(JSON.parse((out as { stdout: string }).stdout)).toEqual(["$HOME", "a b", "`id`; echo hi"]);
  });

  it("captures stderr and fails a non-zero exit with USER_ERROR and details", async () => {
    const err = await failure(script("console.error('boom'); process.exit(3)"));
    expect(err).toMatchObject({ code: "USER_ERROR", retryable: false });
    expect(err.details).toMatchObject({ exit_code: 3, stderr: "boom\n" });
  });

  it("runs in the workspace by default and in a cwd inside it", async () => {
    const realWorkspace = await import("node:fs/promises").then((fs) => fs.realpath(workspace));
    expect(await run(script("process.stdout.write(process.cwd())"))).toMatchObject({ stdout: workspace });
    expect(await run({ ...script("process.stdout.write(process.cwd())"), cwd: "sub" })).toMatchObject({
      stdout: path.join(realWorkspace, "sub"),
    });
  });

  it("refuses a cwd outside the workspace", async () => {
    expect(await failure({ ...script("0"), cwd: "../" })).toMatchObject({ code: "SANDBOX_VIOLATION" });
    expect(await failure({ ...script("0"), cwd: "/" })).toMatchObject({ code: "SANDBOX_VIOLATION" });
  });

  it("passes only allowlisted engine variables plus env", async () => {
    process.env.FLOWORK_TEST_SECRET = "do-not-leak";
    try {
      const out = await run({
        ...script("process.stdout.write(JSON.stringify(process.env))"),
        env: { GREETING: "hi", N: 2 },
      });
      const env = JSON.parse((out as { stdout: string }).stdout) as Record<string, string>;
      expect(env).toMatchObject({ GREETING: "hi", N: "2" });
      expect(env.FLOWORK_TEST_SECRET).toBeUndefined();
      expect(env.PATH).toBe(process.env.PATH);
    } finally {
      delete process.env.FLOWORK_TEST_SECRET;
    }
  });

  it.skipIf(process.platform === "win32")("uses /bin/sh only with use_shell, args as $1...", async () => {
    const out = await run({ command: 'echo "$1" | tr a-z A-Z', args: ["hello; rm -rf /"], use_shell: true });
    expect(out).toMatchObject({ exit_code: 0, stdout: "HELLO; RM -RF /\n" });
    const err = await failure({ command: "echo hi" });
    expect(err).toMatchObject({ code: "USER_ERROR" });
    expect(err.message).toContain("use_shell");
  });

  it("kills a command that runs past timeout_seconds, children included", async () => {
    const code =
      "const c = require('child_process').spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], " +
      "{ stdio: 'ignore' }); require('fs').writeFileSync('child.pid', String(c.pid)); setInterval(() => {}, 1000)";
    const started = Date.now();
    const err = await failure({ ...script(code), timeout_seconds: 1.5 });
    expect(err).toMatchObject({ code: "NODE_TIMEOUT" });
    expect(Date.now() - started).toBeLessThan(5000);
    if (process.platform === "win32") return;
    const grandchild = Number(readFileSync(path.join(workspace, "child.pid"), "utf8"));
    for (let i = 0; i < 50 && isAlive(grandchild); i++) await new Promise((r) => setTimeout(r, 50));
    expect(isAlive(grandchild)).toBe(false);
  });

  it("kills the command and rethrows the reason when the run is stopped", async () => {
    const controller = new AbortController();
    const reason = new Error("stopped");
    setTimeout(() => controller.abort(reason), 100);
    const err = await createComponentHarness(
      options(script("setInterval(() => {}, 1000)"), { signal: controller.signal }),
    )
      .run(shellCommand)
      .catch((e: unknown) => e);
    expect(err).toBe(reason);
  });

  it.skipIf(process.platform === "win32").each([
    ["holding the pipes", "inherit"],
    ["detached from the pipes", "ignore"],
  ])("kills background leftovers %s when the command ends", async (_name, stdio) => {
    const code =
      "const c = require('child_process').spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], " +
      `{ stdio: '${stdio}' }); c.unref(); console.log(c.pid)`;
    const started = Date.now();
    const out = await run(script(code));
    expect(Date.now() - started).toBeLessThan(10_000);
    const leftover = Number((out as { stdout: string }).stdout.trim());
    expect(leftover).toBeGreaterThan(0);
    for (let i = 0; i < 50 && isAlive(leftover); i++) await new Promise((r) => setTimeout(r, 50));
    expect(isAlive(leftover)).toBe(false);
  });

  it("caps the output", async () => {
    const out = await run(script(`process.stdout.write("x".repeat(${SHELL_OUTPUT_MAX_BYTES + 10}))`));
    const stdout = (out as { stdout: string }).stdout;
    expect(stdout.startsWith("x".repeat(SHELL_OUTPUT_MAX_BYTES))).toBe(true);
    expect(stdout).toContain("[output truncated");
  });

  it("reports a missing program and bad config", async () => {
    expect(await failure({ command: "flowork-no-such-program-xyz" })).toMatchObject({ code: "USER_ERROR" });
    expect(await failure({ command: "" })).toMatchObject({ code: "VALIDATION_FAILED" });
    expect(await failure({ command: node, args: [{ a: 1 }] })).toMatchObject({ code: "VALIDATION_FAILED" });
  });

  it("does not run in SIMULATE", async () => {
    const out = await run({ ...script("require('fs').writeFileSync('ran.txt', 'x')") }, { mode: "SIMULATE" });
    expect(out).toEqual({ exit_code: 0, stdout: "", stderr: "" });
    await expect(
      import("node:fs/promises").then((fs) => fs.stat(path.join(workspace, "ran.txt"))),
    ).rejects.toThrow();
  });
});
