import { randomBytes } from "node:crypto";
import { FloworkError } from "@flowork/protocol";
import type { Kysely } from "kysely";
import type { StoreWarn } from "./common.js";
import { deriveKeyFromPassphrase, parseSecretKey, SecretBox } from "./crypto.js";
import { loadOrCreateKeyFile } from "./key-file.js";
import type { EngineDatabase } from "./schema.js";

const SALT_KEY = "secret_salt";
const CHECK_KEY = "secret_check";
const CHECK_AAD = "flowork:secret-check";
const CHECK_TEXT = "flowork secret key check v1";

/** Where the secret key comes from. */
export interface SecretKeySource {
  /** Data folder holding `secret.key` when no key is given. */
  dataDir: string;
  /** A `FLOWORK_SECRET_KEY` value (hex, base64 or passphrase); empty or undefined → the key file. */
  secretKey?: string | undefined;
  warn: StoreWarn;
}

/**
 * Builds the install's {@link SecretBox} and checks it against the database:
 * - key: `secretKey` when given (64 hex / base64 of 32 bytes used as is; any other text is a passphrase, stretched
 *   with scrypt and a random 16-byte salt kept in the database's `meta` table, so the salt travels with the
 *   ciphertexts it protects), else `<dataDir>/secret.key` (created on first start);
 * - check: a known text sealed under the key is kept in `meta`; a different key is refused while secret
 *   variables exist (they could not be read), and silently adopted while none do.
 *
 * @throws FloworkError CONFLICT when the key does not match the one that sealed existing secrets.
 */
export async function openSecretBox(db: Kysely<EngineDatabase>, source: SecretKeySource): Promise<SecretBox> {
  const given = source.secretKey?.trim();
  let box: SecretBox;
  if (given === undefined || given === "") {
    box = new SecretBox(await loadOrCreateKeyFile(source.dataDir, source.warn));
  } else {
    const parsed = parseSecretKey(given);
    if (parsed.kind === "raw") box = new SecretBox(parsed.key);
    else {
      if (parsed.passphrase.length < 16) {
        source.warn(
          "FLOWORK_SECRET_KEY is a short passphrase; prefer 64 hex characters (openssl rand -hex 32)",
          {
            length: parsed.passphrase.length,
          },
        );
      }
      box = new SecretBox(await deriveKeyFromPassphrase(parsed.passphrase, await installSalt(db)));
    }
  }
  await checkKey(db, box, source.warn);
  return box;
}

async function installSalt(db: Kysely<EngineDatabase>): Promise<Buffer> {
  await insertMetaIfAbsent(db, SALT_KEY, randomBytes(16).toString("base64"));
  const salt = await readMeta(db, SALT_KEY);
  if (salt === undefined) throw new FloworkError("INTERNAL", "the secret salt could not be stored");
  return Buffer.from(salt, "base64");
}

async function checkKey(db: Kysely<EngineDatabase>, box: SecretBox, warn: StoreWarn): Promise<void> {
  await insertMetaIfAbsent(db, CHECK_KEY, box.encrypt(CHECK_TEXT, CHECK_AAD));
  const sealed = await readMeta(db, CHECK_KEY);
  if (sealed !== undefined && opens(box, sealed)) return;
  const secrets = await db
    .selectFrom("variables")
    .select((eb) => eb.fn.countAll<number | string>().as("n"))
    .where("is_secret", "=", 1)
    .executeTakeFirst();
  if (Number(secrets?.n ?? 0) > 0) {
    throw new FloworkError(
      "CONFLICT",
      "the secret key (FLOWORK_SECRET_KEY or <data>/secret.key) is not the one that encrypted this engine's " +
        "secret variables; restore the original key, or delete the secret variables with the original key",
    );
  }
  await db
    .updateTable("meta")
    .set({ value: box.encrypt(CHECK_TEXT, CHECK_AAD) })
    .where("key", "=", CHECK_KEY)
    .execute();
  warn("the secret key changed; no secret variables were stored, so the new key was adopted", {});
}

function opens(box: SecretBox, sealed: string): boolean {
  try {
    return box.decrypt(sealed, CHECK_AAD) === CHECK_TEXT;
  } catch {
    return false;
  }
}

async function insertMetaIfAbsent(db: Kysely<EngineDatabase>, key: string, value: string): Promise<void> {
  await db
    .insertInto("meta")
    .values({ key, value })
    .onConflict((oc) => oc.column("key").doNothing())
    .execute();
}

async function readMeta(db: Kysely<EngineDatabase>, key: string): Promise<string | undefined> {
  const row = await db.selectFrom("meta").select("value").where("key", "=", key).executeTakeFirst();
  return row?.value;
}
