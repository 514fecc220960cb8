import { randomBytes } from "node:crypto";
import { chmod, link, open, readFile, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { FloworkError } from "@flowork/protocol";
import type { StoreWarn } from "./common.js";
import { generateKey } from "./crypto.js";

/** The key file's name inside the data folder. */
export const KEY_FILE_NAME = "secret.key";
const KEY_FILE_TEXT = /^[0-9a-f]{64}$/;

/**
 * Reads `<dataDir>/secret.key`, creating it first when absent: 32 random bytes as 64 hex characters, mode 0600.
 * Creation is atomic: the key is written and fsynced in a private temporary file, then hard-linked into place
 * (never overwriting), so two engines starting at once agree on one key and no reader sees a half-written file.
 * A key file readable by group or others is tightened to 0600 and reported through `warn` (the engine keeps
 * starting: refusing would lock the owner out over a fix we can make).
 *
 * @throws FloworkError VALIDATION_FAILED when the file exists but does not hold a key.
 */
export async function loadOrCreateKeyFile(dataDir: string, warn: StoreWarn): Promise<Buffer> {
  const path = join(dataDir, KEY_FILE_NAME);
  const existing = await readKeyFile(path, warn);
  if (existing !== undefined) return existing;
  await createKeyFile(dataDir, path);
  const created = await readKeyFile(path, warn);
  if (created === undefined) throw new FloworkError("INTERNAL", `${path} vanished after it was created`);
  return created;
}

async function readKeyFile(path: string, warn: StoreWarn): Promise<Buffer | undefined> {
  let mode: number;
  try {
    mode = (await stat(path)).mode & 0o777;
  } catch (err) {
    if (errnoOf(err) === "ENOENT") return undefined;
    throw err;
  }
  if (process.platform !== "win32" && (mode & 0o077) !== 0) {
    await chmod(path, 0o600);
    warn("secret key file was readable by other users; its mode was tightened to 0600", {
      path,
      previous_mode: mode.toString(8),
    });
  }
  const text = (await readFile(path, "utf8")).trim().toLowerCase();
  if (!KEY_FILE_TEXT.test(text)) {
    throw new FloworkError(
      "VALIDATION_FAILED",
      `${path} is not a Flowork key file (expected 64 hex characters); restore it from a backup`,
    );
  }
  return Buffer.from(text, "hex");
}

async function createKeyFile(dataDir: string, path: string): Promise<void> {
  const text = `${generateKey().toString("hex")}\n`;
  const tmp = join(dataDir, `.${KEY_FILE_NAME}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
  const handle = await open(tmp, "wx", 0o600);
  try {
    await handle.chmod(0o600);
    await handle.writeFile(text, "utf8");
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await link(tmp, path);
  } catch (err) {
    const code = errnoOf(err);
    // EEXIST: another process won the race, its key stands. Anything else: no hard links here, fall back to
    // an exclusive create (still never overwrites an existing key).
    if (code !== "EEXIST") await writeExclusive(path, text);
  } finally {
    await rm(tmp, { force: true });
  }
}

async function writeExclusive(path: string, text: string): Promise<void> {
  try {
    const handle = await open(path, "wx", 0o600);
    try {
      await handle.writeFile(text, "utf8");
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (err) {
    if (errnoOf(err) !== "EEXIST") throw err;
  }
}

function errnoOf(err: unknown): string | undefined {
  return typeof err === "object" && err !== null && "code" in err && typeof err.code === "string"
    ? err.code
    : undefined;
}
