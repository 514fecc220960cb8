import { mkdtemp, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { migrateToLatest, openEngineStore, openSqlite } from "./index.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowork-db-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("openSqlite", () => {
  it("opens with WAL, synchronous=NORMAL, foreign keys and a busy timeout, migrated", async () => {
    const db = await openSqlite(join(dir, "e.db"));
    const pragma = async (name: string) =>
      Object.values(
        (await sql<Record<string, unknown>>`${sql.raw(`pragma ${name}`)}`.execute(db)).rows[0] ?? {},
      )[0];
    expect(await pragma("journal_mode")).toBe("wal");
    expect(await pragma("synchronous")).toBe(1);
    expect(await pragma("foreign_keys")).toBe(1);
    expect(await pragma("busy_timeout")).toBe(5000);
    expect(await pragma("secure_delete")).toBe(1);
    const tables = await db.introspection.getTables();
    expect(tables.map((t) => t.name).sort()).toEqual([
      "audit_log",
      "checkpoints",
      "execution_events",
      "execution_nodes",
      "executions",
      "meta",
      "preset_heads",
      "preset_versions",
      "settings",
      "variables",
    ]);
    expect(await migrateToLatest(db)).toEqual([]);
    await db.destroy();
  });

  it("opens :memory:", async () => {
    const db = await openSqlite(":memory:");
    expect(
      await db
        .selectFrom("presets_heads" as "preset_heads")
        .selectAll()
        .execute()
        .catch(() => "no table"),
    ).toBe("no table");
    expect(await db.selectFrom("preset_heads").selectAll().execute()).toEqual([]);
    await db.destroy();
  });

  it("refuses a file that is not a database with INTERNAL, not a crash", async () => {
    await writeFile(join(dir, "junk.db"), "this is not a database at all, just text ".repeat(100));
    await expect(openSqlite(join(dir, "junk.db"))).rejects.toMatchObject({
      code: "INTERNAL",
      message: /database/,
    });
  });

  it("refuses a database written by a newer engine (unknown migration)", async () => {
    const db = await openSqlite(join(dir, "e.db"));
    await db
      .insertInto("kysely_migration" as "meta")
      .values({ name: "999_future", timestamp: "x" } as never)
      .execute();
    await db.destroy();
    await expect(openSqlite(join(dir, "e.db"))).rejects.toMatchObject({
      code: "INTERNAL",
      message: /migration/,
    });
  });
});

describe("openEngineStore", () => {
  it("creates the data folder 0700 with engine.db 0600 and secret.key 0600", async () => {
    const dataDir = join(dir, "nested", "data");
    const store = await openEngineStore({ dataDir, env: {} });
    await store.variables.upsert("S", { value: "x", mode: "single", is_secret: true, is_enabled: true });
    if (process.platform !== "win32") {
      expect((await stat(dataDir)).mode & 0o777).toBe(0o700);
      for (const f of await readdir(dataDir))
        expect([f, (await stat(join(dataDir, f))).mode & 0o777]).toEqual([f, 0o600]);
    }
    expect((await readdir(dataDir)).sort()).toEqual([
      "engine.db",
      "engine.db-shm",
      "engine.db-wal",
      "secret.key",
    ]);
    await store.close();
    await store.close();
    expect((await readdir(dataDir)).sort()).toEqual(["engine.db", "secret.key"]);
  });

  it("accepts sqlite:<path>, sqlite://<path> and sqlite::memory:", async () => {
    for (const url of [`sqlite:${join(dir, "a.db")}`, `sqlite://${join(dir, "b.db")}`, "sqlite::memory:"]) {
      const store = await openEngineStore({ dataDir: join(dir, "d"), databaseUrl: url, env: {} });
      await store.presets.save("p", { nodes: [], connections: [] }, { updated_by: "me" });
      await store.close();
    }
    expect((await readdir(dir)).sort()).toEqual(["a.db", "b.db", "d"]);
  });

  it("refuses unknown URLs and a bad PostgreSQL schema name with VALIDATION_FAILED", async () => {
    await expect(
      openEngineStore({ dataDir: dir, databaseUrl: "postgres://u@localhost/f", pgSchema: "x;y", env: {} }),
    ).rejects.toMatchObject({ code: "VALIDATION_FAILED", message: /schema/ });
    await expect(openEngineStore({ dataDir: dir, databaseUrl: "mysql://x", env: {} })).rejects.toMatchObject({
      code: "VALIDATION_FAILED",
    });
    await expect(openEngineStore({ dataDir: dir, databaseUrl: "sqlite:", env: {} })).rejects.toMatchObject({
      code: "VALIDATION_FAILED",
    });
  });

  it("reads FLOWORK_SECRET_KEY from env when no secretKey is given", async () => {
    const env = { FLOWORK_SECRET_KEY: "0".repeat(63) + "1" };
    const store = await openEngineStore({ dataDir: dir, env });
    await store.variables.upsert("S", { value: "x", mode: "single", is_secret: true, is_enabled: true });
    await store.close();
    expect(await readdir(dir)).not.toContain("secret.key");
    await expect(openEngineStore({ dataDir: dir, env: {} })).rejects.toMatchObject({ code: "CONFLICT" });
    const again = await openEngineStore({ dataDir: dir, env });
    expect((await again.variables.get("S"))?.value).toBe("x");
    await again.close();
  });
});
