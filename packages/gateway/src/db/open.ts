import { FloworkError } from "@flowork/protocol";
import Database from "better-sqlite3";
import {
  Kysely,
  Migrator,
  PostgresAdapter,
  PostgresDialect,
  type SqliteDatabase,
  SqliteDialect,
  type SqliteStatement,
  sql,
} from "kysely";
import pg from "pg";
import { migrationProvider } from "./migrations/index.js";
import type { GatewayDatabase } from "./schema.js";

/** How long a SQLite connection waits for another writer before `SQLITE_BUSY`. */
export const SQLITE_BUSY_TIMEOUT_MS = 5_000;

/** Prepared statements kept per SQLite connection (see {@link withStatementCache}). */
export const SQLITE_STATEMENT_CACHE = 256;

/** Options of {@link openGatewayDb}. */
export interface OpenGatewayDbOptions {
  /** Run pending migrations before returning (default true). */
  migrate?: boolean;
  /** PostgreSQL only: the schema to use (`search_path`), e.g. an isolated schema per test run. */
  pgSchema?: string;
  /** PostgreSQL only: pool size (default 10). */
  pgPoolSize?: number;
}

/**
 * Opens the gateway database named by `DATABASE_URL` and migrates it to the latest schema.
 * - `sqlite:<path>` (or `sqlite::memory:`): better-sqlite3 with WAL, `synchronous=NORMAL`, foreign keys, busy timeout.
 * - `postgres://...` / `postgresql://...`: a `pg` pool.
 *
 * @throws FloworkError VALIDATION_FAILED for another scheme; INTERNAL when the database cannot be opened or migrated.
 * @example
 * const db = await openGatewayDb(config.databaseUrl);
 */
export async function openGatewayDb(
  databaseUrl: string,
  options: OpenGatewayDbOptions = {},
): Promise<Kysely<GatewayDatabase>> {
  const db = createKysely(databaseUrl, options);
  if (options.migrate !== false) {
    try {
      await migrateGatewayDb(db);
    } catch (err) {
      await db.destroy();
      throw err;
    }
  }
  return db;
}

function createKysely(databaseUrl: string, options: OpenGatewayDbOptions): Kysely<GatewayDatabase> {
  if (databaseUrl.startsWith("sqlite:")) {
    const path = databaseUrl.slice("sqlite:".length);
    let database: Database.Database;
    try {
      database = new Database(path === "" ? ":memory:" : path, { timeout: SQLITE_BUSY_TIMEOUT_MS });
      database.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
      database.pragma("journal_mode = WAL");
      database.pragma("synchronous = NORMAL");
      database.pragma("foreign_keys = ON");
    } catch (err) {
      throw new FloworkError("INTERNAL", `cannot open the gateway database: ${messageOf(err)}`, {
        cause: err,
      });
    }
    return new Kysely<GatewayDatabase>({
      dialect: new SqliteDialect({ database: withStatementCache(database, SQLITE_STATEMENT_CACHE) }),
    });
  }
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) {
    if (options.pgSchema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(options.pgSchema)) {
      throw new FloworkError("VALIDATION_FAILED", "pgSchema must be a lowercase identifier");
    }
    const pool = new pg.Pool({
      connectionString: databaseUrl,
      max: options.pgPoolSize ?? 10,
      ...(options.pgSchema === undefined ? {} : { options: `-c search_path=${options.pgSchema}` }),
    });
    // An idle client whose server went away (PostgreSQL restarted) emits `error` on the pool; unhandled, that
    // would kill the gateway. The next query opens a fresh connection or fails on its own.
    pool.on("error", () => {});
    // A client that is checked out when the server goes away (restart, DROP DATABASE ... FORCE) emits `error` on
    // itself, not on the pool: unhandled, that is an uncaught exception. Its query rejects anyway.
    pool.on("connect", (client) => {
      client.on("error", () => {});
    });
    return new Kysely<GatewayDatabase>({ dialect: new PostgresDialect({ pool }) });
  }
  throw new FloworkError("VALIDATION_FAILED", "DATABASE_URL must start with sqlite: or postgres://", {
    details: { issues: [{ path: "DATABASE_URL", message: "unsupported scheme" }] },
  });
}

/**
 * Kysely's SQLite driver prepares every query anew (`prepare` showed in every gateway profile: token lookups,
 * role checks, the vitals writes). This keeps the last `max` statements by SQL text and hands the same one out
 * again; a statement still busy (an unfinished `iterate`) is never shared, a fresh one is prepared instead.
 * Safe because a Kysely SQLite connection runs one query at a time.
 */
export function withStatementCache(database: Database.Database, max: number): SqliteDatabase {
  const cache = new Map<string, Database.Statement>();
  return {
    close: () => {
      cache.clear();
      database.close();
    },
    prepare: (text: string): SqliteStatement => {
      const hit = cache.get(text);
      if (hit !== undefined && !hit.busy) {
        cache.delete(text); // most recently used last
        cache.set(text, hit);
        return hit;
      }
      const statement = database.prepare(text);
      cache.set(text, statement);
      if (cache.size > max) {
        const oldest = cache.keys().next().value;
        if (oldest !== undefined) cache.delete(oldest);
      }
      return statement;
    },
  };
}

/**
 * Applies every pending migration (same code on both dialects).
 * @throws FloworkError INTERNAL naming the failed migration.
 */
export async function migrateGatewayDb(db: Kysely<GatewayDatabase>): Promise<string[]> {
  const migrator = new Migrator({ db, provider: migrationProvider, ...(await migrationSchema(db)) });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === "Error")?.migrationName;
    const what = failed === undefined ? "" : ` (${failed})`;
    throw new FloworkError("INTERNAL", `gateway database migration failed${what}: ${messageOf(error)}`, {
      cause: error,
    });
  }
  return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}

/**
 * PostgreSQL: the connection's current schema, named explicitly. Kysely's migrator looks its tables up by name
 * across every schema, so a gateway in `public` of a database where an engine keeps its tables in another schema
 * would otherwise find the engine's `kysely_migration` tables, skip creating its own, and fail.
 */
async function migrationSchema(db: Kysely<GatewayDatabase>): Promise<{ migrationTableSchema?: string }> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return {};
  // When this fails (server down), the migrator fails next with the error its caller reports.
  const read = await sql<{ schema: string | null }>`select current_schema() as schema`
    .execute(db)
    .catch(() => undefined);
  const schema = read?.rows[0]?.schema;
  return schema === null || schema === undefined ? {} : { migrationTableSchema: schema };
}

/** True when the database answers a trivial query (`GET /system/health`). */
export async function pingGatewayDb(db: Kysely<GatewayDatabase>): Promise<boolean> {
  try {
    await db.selectFrom("plans").select("id").limit(1).execute();
    return true;
  } catch {
    return false;
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
