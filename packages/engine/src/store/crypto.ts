import {
  createCipheriv,
  createDecipheriv,
  createSecretKey,
  type KeyObject,
  randomBytes,
  scrypt,
} from "node:crypto";
import { FloworkError } from "@flowork/protocol";

/** Prefix of the current ciphertext format: `v1:<iv b64>:<tag b64>:<ciphertext b64>`. */
export const SECRET_FORMAT = "v1";
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

/**
 * AES-256-GCM for values at rest. Every value gets a fresh random 12-byte IV; the caller's `aad` (e.g. the
 * variable name) is authenticated, so a ciphertext copied to another variable fails to decrypt.
 *
 * @example
 * const box = new SecretBox(randomBytes(32));
 * const sealed = box.encrypt("hunter2", "variable:API_KEY:value");
 * box.decrypt(sealed, "variable:API_KEY:value"); // "hunter2"
 */
export class SecretBox {
  readonly #key: KeyObject;

  /** @throws FloworkError VALIDATION_FAILED unless `key` is 32 bytes. */
  constructor(key: Uint8Array) {
    if (key.length !== KEY_BYTES) {
      throw new FloworkError("VALIDATION_FAILED", `a secret key must be ${KEY_BYTES} bytes`);
    }
    this.#key = createSecretKey(Buffer.from(key));
  }

  /** Seals `plaintext` (UTF-8) bound to `aad`: `v1:<iv>:<tag>:<ciphertext>`, base64 parts. */
  encrypt(plaintext: string, aad: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv("aes-256-gcm", this.#key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(aad, "utf8"));
    const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [SECRET_FORMAT, iv.toString("base64"), tag.toString("base64"), ciphertext.toString("base64")].join(
      ":",
    );
  }

  /**
   * Opens a value sealed by {@link encrypt} with the same `aad`.
   * @throws FloworkError INTERNAL when the format is unknown, or the key, the `aad` or the bytes do not match
   * (the message never contains the value).
   */
  decrypt(sealed: string, aad: string): string {
    const parts = sealed.split(":");
    if (parts.length !== 4 || parts[0] !== SECRET_FORMAT) {
      throw new FloworkError("INTERNAL", "unsupported secret format (expected v1:<iv>:<tag>:<ciphertext>)");
    }
    const iv = Buffer.from(parts[1] ?? "", "base64");
    const tag = Buffer.from(parts[2] ?? "", "base64");
    const ciphertext = Buffer.from(parts[3] ?? "", "base64");
    if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) {
      throw new FloworkError("INTERNAL", "malformed secret value (bad IV or tag length)");
    }
    try {
      const decipher = createDecipheriv("aes-256-gcm", this.#key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(aad, "utf8"));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString("utf8");
    } catch (err) {
      throw new FloworkError(
        "INTERNAL",
        "a secret could not be decrypted: wrong secret key, or the stored value was altered or moved",
        { cause: err },
      );
    }
  }
}

/** How a `FLOWORK_SECRET_KEY` value is read. */
export type ParsedSecretKey = { kind: "raw"; key: Buffer } | { kind: "passphrase"; passphrase: string };

const HEX_KEY = /^[0-9a-fA-F]{64}$/;
const BASE64_KEY = /^[A-Za-z0-9+/_-]{43}=?$/;

/**
 * Reads a `FLOWORK_SECRET_KEY`: 64 hex characters or base64 (standard or URL-safe) of exactly 32 bytes are the
 * key itself; anything else is a passphrase to stretch with {@link deriveKeyFromPassphrase}. Surrounding
 * whitespace is ignored.
 * @throws FloworkError VALIDATION_FAILED for an empty value.
 */
export function parseSecretKey(text: string): ParsedSecretKey {
  const value = text.trim();
  if (value === "") throw new FloworkError("VALIDATION_FAILED", "FLOWORK_SECRET_KEY is empty");
  if (HEX_KEY.test(value)) return { kind: "raw", key: Buffer.from(value, "hex") };
  if (BASE64_KEY.test(value)) {
    const key = Buffer.from(value, "base64");
    if (key.length === KEY_BYTES) return { kind: "raw", key };
  }
  return { kind: "passphrase", passphrase: value };
}

/** scrypt cost for passphrases: N=2^15, r=8, p=1 (32 MiB, ~0.1 s), the OWASP minimum for scrypt. */
export const SCRYPT_PARAMS = Object.freeze({ N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 });

/** Stretches a passphrase into a 32-byte key with scrypt and the install's salt. */
export function deriveKeyFromPassphrase(passphrase: string, salt: Uint8Array): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(passphrase.normalize("NFC"), salt, KEY_BYTES, SCRYPT_PARAMS, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}

/** A fresh random 32-byte key. */
export function generateKey(): Buffer {
  return randomBytes(KEY_BYTES);
}
