import { CompiledQuery, type Kysely } from "kysely";
import { type JournalBatch, storedOpsOf } from "./journal-batch.js";
import {
  type JournalExec,
  type JournalWriteResult,
  journalStatements,
  writeStoredOps,
} from "./journal-statements.js";
import { dialectOf } from "./migrations/dialect.js";
import type { EngineDatabase } from "./schema.js";

/**
 * Writes a whole journal batch in ONE transaction (Kysely's, on `db`'s connection): see {@link writeStoredOps}.
 * With SQLite the store thread runs the same statements on its own connection instead (`checkpointer.ts`).
 */
export async function writeJournalBatch(
  db: Kysely<EngineDatabase>,
  batch: JournalBatch,
  now: () => string,
): Promise<JournalWriteResult> {
  const sql = journalStatements(dialectOf(db));
  const jobs = storedOpsOf(batch);
  return db.transaction().execute(async (trx) => {
    const exec: JournalExec = async (text, params) =>
      (await trx.executeQuery<Record<string, unknown>>(CompiledQuery.raw(text, params))).rows;
    return writeStoredOps(exec, sql, jobs, now);
  });
}
