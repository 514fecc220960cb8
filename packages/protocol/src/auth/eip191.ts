import { FloworkError } from "../errors.js";

/** A Keccak-256 function: bytes in, 32 bytes out. */
export type Keccak256 = (data: Uint8Array) => Uint8Array;

const encoder = new TextEncoder();
const PREFIX = encoder.encode("\x19Ethereum Signed Message:\n");
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/**
 * The bytes EIP-191 `personal_sign` hashes: `"\x19Ethereum Signed Message:\n" + byteLength + message`,
 * with the message in UTF-8 and its length counted in bytes.
 */
export function personalMessageBytes(message: string): Uint8Array {
  const body = encoder.encode(message);
  const length = String(body.length);
  const out = new Uint8Array(PREFIX.length + length.length + body.length);
  out.set(PREFIX, 0);
  for (let i = 0; i < length.length; i++) out[PREFIX.length + i] = length.charCodeAt(i);
  out.set(body, PREFIX.length + length.length);
  return out;
}

/**
 * The lowercase address of an uncompressed public key (65 bytes, `0x04 ‖ x ‖ y`): the last 20 bytes of the
 * Keccak-256 of `x ‖ y`.
 */
export function addressFromPublicKey(publicKey: Uint8Array, keccak256: Keccak256): string {
  if (publicKey.length !== 65 || publicKey[0] !== 4) {
    throw new FloworkError("AUTH_INVALID_SIGNATURE", "The signature does not recover to a public key.");
  }
  const hash = keccak256(publicKey.subarray(1, 65));
  let out = "0x";
  for (let i = 12; i < 32; i++) out += HEX[hash[i] ?? 0];
  return out;
}
