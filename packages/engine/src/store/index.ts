/*
 * The engine's persistent stores (SPEC sections 4, 7, 8) behind Kysely: presets, variables (secrets sealed with
 * AES-256-GCM), settings, executions with their events, the audit log. SQLite by default, PostgreSQL on a
 * `postgres://` URL: every query runs on both (see schema.ts for the storage conventions).
 */
import { mkdir, open } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { FloworkError } from "@flowork/protocol";
import type { Kysely } from "kysely";
import { AuditStore } from "./audit.js";
import { type StoreOptions, storeContext } from "./common.js";
import { checkpointsOf, migrateToLatest, openSqlite } from "./db.js";
import { EventWriter, type EventWriterOptions } from "./event-writer.js";
import { ExecutionStore } from "./executions.js";
import { storedOpsOf } from "./journal-batch.js";
import { writeJournalBatch } from "./journal-sql.js";
import { isPostgresUrl, openPostgres } from "./postgres.js";
import { PresetStore } from "./presets.js";
import type { EngineDatabase } from "./schema.js";
import { openSecretBox } from "./secret-setup.js";
import { SettingsStore } from "./settings.js";
import { VariableStore } from "./variables.js";

export { type AuditQuery, AuditStore } from "./audit.js";
export type { StoreOptions, StoreWarn } from "./common.js";
export { deriveKeyFromPassphrase, type ParsedSecretKey, parseSecretKey, SecretBox } from "./crypto.js";
export { migrateToLatest, type OpenSqliteOptions, openSqlite } from "./db.js";
export { EventWriter, type EventWriterOptions, type StoredEventsListener } from "./event-writer.js";
export type { AppendedEvents, StoredEvent } from "./execution-events.js";
export type { UnfinishedExecution } from "./execution-reads.js";
export type { HistoryQuery, NewExecution, NodeRecord, StatusChange } from "./execution-types.js";
export { ExecutionStore } from "./executions.js";
export { KEY_FILE_NAME, loadOrCreateKeyFile } from "./key-file.js";
export { MIGRATIONS, migrationProvider } from "./migrations/index.js";
export { isPostgresUrl, type OpenPostgresOptions, openPostgres } from "./postgres.js";
export { type PresetSaveMeta, PresetStore, type StoredPreset } from "./presets.js";
export type { EngineDatabase } from "./schema.js";
export { SettingsStore } from "./settings.js";
export { VariableStore, variableAad } from "./variables.js";

/** Options of {@link createEngineStore}: everything but where the database is. */
export interface EngineStoreSetup extends StoreOptions {
  /** The engine's data folder; holds `secret.key` when no key is given. */
  dataDir: string;
  /** A `FLOWORK_SECRET_KEY` value; default `env.FLOWORK_SECRET_KEY`, and when that is unset, `secret.key`. */
  secretKey?: string | undefined;
  /** Where `FLOWORK_SECRET_KEY` is read from when `secretKey` is not given (default `process.env`). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Tuning of the event group commit. */
  events?: Omit<EventWriterOptions, "onWarn">;
}

/** Options of {@link openEngineStore}. */
export interface EngineStoreOptions extends EngineStoreSetup {
  /** The engine's data folder (created with mode 0700); holds `engine.db` and `secret.key` by default. */
  dataDir: string;
  /**
   * `sqlite:<path>` (also `sqlite://<path>`, `sqlite::memory:`) or `postgres://...`; default `<dataDir>/engine.db`.
   * On PostgreSQL the data folder still holds `secret.key` (unless a key is given).
   */
  databaseUrl?: string | undefined;
  /** PostgreSQL only: the schema (`search_path`) to use, e.g. one per engine sharing a database. */
  pgSchema?: string | undefined;
}

/** Every persistent store of the engine, over one database. */
export interface EngineStore {
  db: Kysely<EngineDatabase>;
  presets: PresetStore;
  variables: VariableStore;
  settings: SettingsStore;
  executions: ExecutionStore;
  audit: AuditStore;
  /** Buffered writer for job events (the hot path). */
  events: EventWriter;
  /** Flushes buffered events and closes the database; safe to call twice. */
  close(): Promise<void>;
}

