import type { Migration, MigrationProvider } from "kysely";
import { migration001Initial } from "./001_initial.js";
import { migration002SeedPlans } from "./002_seed_plans.js";

/**
 * Every migration, in order, keyed by name. A shipped migration is never edited or renamed; a change is a new one.
 */
export const MIGRATIONS: Readonly<Record<string, Migration>> = Object.freeze({
  "001_initial": migration001Initial,
  "002_seed_plans": migration002SeedPlans,
});

/** An in-code provider: nothing is read from the file system, so bundling or a moved `dist` cannot lose one. */
export const migrationProvider: MigrationProvider = {
  getMigrations: async () => ({ ...MIGRATIONS }),
};
