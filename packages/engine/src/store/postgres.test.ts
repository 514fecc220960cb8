import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll } from "vitest";
import { openEngineStore } from "./index.js";
import { describeEngineStoreContract } from "./test-contract.js";

/** The test server (trust auth). Never skipped: a missing PostgreSQL fails the run. */
const PG_URL = process.env["FLOWORK_TEST_PG_URL"] ?? "postgres://postgres@127.0.0.1:5432/test";
/*
 * A database of this file's own, a fresh schema in it per test. Not schemas in the shared `test` database: Kysely's
 * migrator looks its tables up across every schema of a database, so schemas created and dropped here while the
 * gateway's contract suite migrates its own in `test` made both fail ("relation kysely_migration_lock does not
 * exist", "schema ... does not exist").
 */
const DB_NAME = `flowork_eng_${randomBytes(6).toString("hex")}`;
const server = new pg.Pool({ connectionString: PG_URL, max: 1 });
server.on("error", () => {}); // a dropped test database must not surface as an uncaught error
server.on("connect", (c) => c.on("error", () => {}));
const url = new URL(PG_URL);
url.pathname = `/${DB_NAME}`;
const DB_URL = url.toString();
let admin: pg.Pool | undefined;

beforeAll(async () => {
  await server.query(`CREATE DATABASE ${DB_NAME}`);
  admin = new pg.Pool({ connectionString: DB_URL, max: 2 });
  admin.on("error", () => {}); // a dropped test database must not surface as an uncaught error
  admin.on("connect", (c) => c.on("error", () => {}));
});

afterAll(async () => {
  await admin?.end();
  await server.query(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`);
  await server.end();
});

describeEngineStoreContract("postgres", {
  databaseInDataDir: false,
  async create() {
    const dataDir = await mkdtemp(join(tmpdir(), "flowork-pgstore-"));
    const schema = `eng_${randomBytes(6).toString("hex")}`;
    await admin?.query(`CREATE SCHEMA ${schema}`);
    return {
      dataDir,
      open: (extras) =>
        openEngineStore({ dataDir, databaseUrl: DB_URL, pgSchema: schema, env: {}, ...extras }),
      dispose: async () => {
        await admin?.query(`DROP SCHEMA ${schema} CASCADE`);
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  },
});
