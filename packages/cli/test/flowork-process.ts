import { type ChildProcess, spawn } from "node:child_process";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The CLI entry the end-to-end tests start, as a user's shell would. */
export const BIN = resolve(fileURLToPath(new URL(".", import.meta.url)), "../bin/flowork.js");

export interface Proc {
  child: ChildProcess;
  output: () => string;
  match: RegExpExecArray;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Spawns `flowork <args>` and resolves once its output matches `ready`. */
export function spawnFlowork(
  args: string[],
  env: NodeJS.ProcessEnv,
  ready: RegExp,
  timeoutMs = 20_000,
  cwd?: string,
): Promise<Proc> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      ...(cwd !== undefined && { cwd }),
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let done = false;
    const timer = setTimeout(() => {
      if (done) return;
      done = true;
      child.kill("SIGKILL");
      reject(new Error(`flowork ${args[0]} did not start:\n${out}`));
    }, timeoutMs);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = ready.exec(out);
      if (m && !done) {
        done = true;
        clearTimeout(timer);
        resolve({
          child,
          output: () => out,
          match: m,
          stop: (signal = "SIGTERM") =>
            new Promise((r) => {
              if (child.exitCode !== null || child.signalCode !== null) {
                r(child.exitCode);
                return;
              }
              child.once("exit", (code) => r(code));
              child.kill(signal);
            }),
        });
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.on("exit", (code) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      reject(new Error(`flowork ${args[0]} exited with ${code}:\n${out}`));
    });
  });
}
