import { FloworkError } from "@flowork/protocol";
import Database from "better-sqlite3";
import { Kysely, Migrator, type SqliteDatabase, SqliteDialect, type SqliteStatement, sql } from "kysely";
import { type BackgroundCheckpoints, startBackgroundCheckpoints } from "./checkpointer.js";
import { dialectOf } from "./migrations/dialect.js";
import { migrationProvider } from "./migrations/index.js";
import type { EngineDatabase } from "./schema.js";

/** How long a connection waits for another process's write lock before `SQLITE_BUSY`. */
export const SQLITE_BUSY_TIMEOUT_MS = 5_000;

/** The size the WAL file is truncated back to once it has been checkpointed and restarted. */
const WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;

/** Options of {@link openSqlite}. */
export interface OpenSqliteOptions {
  /** Run pending migrations before returning (default true). */
  migrate?: boolean;
  /**
   * Copy the WAL back into the database from a worker thread instead of inside commits on the event loop
   * (default true for a file; see `checkpointer.ts`).
   */
  backgroundCheckpoints?: boolean;
  /** The background checkpointer failed and SQLite's checkpoint-on-commit took over again. */
  onCheckpointFallback?: (reason: string) => void;
}

/**
 * Opens (creating if needed) an engine database on better-sqlite3: WAL journal, `synchronous=NORMAL` (a commit
 * survives a process crash; the last commits may be lost on power loss), foreign keys on, `secure_delete` on,
 * a busy timeout, and migrated to the latest schema.
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
    // Deleted and overwritten cells are zeroed, so a variable made secret leaves no clear copy in the file.
    database.pragma("secure_delete = ON");
    // After a burst, the WAL file is cut back to this size when SQLite next restarts it.
    database.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
  } catch (err) {
    database.close();
    throw new FloworkError("INTERNAL", `cannot open the engine database: ${messageOf(err)}`, { cause: err });
  }
  const checkpoints =
    options.backgroundCheckpoints !== false && path !== ":memory:"
      ? startBackgroundCheckpoints(database, path, {
          busyTimeoutMs: SQLITE_BUSY_TIMEOUT_MS,
          ...(options.onCheckpointFallback && { onFallback: options.onCheckpointFallback }),
        })
      : undefined;
  const db = new Kysely<EngineDatabase>({
    dialect: new SqliteDialect({
      database: withStatementCache(database, {
        beforeClose: () => void checkpoints?.stop(),
        ...(checkpoints && { afterCommit: () => checkpoints.committed() }),
      }),
    }),
  });
  if (checkpoints !== undefined) checkpointersByDb.set(db, checkpoints);
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

const checkpointersByDb = new WeakMap<Kysely<EngineDatabase>, BackgroundCheckpoints>();

/** The background checkpointer of a database opened by {@link openSqlite}, if it has one. */
export function checkpointsOf(db: Kysely<EngineDatabase>): BackgroundCheckpoints | undefined {
  return checkpointersByDb.get(db);
}

/**
 * Applies every pending migration of `migrations/` (works on any Kysely dialect).
 * @throws FloworkError INTERNAL naming the failed migration; a database written by a newer engine (a migration
 * this build does not know) is refused rather than guessed at.
 */
export async function migrateToLatest(db: Kysely<EngineDatabase>): Promise<string[]> {
  const migrator = new Migrator({ db, provider: migrationProvider, ...(await migrationSchema(db)) });
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

/**
 * PostgreSQL: the connection's current schema, named explicitly. Kysely's migrator looks its tables up by name
 * across every schema, so an engine in schema `engine` of a database whose `public` schema already holds the
 * gateway's `kysely_migration` tables would otherwise think its own exist and fail.
 */
async function migrationSchema(db: Kysely<EngineDatabase>): Promise<{ migrationTableSchema?: string }> {
  if (dialectOf(db) !== "postgres") return {};
  // When this fails (server down), the migrator fails next with the error its caller reports.
  const read = await sql<{ schema: string | null }>`select current_schema() as schema`
    .execute(db)
    .catch(() => undefined);
  const schema = read?.rows[0]?.schema;
  return schema === null || schema === undefined ? {} : { migrationTableSchema: schema };
}

/** Prepared statements kept per database (LRU), keyed by SQL text. */
const STATEMENT_CACHE_SIZE = 256;

/**
 * Kysely's SQLite driver prepares every query anew; on the event hot path that is a third of the time. This keeps
 * the last {@link STATEMENT_CACHE_SIZE} prepared statements. Safe because the driver runs one query at a time on
 * the connection and the stores never stream (`iterate`) a statement while reusing it.
 */
function withStatementCache(
  database: Database.Database,
  hooks: { beforeClose: () => void; afterCommit?: () => void },
): SqliteDatabase {
  const cache = new Map<string, Database.Statement>();
  const { afterCommit } = hooks;
  // Kysely ends every transaction with `commit` through `prepare(...).run()`; this reports the commits.
  const commit: SqliteStatement | undefined = afterCommit && reportingCommit(database, afterCommit);
  return {
    close: () => {
      cache.clear();
      hooks.beforeClose();
      database.close();
    },
    prepare: (sql: string) => {
      if (commit !== undefined && sql === "commit") return commit;
      // Kysely begins DEFERRED; the store thread writes too, and a deferred transaction that read before its
      // first write fails at once (SQLITE_BUSY_SNAPSHOT) when the thread committed meanwhile. IMMEDIATE takes
      // the write lock first and waits for it with the busy timeout instead.
      if (sql === "begin") sql = "begin immediate";
      let statement = cache.get(sql);
      if (statement === undefined) {
        statement = database.prepare(sql);
        if (cache.size >= STATEMENT_CACHE_SIZE) {
          const oldest = cache.keys().next().value;
          if (oldest !== undefined) cache.delete(oldest);
        }
      } else cache.delete(sql);
      cache.set(sql, statement);
      return statement;
    },
  };
}

/** The `commit` statement, calling `afterCommit` once it has succeeded. */
function reportingCommit(database: Database.Database, afterCommit: () => void): SqliteStatement {
  const statement = database.prepare("commit");
  return {
    reader: false,
    all: (parameters) => statement.all(...parameters),
    iterate: (parameters) => statement.iterate(...parameters),
    run: (parameters) => {
      const result = statement.run(...parameters);
      afterCommit();
      return result;
    },
  };
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
