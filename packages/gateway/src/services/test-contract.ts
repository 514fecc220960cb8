import { describe } from "vitest";
import { billingContract } from "./test-contract-billing.js";
import { enginesContract } from "./test-contract-engines.js";
import { sharesContract } from "./test-contract-shares.js";
import { usersContract } from "./test-contract-users.js";
import type { OpenTestDb } from "./test-harness.js";

/**
 * The gateway storage and service contract: every service method against a real database. Run it once per
 * backend (SQLite, PostgreSQL) so both behave the same.
 */
export function describeGatewayStoreContract(name: string, openDb: OpenTestDb): void {
  describe(`gateway store contract: ${name}`, () => {
    usersContract(openDb);
    enginesContract(openDb);
    sharesContract(openDb);
    billingContract(openDb);
  });
}
