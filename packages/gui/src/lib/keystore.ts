/**
 * The private key at rest: PBKDF2-SHA-256 (310 000 iterations, OWASP 2023) derives an AES-256-GCM key from the
 * passphrase; only the ciphertext, salt and IV are stored. The clear key lives in memory while unlocked.
 */
export const PBKDF2_ITERATIONS = 310_000;
export const STORAGE_KEY = "flowork.identity.v1";

export interface EncryptedKey {
  v: 1;
  address: string;
  kdf: "PBKDF2-SHA256";
  iterations: number;
  salt: string;
  iv: string;
  ciphertext: string;
}

const b64 = (bytes: Uint8Array): string => btoa(String.fromCharCode(...bytes));
const unb64 = (text: string): Uint8Array<ArrayBuffer> => {
  const raw = atob(text);
  const out = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
};

async function deriveKey(
  passphrase: string,
  salt: Uint8Array<ArrayBuffer>,
  iterations: number,
): Promise<CryptoKey> {
  const base = await crypto.subtle.importKey("raw", new TextEncoder().encode(passphrase), "PBKDF2", false, [
    "deriveKey",
  ]);
  return crypto.subtle.deriveKey(
    { name: "PBKDF2", hash: "SHA-256", salt, iterations },
    base,
    { name: "AES-GCM", length: 256 },
    false,
    ["encrypt", "decrypt"],
  );
}

/** Encrypts a `0x` private key under a passphrase. */
export async function encryptPrivateKey(
  privateKey: string,
  passphrase: string,
  address: string,
  iterations = PBKDF2_ITERATIONS,
): Promise<EncryptedKey> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const key = await deriveKey(passphrase, salt, iterations);
  // The address is bound as associated data: a blob cannot be relabelled with another address.
  const data = new TextEncoder().encode(address.toLowerCase());
  const ct = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: data },
    key,
    new TextEncoder().encode(privateKey),
  );
  return {
    v: 1,
    address: address.toLowerCase(),
    kdf: "PBKDF2-SHA256",
    iterations,
    salt: b64(salt),
    iv: b64(iv),
    ciphertext: b64(new Uint8Array(ct)),
  };
}

/** Decrypts; throws `Error("WRONG_PASSPHRASE")` when the passphrase (or the blob) is wrong. */
export async function decryptPrivateKey(blob: EncryptedKey, passphrase: string): Promise<`0x${string}`> {
  const key = await deriveKey(passphrase, unb64(blob.salt), blob.iterations);
  try {
    const clear = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: unb64(blob.iv), additionalData: new TextEncoder().encode(blob.address) },
      key,
      unb64(blob.ciphertext),
    );
    return new TextDecoder().decode(clear) as `0x${string}`;
  } catch {
    throw new Error("WRONG_PASSPHRASE");
  }
}

/** Reads a stored blob, or undefined when there is none or it is not ours. */
export function parseStoredKey(text: string | null): EncryptedKey | undefined {
  if (!text) return undefined;
  try {
    const v = JSON.parse(text) as Partial<EncryptedKey>;
    if (v.v === 1 && typeof v.address === "string" && typeof v.ciphertext === "string")
      return v as EncryptedKey;
  } catch {
    /* not JSON: treat as absent */
  }
  return undefined;
}
