import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { identity } from "./engine-process.js";
import { type Proc, spawnFlowork } from "./gateway-process.js";

const procs: Proc[] = [];
let dir: string | undefined;
afterAll(async () => {
  for (const p of procs) await p.stop("SIGKILL");
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe(".env in the working folder (SPEC section 7)", () => {
  it("is read, and the environment wins over it", async () => {
    dir = await mkdtemp(join(tmpdir(), "flowork-dotenv-"));
    const owner = identity();
    await writeFile(
      join(dir, ".env"),
      `FLOWORK_ENGINE_ID=from-dotenv\nFLOWORK_AUTHORIZED_ADDRESSES=${owner.address}:owner\n`,
    );
    const ready = /engine ready: ws:\/\/127\.0\.0\.1:\d+\/ engine_id=(\S+)/;
    const fromFile = await spawnFlowork(
      ["engine", "--port", "0", "--data", join(dir, "a")],
      {},
      ready,
      20_000,
      dir,
    );
    procs.push(fromFile);
    expect(fromFile.match[1]).toBe("from-dotenv");
    const fromEnv = await spawnFlowork(
      ["engine", "--port", "0", "--data", join(dir, "b")],
      { FLOWORK_ENGINE_ID: "from-env" },
      ready,
      20_000,
      dir,
    );
    procs.push(fromEnv);
    expect(fromEnv.match[1]).toBe("from-env");
  });
});