/**
 * Opens the engine's stores: creates the data folder, opens and migrates the database, sets up the secret key.
 *
 * @throws FloworkError VALIDATION_FAILED for an unsupported `databaseUrl` or a bad key
 * file; CONFLICT when the secret key is not the one that encrypted the stored secrets; INTERNAL when the
 * database cannot be opened or migrated.
 * @example
 * const store = await openEngineStore({ dataDir: ".flowork/engine" });
 * const { version } = await store.presets.save("Daily report", workflow, { updated_by: address });
 * await store.close();
 */
export async function openEngineStore(options: EngineStoreOptions): Promise<EngineStore> {
  const dataDir = resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  if (options.databaseUrl !== undefined && isPostgresUrl(options.databaseUrl)) {
    const db = openPostgres(options.databaseUrl, { schema: options.pgSchema });
    return createEngineStore(db, { ...options, dataDir });
  }
  const path = sqlitePath(options.databaseUrl, dataDir);
  if (path !== ":memory:") await createPrivateFile(path);
  const db = await openSqlite(path, { migrate: false });
  return createEngineStore(db, { ...options, dataDir });
}

/**
 * Builds the engine's stores over an open Kysely database of any supported dialect (migrating it first). The
 * returned `close()` also destroys `db`; on failure `db` is destroyed before the error is thrown.
 *
 * @throws as {@link openEngineStore}.
 */
export async function createEngineStore(
  db: Kysely<EngineDatabase>,
  options: EngineStoreSetup,
): Promise<EngineStore> {
  const ctx = storeContext(options);
  try {
    await migrateToLatest(db);
    const box = await openSecretBox(db, {
      dataDir: options.dataDir,
      secretKey: options.secretKey ?? (options.env ?? process.env)["FLOWORK_SECRET_KEY"],
      warn: ctx.warn,
    });
    const storeOptions: StoreOptions = { now: ctx.now, onWarn: ctx.warn };
    const checkpoints = checkpointsOf(db);
    const events = new EventWriter(db, {
      ...options.events,
      onWarn: ctx.warn,
      ...(checkpoints && {
        // The journal's transactions run on the store thread (checkpointer.ts) while it works, else here.
        write: (batch, now) =>
          checkpoints.journalling
            ? checkpoints.writeJournal(storedOpsOf(batch), now())
            : writeJournalBatch(db, batch, now),
        // Only a write on this connection has to wait for a checkpoint the thread is running.
        beforeWrite: () => (checkpoints.journalling ? undefined : checkpoints.settled()),
      }),
    });
    let closing: Promise<void> | undefined;
    return {
      db,
      presets: new PresetStore(db, storeOptions),
      variables: new VariableStore(db, box, storeOptions),
      settings: new SettingsStore(db, storeOptions),
      executions: new ExecutionStore(db, storeOptions),
      audit: new AuditStore(db),
      events,
      close() {
        // The journal's last writes, then the store thread, then the engine's connection (see checkpointer.ts).
        closing ??= events
          .close()
          .finally(() => checkpoints?.stop())
          .finally(() => db.destroy());
        return closing;
      },
    };
  } catch (err) {
    await db.destroy();
    throw err;
  }
}

/** The SQLite file a `databaseUrl` names (`:memory:` kept as is). */
function sqlitePath(databaseUrl: string | undefined, dataDir: string): string {
  if (databaseUrl === undefined || databaseUrl === "") return join(dataDir, "engine.db");
  const match = /^sqlite:(?:\/\/)?(.*)$/i.exec(databaseUrl);
  const rest = match?.[1];
  if (rest === undefined || rest === "") {
    throw new FloworkError(
      "VALIDATION_FAILED",
      "the engine database URL must be sqlite:<path> or postgres://...",
    );
  }
  return rest === ":memory:" ? rest : resolve(rest);
}

/** Creates the database file with mode 0600 (SQLite gives its -wal and -shm files the same mode). */
async function createPrivateFile(path: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const handle = await open(path, "a", 0o600);
  await handle.close();
}
