import { createHash, randomBytes } from "node:crypto";
import { mkdir, open, readFile, rename, rm, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { z } from "zod";
import { type AuthInfo, AuthInfoSchema } from "./types.js";

/** Marks the cache file's layout; a file with another value is ignored. */
export const AUTH_CACHE_FORMAT = "flowork-auth-cache/1";
/** A cache file larger than this is ignored (the gateway answer is bounded well below it). */
const MAX_CACHE_BYTES = 8 * 1024 * 1024;

/**
 * Whose list a cache file holds. A cache is used only by the same gateway URL and engine token that fetched it,
 * so pointing the engine at another gateway or giving it a new token never revives an old list.
 */
export interface CacheOwner {
  gatewayUrl: string;
  engineToken: string;
}

const CacheDocumentSchema = z.object({
  format: z.literal(AUTH_CACHE_FORMAT),
  saved_at: z.string(),
  gateway_url: z.string(),
  token_sha256: z.string(),
  auth_info: AuthInfoSchema,
});

/** The outcome of {@link readAuthCache}: the cached answer, or why there is none. */
export type CacheReadResult =
  | { ok: true; info: AuthInfo; savedAt: string }
  | { ok: false; reason: "missing" | "unreadable" | "invalid" | "other_owner" };

/** SHA-256 of the token, hex: the cache records which token fetched it without holding the token itself. */
function tokenHash(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/**
 * Writes the gateway's answer to `file` atomically: a private temporary file in the same folder (mode 0600),
 * fsynced, then renamed over `file`, so a reader (or a crash) never sees half a list. The folder is created
 * (mode 0700) when missing.
 */
export async function writeAuthCache(
  file: string,
  owner: CacheOwner,
  info: AuthInfo,
  now: Date = new Date(),
): Promise<void> {
  const dir = dirname(file);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const document = {
    format: AUTH_CACHE_FORMAT,
    saved_at: now.toISOString(),
    gateway_url: owner.gatewayUrl,
    token_sha256: tokenHash(owner.engineToken),
    auth_info: info,
  };
  const tmp = join(dir, `.${basename(file)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
  try {
    const handle = await open(tmp, "wx", 0o600);
    try {
      await handle.chmod(0o600); // the umask may have loosened the mode given to open
      await handle.writeFile(`${JSON.stringify(document, null, 2)}\n`, "utf8");
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** Reads a cache written by {@link writeAuthCache} for the same `owner`. Never throws. */
export async function readAuthCache(file: string, owner: CacheOwner): Promise<CacheReadResult> {
  let text: string;
  try {
    if ((await stat(file)).size > MAX_CACHE_BYTES) return { ok: false, reason: "invalid" };
    text = await readFile(file, "utf8");
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    return { ok: false, reason: code === "ENOENT" ? "missing" : "unreadable" };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, reason: "invalid" };
  }
  const parsed = CacheDocumentSchema.safeParse(json);
  if (!parsed.success) return { ok: false, reason: "invalid" };
  const doc = parsed.data;
  if (doc.gateway_url !== owner.gatewayUrl || doc.token_sha256 !== tokenHash(owner.engineToken)) {
    return { ok: false, reason: "other_owner" };
  }
  return { ok: true, info: doc.auth_info, savedAt: doc.saved_at };
}

/** Deletes the cache file; a missing file is fine. */
export async function removeAuthCache(file: string): Promise<void> {
  await rm(file, { force: true });
}
