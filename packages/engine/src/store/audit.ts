import { type AuditEntry, AuditEntrySchema } from "@flowork/protocol";
import type { Kysely } from "kysely";
import { pageLimit, parseOrThrow, toStoredTimestamp } from "./common.js";
import type { EngineDatabase } from "./schema.js";

/** A page of the audit log: newest first, `limit` 1..500 (default 100), only entries before `before`. */
export interface AuditQuery {
  limit?: number | undefined;
  before?: string | undefined;
}

/**
 * The append-only audit log: every accepted state-changing command with the signed message and signature that
 * authorised it, so anyone can re-verify who did what. Nothing here deletes entries (presets and executions
 * may be deleted or purged; their audit entries stay).
 */
export class AuditStore {
  readonly #db: Kysely<EngineDatabase>;

  constructor(db: Kysely<EngineDatabase>) {
    this.#db = db;
  }

  /**
   * Appends one entry (`ts` normalised to UTC, `address` lowercased).
   * @throws FloworkError VALIDATION_FAILED when it does not match `AuditEntrySchema`.
   */
  async append(entry: AuditEntry): Promise<void> {
    const e = parseOrThrow(AuditEntrySchema, entry, "invalid audit entry");
    await this.#db
      .insertInto("audit_log")
      .values({
        ts: toStoredTimestamp(e.ts, "ts"),
        address: e.address.toLowerCase(),
        type: e.type,
        message: e.message,
        signature: e.signature,
        payload_sha256: e.payload_sha256,
      })
      .execute();
  }

  /** The newest entries first; entries with the same `ts` come newest-appended first. */
  async list(query: AuditQuery = {}): Promise<AuditEntry[]> {
    let q = this.#db
      .selectFrom("audit_log")
      .select(["ts", "address", "type", "message", "signature", "payload_sha256"])
      .orderBy("ts", "desc")
      .orderBy("id", "desc")
      .limit(pageLimit(query.limit, 100, 500));
    if (query.before !== undefined) q = q.where("ts", "<", toStoredTimestamp(query.before, "before"));
    return q.execute();
  }
}
