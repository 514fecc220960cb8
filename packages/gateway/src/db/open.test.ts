import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { sql } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import { migrateGatewayDb, openGatewayDb, pingGatewayDb, withStatementCache } from "./open.js";

describe("openGatewayDb", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it("opens SQLite in WAL with foreign keys, and migrating again is a no-op", async () => {
    const dir = mkdtempSync(join(tmpdir(), "flowork-gw-open-"));
    dirs.push(dir);
    const url = `sqlite:${join(dir, "gw.db")}`;
    const db = await openGatewayDb(url);
    const mode = await sql<{ journal_mode: string }>`PRAGMA journal_mode`.execute(db);
    expect(mode.rows[0]?.journal_mode).toBe("wal");
    const fk = await sql<{ foreign_keys: number }>`PRAGMA foreign_keys`.execute(db);
    expect(fk.rows[0]?.foreign_keys).toBe(1);
    expect(await pingGatewayDb(db)).toBe(true);
    await db.destroy();
    const again = await openGatewayDb(url);
    expect(await migrateGatewayDb(again)).toEqual([]);
    expect((await again.selectFrom("plans").select("id").execute()).length).toBe(5);
    await again.destroy();
  });

  it("refuses other schemes", async () => {
    await expect(openGatewayDb("mysql://x")).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
  });

  it("refuses an unsafe PostgreSQL schema name", async () => {
    await expect(
      openGatewayDb("postgres://postgres@127.0.0.1:5432/test", { pgSchema: "x; drop" }),
    ).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
  });

  it("reuses prepared statements by SQL text, never a busy one, and keeps at most `max`", () => {
    const raw = new Database(":memory:");
    const db = withStatementCache(raw, 2);
    db.prepare("create table t (x integer)").run([]);
    const insert = db.prepare("insert into t values (?)");
    for (let i = 0; i < 3; i++) db.prepare("insert into t values (?)").run([i]);
    expect(db.prepare("insert into t values (?)")).toBe(insert);
    const select = db.prepare("select x from t order by x");
    const rows = select.iterate([]);
    expect(rows.next().value).toEqual({ x: 0 }); // the statement is busy until the iteration ends
    const other = db.prepare("select x from t order by x");
    expect(other).not.toBe(select);
    expect(other.all([])).toEqual([{ x: 0 }, { x: 1 }, { x: 2 }]);
    rows.return?.();
    // two entries at most: a third text evicts the least recently used (the insert)
    expect(db.prepare("select count(*) as n from t").all([])).toEqual([{ n: 3 }]);
    expect(db.prepare("insert into t values (?)")).not.toBe(insert);
    db.close();
    expect(raw.open).toBe(false);
  });
});
