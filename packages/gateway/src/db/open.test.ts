import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import { migrateGatewayDb, openGatewayDb, pingGatewayDb } from "./open.js";

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
});
