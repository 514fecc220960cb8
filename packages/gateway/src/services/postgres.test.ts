import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll } from "vitest";
import { openGatewayDb } from "../db/open.js";
import { describeGatewayStoreContract } from "./test-contract.js";

/** The test server (trust auth). Never skipped: a missing PostgreSQL fails the run. */
const PG_URL = process.env.FLOWORK_TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const admin = new pg.Pool({ connectionString: PG_URL, max: 2 });
admin.on("error", () => {}); // a dropped test database must not surface as an uncaught error
admin.on("connect", (c) => c.on("error", () => {}));
afterAll(async () => admin.end());

describeGatewayStoreContract("postgres", async () => {
  const schema = `gw_${randomBytes(6).toString("hex")}`;
  await admin.query(`CREATE SCHEMA ${schema}`);
  const db = await openGatewayDb(PG_URL, { pgSchema: schema, pgPoolSize: 4 });
  return {
    db,
    close: async () => {
      await db.destroy();
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    },
  };
});
