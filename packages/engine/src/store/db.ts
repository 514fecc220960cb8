import { FloworkError } from "@flowork/protocol";
import Database from "better-sqlite3";
import { Kysely, Migrator, SqliteDialect } from "kysely";
import { migrationProvider } from "./migrations/index.js";
import type { EngineDatabase } from "./schema.js";

/** How long a connection waits for another process's write lock before `SQLITE_BUSY`. */
export const SQLITE_BUSY_TIMEOUT_MS = 5_000;

/** Options of {@link openSqlite}. */
export interface OpenSqliteOptions {
  /** Run pending migrations before returning (default true). */
  migrate?: boolean;
}

/**
 * Opens (creating if needed) an engine database on better-sqlite3: WAL journal, `synchronous=NORMAL` (a commit
 * survives a process crash; the last commits may be lost on power loss), foreign keys on, a busy timeout, and
 * migrated to the latest schema.
 *
 * @param path a file path, or `":memory:"`.
 * @throws FloworkError INTERNAL when the file is not a database or a migration fails.
 * @example
 * const db = await openSqlite(join(dataDir, "engine.db"));
 */
export async function openSqlite(
  path: string,
  options: OpenSqliteOptions = {},
): Promise<Kysely<EngineDatabase>> {
  let database: Database.Database;
  try {
    database = new Database(path, { timeout: SQLITE_BUSY_TIMEOUT_MS });
  } catch (err) {
    throw new FloworkError("INTERNAL", `cannot open the engine database: ${messageOf(err)}`, { cause: err });
  }
  try {
    database.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
    database.pragma("journal_mode = WAL");
    database.pragma("synchronous = NORMAL");
    database.pragma("foreign_keys = ON");
  } catch (err) {
    database.close();
    throw new FloworkError("INTERNAL", `cannot open the engine database: ${messageOf(err)}`, { cause: err });
  }
  const db = new Kysely<EngineDatabase>({ dialect: new SqliteDialect({ database }) });
  if (options.migrate !== false) {
    try {
      await migrateToLatest(db);
    } catch (err) {
      await db.destroy();
      throw err;
    }
  }
  return db;
}

/**
 * Applies every pending migration of `migrations/` (works on any Kysely dialect).
 * @throws FloworkError INTERNAL naming the failed migration; a database written by a newer engine (a migration
 * this build does not know) is refused rather than guessed at.
 */
export async function migrateToLatest(db: Kysely<EngineDatabase>): Promise<string[]> {
  const migrator = new Migrator({ db, provider: migrationProvider });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === "Error")?.migrationName;
    const what = failed === undefined ? "" : ` (${failed})`;
    throw new FloworkError("INTERNAL", `engine database migration failed${what}: ${messageOf(error)}`, {
      cause: error,
    });
  }
  return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
