import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll } from "vitest";
import { openEngineStore } from "./index.js";
import { describeEngineStoreContract } from "./test-contract.js";

/** The test server (trust auth). Never skipped: a missing PostgreSQL fails the run. */
const PG_URL = process.env["FLOWORK_TEST_PG_URL"] ?? "postgres://postgres@127.0.0.1:5432/test";
const admin = new pg.Pool({ connectionString: PG_URL, max: 2 });
afterAll(async () => admin.end());

describeEngineStoreContract("postgres", {
  databaseInDataDir: false,
  async create() {
    const dataDir = await mkdtemp(join(tmpdir(), "flowork-pgstore-"));
    const schema = `eng_${randomBytes(6).toString("hex")}`;
    await admin.query(`CREATE SCHEMA ${schema}`);
    return {
      dataDir,
      open: (extras) =>
        openEngineStore({ dataDir, databaseUrl: PG_URL, pgSchema: schema, env: {}, ...extras }),
      dispose: async () => {
        await admin.query(`DROP SCHEMA ${schema} CASCADE`);
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  },
});
