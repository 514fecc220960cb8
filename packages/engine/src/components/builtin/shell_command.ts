import { type ChildProcess, spawn } from "node:child_process";
import { FloworkError } from "@flowork/protocol";
import { bool, builtinManifest, text } from "../define.js";
import { resolveDirInWorkspace } from "../fs/workspace.js";
import type { ComponentContext, ComponentDefinition, ComponentResult } from "../types.js";

/** Bytes kept of each of stdout and stderr; the rest is dropped and the output marked truncated. */
export const SHELL_OUTPUT_MAX_BYTES = 1024 * 1024;
/** After the command exits, how long its leftover background processes may hold the pipes before being killed. */
const EXIT_GRACE_MS = 1000;
/** Between SIGTERM and SIGKILL when a command is stopped. */
const KILL_GRACE_MS = 2000;
/** Engine environment passed on: nothing else (tokens, keys, database URLs) reaches a command. */
const INHERITED_ENV = [
  "PATH",
  "HOME",
  "USER",
  "LOGNAME",
  "LANG",
  "LC_ALL",
  "LC_CTYPE",
  "TZ",
  "TMPDIR",
  "TEMP",
  "TMP",
  "SystemRoot",
  "ComSpec",
  "PATHEXT",
  "WINDIR",
  "USERPROFILE",
  "APPDATA",
  "LOCALAPPDATA",
];

const invalid = (message: string) =>
  new FloworkError("VALIDATION_FAILED", message, { details: { component: "shell_command" } });

function scalarText(value: unknown, what: string): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  throw invalid(`${what} must be text`);
}

function readArgs(value: unknown): string[] {
  let list = value;
  if (list === undefined || list === null || list === "") return [];
  if (typeof list === "string") {
    try {
      list = JSON.parse(list);
    } catch {
      throw invalid("args must be a list");
    }
  }
  if (!Array.isArray(list)) throw invalid("args must be a list");
  return list.map((arg, i) => scalarText(arg, `args[${i}]`));
}

function readEnv(value: unknown): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of INHERITED_ENV) {
    const inherited = process.env[name];
    if (inherited !== undefined) env[name] = inherited;
  }
  if (value === undefined || value === null || value === "") return env;
  if (typeof value !== "object" || Array.isArray(value))
    throw invalid("env must be an object of names and values");
  for (const [name, raw] of Object.entries(value)) {
    if (raw === undefined || raw === null) continue;
    const text = scalarText(raw, `env.${name}`);
    if (!/^[^=\0]+$/.test(name) || text.includes("\0")) throw invalid(`env.${name} is not a valid variable`);
    env[name] = text;
  }
  return env;
}

function readTimeoutMs(value: unknown, fallbackSeconds: number): number {
  const seconds = value === undefined || value === null || value === "" ? fallbackSeconds : Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0) throw invalid("timeout_seconds must be a positive number");
  return seconds * 1000;
}

/** `use_shell` runs `command` with `/bin/sh -c`; `args` become `$1`, `$2`... and are never spliced into the text. */
function invocation(command: string, args: string[], useShell: boolean): [string, string[]] {
  if (!useShell) return [command, args];
  if (process.platform !== "win32") return ["/bin/sh", ["-c", command, "sh", ...args]];
  if (args.length > 0) throw invalid("args cannot be combined with use_shell on Windows");
  return [process.env.ComSpec ?? "cmd.exe", ["/d", "/s", "/c", command]];
}

/** Kills the command and everything it started (its process group on POSIX, even after the leader exited). */
function killTree(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    if (process.platform === "win32") child.kill(signal);
    else process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

class Capture {
  readonly chunks: Buffer[] = [];
  bytes = 0;
  truncated = false;
  push(chunk: Buffer): void {
    const room = SHELL_OUTPUT_MAX_BYTES - this.bytes;
    if (chunk.length > room) this.truncated = true;
    if (room <= 0) return;
    const kept = chunk.subarray(0, room);
    this.chunks.push(kept);
    this.bytes += kept.length;
  }
  text(): string {
    const text = Buffer.concat(this.chunks).toString("utf8");
    return this.truncated ? `${text}\n[output truncated at ${SHELL_OUTPUT_MAX_BYTES} bytes]` : text;
  }
}

interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Capture;
  stderr: Capture;
}

function run(
  file: string,
  argv: string[],
  cwd: string,
  env: Record<string, string>,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const stdout = new Capture();
    const stderr = new Capture();
    const child = spawn(file, argv, {
      cwd,
      env,
      shell: false,
      stdio: ["ignore", "pipe", "pipe"],
      detached: process.platform !== "win32",
      windowsHide: true,
    });
    let settled = false;
    const timers: NodeJS.Timeout[] = [];
    const finish = (error: unknown, outcome?: Outcome) => {
      if (settled) return;
      settled = true;
      // A finished command's leftovers in its process group end with it.
      if (outcome) killTree(child, "SIGKILL");
      for (const timer of timers) clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
      if (outcome) resolve(outcome);
      else reject(error);
    };
    const stop = (error: unknown) => {
      killTree(child, "SIGTERM");
      setTimeout(() => killTree(child, "SIGKILL"), KILL_GRACE_MS).unref();
      finish(error);
    };
    const onAbort = () => stop(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    if (signal.aborted) onAbort();
    timers.push(
      setTimeout(
        () =>
          stop(
            new FloworkError("NODE_TIMEOUT", `command ran past ${timeoutMs / 1000}s and was killed`, {
              retryable: true,
            }),
          ),
        timeoutMs,
      ),
    );
    child.stdout?.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr?.on("data", (chunk: Buffer) => stderr.push(chunk));
    child.once("error", (err) => finish(err));
    child.once("exit", (code, exitSignal) => {
      if (settled) return;
      // Background leftovers holding the pipes open would keep "close" from firing: give them a moment, then kill.
      timers.push(
        setTimeout(() => {
          killTree(child, "SIGKILL");
          child.stdout?.destroy();
          child.stderr?.destroy();
          finish(undefined, { code, signal: exitSignal, stdout, stderr });
        }, EXIT_GRACE_MS),
      );
    });
    child.once("close", (code, exitSignal) =>
      finish(undefined, { code, signal: exitSignal, stdout, stderr }),
    );
  });
}

