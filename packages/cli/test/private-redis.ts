import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { freePort } from "./free-port.js";

const run = promisify(execFile);

/** A redis-server of the test's own on a free loopback port, so restarting it disturbs no other test. */
export interface PrivateRedis {
  port: number;
  url: string;
  /** `redis-cli shutdown nosave`, as an operator would. */
  shutdown(): Promise<void>;
  /** Starts it again on the same port, resolving once it answers PING. */
  start(): Promise<void>;
  /** Stops it for good and removes its folder. */
  dispose(): Promise<void>;
}

/** Starts a private Redis with the machine doc's flags (no persistence) except port, folder and foreground. */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), "flowork-redis-"));
  let child: ChildProcess | undefined;
  const ping = async (): Promise<boolean> => {
    try {
      const { stdout } = await run("redis-cli", ["-p", String(port), "ping"]);
      return stdout.trim() === "PONG";
    } catch {
      return false;
    }
  };
  const start = async (): Promise<void> => {
    child = spawn(
      "redis-server",
      ["--bind", "127.0.0.1", "--port", String(port), "--save", "", "--appendonly", "no", "--dir", dir],
      { stdio: "ignore" },
    );
    for (let i = 0; i < 100; i++) {
      if (await ping()) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`private redis-server on ${port} did not start`);
  };
  const waitExit = async (): Promise<void> => {
    const c = child;
    if (c === undefined || c.exitCode !== null || c.signalCode !== null) return;
    await new Promise<void>((resolve) => c.once("exit", () => resolve()));
  };
  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    start,
    async shutdown() {
      await run("redis-cli", ["-p", String(port), "shutdown", "nosave"]).catch(() => undefined);
      await waitExit();
    },
    async dispose() {
      child?.kill("SIGKILL");
      await waitExit();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
