import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { sql } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
// The built code: the checkpointer's worker thread runs compiled JavaScript.
import { openSqlite } from "../dist/store/db.js";
import { openEngineStore } from "../dist/store/index.js";
import { journalRuns } from "./journal-runs.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowork-ckpt-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const size = async (path: string) => (await stat(path).catch(() => ({ size: 0 }))).size;

describe("background WAL checkpoints", () => {
  it("the engine's connection never checkpoints; a worker thread copies the WAL into the database", async () => {
    const path = join(dir, "engine.db");
    const db = await openSqlite(path);
    const auto = await sql<{ wal_autocheckpoint: number }>`pragma wal_autocheckpoint`.execute(db);
    expect(auto.rows[0]?.wal_autocheckpoint).toBe(0);
    const before = await size(path);
    await sql`create table filler (id integer primary key, body text not null)`.execute(db);
    for (let i = 0; i < 40; i++) {
      await db.transaction().execute(async (trx) => {
        for (let j = 0; j < 50; j++)
          await sql`insert into filler (body) values (${"x".repeat(2_000)})`.execute(trx);
      });
    }
    // ~4 MB went into the WAL; the database file grows only when a checkpoint copies pages back.
    const deadline = Date.now() + 10_000;
    while ((await size(path)) < before + 3_000_000 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    expect(await size(path)).toBeGreaterThan(before + 3_000_000);
    await db.destroy();
    const check = new Database(path, { readonly: true });
    expect((check.prepare("select count(*) as n from filler").get() as { n: number }).n).toBe(2_000);
    check.close();
  });

  it("an in-memory database keeps SQLite's own checkpoints (no thread)", async () => {
    const db = await openSqlite(":memory:");
    const auto = await sql<{ wal_autocheckpoint: number }>`pragma wal_autocheckpoint`.execute(db);
    expect(auto.rows[0]?.wal_autocheckpoint).toBe(1000);
    await db.destroy();
  });
});

describe("the WAL under sustained writes", () => {
  it("is restarted from its beginning instead of growing with every journal commit", async () => {
    const store = await openEngineStore({ dataDir: dir, secretKey: "a".repeat(64) });
    const path = join(dir, "engine.db");
    const body = "x".repeat(1_000);
    let largest = 0;
    let n = 0;
    // A webhook engine under load: ~5,000 runs a second for ~2.5 s (~30 MB of history in all), the journal
    // committing them in groups.
    for (let t = 0; t < 1_500; t++) {
      n += journalRuns(store, 10, body).length;
      largest = Math.max(largest, await size(`${path}-wal`));
      await new Promise((r) => setTimeout(r, 1));
    }
    await store.events.flush();
    // Without restarts the WAL would hold every page written (~30 MB; the old checkpoints on a timer let it reach 22 MB).
    expect(largest).toBeLessThan(10_000_000);
    await store.close();
    const check = new Database(path, { readonly: true });
    expect((check.prepare("select count(*) as n from executions").get() as { n: number }).n).toBe(n);
    check.close();
  });
});
