import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Workflow } from "@flowork/protocol";
import Database from "better-sqlite3";
import { sql } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
// The built code: the store thread runs compiled JavaScript.
import { checkpointsOf } from "../dist/store/db.js";
import { openEngineStore } from "../dist/store/index.js";
import type { EngineStore } from "../src/store/index.js";
import { describeEngineStoreContract } from "../src/store/test-contract.js";
import { journalRuns } from "./journal-runs.js";

/** Opens the built store and waits until its journal is written by the store thread. */
async function openThreaded(dataDir: string, extras: object = {}): Promise<EngineStore> {
  const store = await openEngineStore({ dataDir, env: {}, ...extras });
  const thread = checkpointsOf(store.db);
  if (thread === undefined || !(await thread.ready)) {
    await store.close();
    throw new Error("the store thread did not start");
  }
  // The built store's classes are the same code as the sources' (the contract is written against the sources).
  return store as unknown as EngineStore;
}

// Every store behaviour again, with the journal's transactions on the thread's own connection.
describeEngineStoreContract("sqlite, journal on the store thread", {
  databaseInDataDir: true,
  async create() {
    const dataDir = await mkdtemp(join(tmpdir(), "flowork-store-thread-"));
    return {
      dataDir,
      open: (extras) => openThreaded(dataDir, extras),
      dispose: () => rm(dataDir, { recursive: true, force: true }),
    };
  },
});

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowork-thread-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const workflow: Workflow = { nodes: [], connections: [] };
const ADDRESS = `0x${"ab".repeat(20)}`;

function countRows(path: string): { executions: number; events: number } {
  const check = new Database(path, { readonly: true });
  try {
    const executions = (check.prepare("select count(*) as n from executions").get() as { n: number }).n;
    const events = (check.prepare("select count(*) as n from execution_events").get() as { n: number }).n;
    return { executions, events };
  } finally {
    check.close();
  }
}

describe("the store thread", () => {
  it("writes the journal on its own connection while the engine's connection saves presets and settings", async () => {
    const store = await openThreaded(dir);
    let runs = 0;
    const failures: unknown[] = [];
    for (let round = 0; round < 200; round++) {
      runs += journalRuns(store, 20).length;
      // The thread commits this batch while the engine's connection runs its own transactions below.
      const flushed = store.events.flush().catch((err: unknown) => failures.push(err));
      await new Promise((r) => setImmediate(r));
      try {
        await store.presets.save(`p${round % 4}`, workflow, { updated_by: ADDRESS });
        if (round % 10 === 0) await store.settings.save({ log_level: round % 20 === 0 ? "DEBUG" : "INFO" });
      } catch (err) {
        failures.push(err);
      }
      // Every tenth round waits for its batch, so at least 20 separate journal transactions interleave with the
      // engine's own, however the thread's timing merges the batches in between.
      if (round % 10 === 9) await flushed;
    }
    await store.events.flush();
    expect(failures).toEqual([]);
    expect(checkpointsOf(store.db)?.journalling).toBe(true);
    expect(store.events.stats.transactions).toBeGreaterThanOrEqual(20);
    expect((await store.presets.load("p0"))?.version).toBe(50);
    await store.close();
    expect(countRows(join(dir, "engine.db"))).toEqual({ executions: runs, events: runs });
  });

  it("hands the journal back to the engine's connection when the thread dies, losing nothing", async () => {
    const store = await openEngineStore({ dataDir: dir, env: {} });
    const thread = checkpointsOf(store.db);
    expect(thread && (await thread.ready)).toBe(true);
    const first = journalRuns(store as unknown as EngineStore, 100);
    await store.events.flush();
    await thread?.terminate();
    expect(thread?.journalling).toBe(false);
    const second = journalRuns(store as unknown as EngineStore, 100, "after");
    await store.events.flush();
    // SQLite's own checkpoints are back on the engine's connection.
    const auto = await sql<{ wal_autocheckpoint: number }>`pragma wal_autocheckpoint`.execute(store.db);
    expect(auto.rows[0]?.wal_autocheckpoint).toBe(1000);
    const last = second.at(-1) as string;
    const stored = await store.executions.get(last);
    expect(stored?.status).toBe("SUCCEEDED");
    await store.close();
    expect(countRows(join(dir, "engine.db"))).toEqual({
      executions: first.length + second.length,
      events: first.length + second.length,
    });
  });
});

describe("a process that closes its store", () => {
  it("waits for the store thread to close and exits by itself with code 0 (no unsettled await)", async () => {
    // What `flowork run` and the benches do: open, write history, close at the top level, let the process end.
    const built = (path: string) => JSON.stringify(new URL(`../dist/${path}`, import.meta.url).href);
    const script = `
      import { openEngineStore } from ${built("store/index.js")};
      import { checkpointsOf } from ${built("store/db.js")};
      import { logEvent } from ${built("runtime/events.js")};
      import { newJobId } from ${built("runtime/run.js")};
      const store = await openEngineStore({ dataDir: process.argv[1], env: {} });
      if (!(await checkpointsOf(store.db).ready)) process.exit(3);
      for (let i = 0; i < 500; i++) {
        const id = newJobId();
        store.events.create({ job_id: id, preset_name: null, mode: "EXECUTE", started_by: null, workflow_data: { nodes: [], connections: [] } });
        store.events.append(id, logEvent(id, "INFO", "test", "hello"));
      }
      await store.close();
    `;
    const child = spawn(process.execPath, ["--input-type=module", "-e", script, dir], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    expect({ code, stderr: stderr.includes("Error") ? stderr : "" }).toEqual({ code: 0, stderr: "" });
    // The last connection to close checkpointed and deleted the WAL (before this test opens one of its own).
    expect(existsSync(join(dir, "engine.db-wal"))).toBe(false);
    expect(countRows(join(dir, "engine.db"))).toEqual({ executions: 500, events: 500 });
  });
});
