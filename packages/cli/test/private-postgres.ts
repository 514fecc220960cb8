import { execFile } from "node:child_process";
import { chown, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { freePort } from "./free-port.js";

const run = promisify(execFile);
const BIN = "/usr/lib/postgresql/15/bin";

/** A PostgreSQL cluster of the test's own (trust auth, loopback, free port): restarting it disturbs nobody. */
export interface PrivatePostgres {
  port: number;
  /** URL of its `postgres` database. */
  url: string;
  /** `pg_ctl restart -m fast`: what an operator or a package upgrade does. */
  restart(): Promise<void>;
  /** `pg_ctl stop -m fast`: the server is gone until {@link start}. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops it (immediate) and removes its folder. */
  dispose(): Promise<void>;
}

/** Runs a PostgreSQL tool as the `postgres` user (initdb refuses root). */
async function asPostgres(tool: string, args: string[]): Promise<void> {
  await run("runuser", ["-u", "postgres", "--", join(BIN, tool), ...args], { timeout: 60_000 });
}

/** initdb + pg_ctl start of a throwaway cluster in a temp folder. */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), "flowork-pg-"));
  const { stdout } = await run("id", ["-u", "postgres"]);
  const { stdout: gid } = await run("id", ["-g", "postgres"]);
  await chown(dir, Number(stdout.trim()), Number(gid.trim()));
  const data = join(dir, "data");
  await asPostgres("initdb", ["-D", data, "-A", "trust", "-U", "postgres", "--no-sync"]);
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
  const ctl = (args: string[]) =>
    asPostgres("pg_ctl", ["-D", data, "-o", opts, "-w", "-l", join(dir, "log"), ...args]);
  await ctl(["start"]);
  return {
    port,
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    restart: () => ctl(["restart", "-m", "fast"]),
    stop: () => ctl(["stop", "-m", "fast"]),
    start: () => ctl(["start"]),
    async dispose() {
      await ctl(["stop", "-m", "immediate"]).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
