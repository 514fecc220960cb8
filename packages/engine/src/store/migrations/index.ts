import type { Migration, MigrationProvider } from "kysely";
import { migration001Initial } from "./001_initial.js";

/**
 * Every migration, in order, keyed by name. Names sort in the order they must run; a shipped migration is never
 * edited or renamed, a change is a new one (`002_...`).
 */
export const MIGRATIONS: Readonly<Record<string, Migration>> = Object.freeze({
  "001_initial": migration001Initial,
});

/** An in-code provider: nothing is read from the file system, so bundling or a moved `dist` cannot lose one. */
export const migrationProvider: MigrationProvider = {
  getMigrations: async () => ({ ...MIGRATIONS }),
};
