import { FloworkError } from "@flowork/protocol";
import { Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import type { EngineDatabase } from "./schema.js";

/** Options of {@link openPostgres}. */
export interface OpenPostgresOptions {
  /** The schema to use (`search_path`), e.g. an isolated schema per test run; default the server's. */
  schema?: string | undefined;
  /** Pool size (default 10). */
  poolSize?: number | undefined;
}

/** True for a `postgres://` or `postgresql://` URL. */
export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url);
}

/**
 * A Kysely instance on a `pg` pool (not migrated: {@link createEngineStore} migrates). Connections are opened
 * lazily, so a server that is down surfaces on the first query, not here.
 *
 * @throws FloworkError VALIDATION_FAILED for a URL that is not PostgreSQL or a schema that is not a plain
 * lowercase identifier (it goes into the connection's startup options).
 * @example
 * const db = openPostgres("postgres://postgres@127.0.0.1:5432/flowork", { schema: "engine_a" });
 */
export function openPostgres(url: string, options: OpenPostgresOptions = {}): Kysely<EngineDatabase> {
  if (!isPostgresUrl(url)) {
    throw new FloworkError("VALIDATION_FAILED", "the PostgreSQL URL must start with postgres://");
  }
  const { schema } = options;
  if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new FloworkError("VALIDATION_FAILED", "the PostgreSQL schema must be a lowercase identifier");
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    ...(schema === undefined ? {} : { options: `-c search_path=${schema}` }),
  });
  // An idle client whose server went away emits `error` on the pool; unhandled, that would kill the engine.
  // The next query gets a fresh connection (or the error), so reporting nothing here loses nothing.
  pool.on("error", () => {});
  // A client that is checked out when the server goes away (restart, DROP DATABASE ... FORCE) emits `error` on
  // itself, not on the pool: unhandled, that is an uncaught exception. Its query rejects anyway.
  pool.on("connect", (client) => {
    client.on("error", () => {});
  });
  return new Kysely<EngineDatabase>({ dialect: new PostgresDialect({ pool }) });
}
