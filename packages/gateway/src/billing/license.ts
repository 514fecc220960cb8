import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  sign,
  verify,
} from "node:crypto";
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { canonicalJson } from "@flowork/protocol";
import type { License } from "../services/types.js";

/** File name of the license signing key inside the data folder. */
export const LICENSE_KEY_FILE = "license-key.pem";

/**
 * Loads the Ed25519 license key from `<dataDir>/license-key.pem` (PKCS#8 PEM), creating it once with mode 0600.
 * Two processes racing to create it both end up with the file that won: the key is written to a private temp
 * file and published with `link` (atomic, fails when the file exists), so no reader ever sees a half-written
 * file (a replica reading it while another was still writing it answered INTERNAL).
 * Replicas behind a load balancer must share this file (same data folder or a mounted secret).
 */
export function loadOrCreateLicenseKey(dataDir: string): KeyObject {
  const path = join(dataDir, LICENSE_KEY_FILE);
  try {
    return createPrivateKey(readFileSync(path, "utf8"));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  mkdirSync(dataDir, { recursive: true });
  const { privateKey } = generateKeyPairSync("ed25519");
  const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  const temp = `${path}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
  writeFileSync(temp, pem, { mode: 0o600, flag: "wx" });
  try {
    linkSync(temp, path);
    return privateKey;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    return createPrivateKey(readFileSync(path, "utf8"));
  } finally {
    unlinkSync(temp);
  }
}

/** The PEM (SPKI) public key of a private key: what `/system/info` publishes as `license_public_key`. */
export function publicKeyPem(privateKey: KeyObject): string {
  return createPublicKey(privateKey).export({ type: "spki", format: "pem" }).toString();
}

/** Signs `data`: base64 Ed25519 over its RFC 8785 canonical JSON. */
export function signLicense(data: License["data"], privateKey: KeyObject): License {
  const signature = sign(null, Buffer.from(canonicalJson(data), "utf8"), privateKey).toString("base64");
  return { data, signature };
}

/**
 * Verifies a license offline with the published PEM public key. Checks the signature only; the caller compares
 * `valid_until` with its clock.
 * @example verifyLicense(await fetchLicense(), info.license_public_key) // true
 */
export function verifyLicense(license: License, publicKey: string): boolean {
  try {
    return verify(
      null,
      Buffer.from(canonicalJson(license.data), "utf8"),
      createPublicKey(publicKey),
      Buffer.from(license.signature, "base64"),
    );
  } catch {
    return false;
  }
}