function spawnError(err: unknown, command: string): FloworkError {
  if (err instanceof FloworkError) return err;
  const code = (err as NodeJS.ErrnoException | undefined)?.code ?? "EIO";
  const hint = code === "ENOENT" && /\s/.test(command) ? " (put arguments in args, or set use_shell)" : "";
  const message =
    code === "ENOENT" ? `command not found: ${command}${hint}` : `command could not start (${code})`;
  return new FloworkError("USER_ERROR", message, { details: { errno: code }, cause: err });
}

async function execute(_payload: unknown, ctx: ComponentContext): Promise<ComponentResult> {
  if (ctx.settings.enable_dangerous_components !== true) {
    throw new FloworkError(
      "SANDBOX_VIOLATION",
      "shell_command is disabled: set the engine setting enable_dangerous_components to true to allow it",
      { details: { reason: "dangerous_component_disabled", setting: "enable_dangerous_components" } },
    );
  }
  const { config } = ctx;
  if (typeof config.command !== "string" || config.command.trim() === "")
    throw invalid("command is required");
  const command = config.command.trim();
  const args = readArgs(config.args);
  const [file, argv] = invocation(command, args, bool(config.use_shell, false));
  // Default: the workspace root (checked like any cwd); without a workspace, the engine's own folder.
  const cwdPath = text(config.cwd).trim() || (ctx.services.workspaceDir === undefined ? undefined : ".");
  const cwd =
    cwdPath === undefined ? process.cwd() : (await resolveDirInWorkspace(ctx.services, cwdPath)).absolute;
  const timeoutMs = readTimeoutMs(config.timeout_seconds, ctx.settings.node_timeout_seconds);
  const outcome = await run(file, argv, cwd, readEnv(config.env), timeoutMs, ctx.signal).catch(
    (err: unknown) => {
      throw ctx.signal.aborted ? ctx.signal.reason : spawnError(err, command);
    },
  );
  if (outcome.stdout.truncated || outcome.stderr.truncated) {
    ctx.log("WARN", `command output over ${SHELL_OUTPUT_MAX_BYTES} bytes was truncated`);
  }
  const result = { exit_code: outcome.code, stdout: outcome.stdout.text(), stderr: outcome.stderr.text() };
  if (outcome.code !== 0) {
    const why =
      outcome.code === null
        ? `was killed by ${outcome.signal ?? "a signal"}`
        : `exited with code ${outcome.code}`;
    throw new FloworkError("USER_ERROR", `command ${why}`, {
      details: {
        ...result,
        signal: outcome.signal,
        stdout: result.stdout.slice(-2000),
        stderr: result.stderr.slice(-2000),
      },
    });
  }
  return { payload: result };
}

/**
 * `shell_command` (dangerous): runs a program and emits `{exit_code, stdout, stderr}`.
 *
 * - Refuses with `SANDBOX_VIOLATION` unless the engine setting `enable_dangerous_components` is true.
 * - No shell by default: `command` is the program and `args` its arguments, passed verbatim. `use_shell: true`
 *   runs `command` through `/bin/sh -c` (`cmd.exe /c` on Windows), with `args` as `$1`, `$2`...
 * - `cwd` must be a folder inside the workspace (default: the workspace, else the engine's folder); the
 *   environment is a small allowlist (PATH, HOME, locale, temp dirs) plus `env`, so engine secrets do not leak.
 * - A non-zero exit is `USER_ERROR` with the exit code and output tails in `details`; on timeout or stop the
 *   command's whole process group is killed (SIGTERM, then SIGKILL). Output is capped at 1 MiB per stream.
 *
 * @example
 * { "module_id": "shell_command", "config_values": { "command": "git", "args": ["status", "--short"] } }
 */
export const shellCommand: ComponentDefinition = {
  manifest: builtinManifest({
    id: "shell_command",
    name: "Shell Command",
    type: "ACTION",
    category: "System",
    description:
      "Runs a program on the engine's machine (dangerous: only when the enable_dangerous_components setting is " +
      "on). Outputs {exit_code, stdout, stderr}; a non-zero exit fails the node.",
    icon: "terminal",
    properties: [
      { id: "command", type: "string", label: "Command", required: true, description: "The program to run." },
      { id: "args", type: "list", label: "Arguments", default: [] },
      {
        id: "use_shell",
        type: "boolean",
        label: "Run through the shell",
        default: false,
        description: "Runs the command text with /bin/sh -c; arguments become $1, $2...",
      },
      {
        id: "cwd",
        type: "string",
        label: "Working folder",
        description: "Relative to the workspace folder.",
      },
      { id: "env", type: "key_value", label: "Environment", default: {} },
      { id: "timeout_seconds", type: "float", label: "Timeout (seconds)" },
    ],
    side_effects: true,
    simulate_output: { exit_code: 0, stdout: "", stderr: "" },
  }),
  execute,
};
