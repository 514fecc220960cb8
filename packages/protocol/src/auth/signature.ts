import { FloworkError } from "../errors.js";

/** The order n of the secp256k1 group. */
const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const HALF_N = N >> 1n;
const SIGNATURE_RE = /^0x[0-9a-fA-F]{130}$/;

/** A 65-byte signature split for recovery: `r ‖ s` (64 bytes) and the recovery bit. */
export interface ParsedSignature {
  compact: Uint8Array;
  recovery: 0 | 1;
}

function hexToBytes(hex: string, from: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    out[i] = Number.parseInt(hex.slice(from + 2 * i, from + 2 * i + 2), 16);
  }
  return out;
}

/** True when `value` has the shape of a 65-byte signature (`0x` + 130 hex) with `v` in {0, 1, 27, 28}. */
export function isSignatureFormat(value: unknown): value is string {
  if (typeof value !== "string" || !SIGNATURE_RE.test(value)) return false;
  const v = Number.parseInt(value.slice(130), 16);
  return v === 27 || v === 28 || v === 0 || v === 1;
}

/**
 * Parses an EIP-191 signature `0x r(32) s(32) v(1)`.
 *
 * - Not `0x` + 130 hex, or `v` outside {27, 28, 0, 1}: `AUTH_MALFORMED`.
 * - `r` or `s` zero or not below the group order: `AUTH_INVALID_SIGNATURE`.
 * - High `s` (s > n/2): `AUTH_INVALID_SIGNATURE`. Every mainstream signer (viem, ethers, MetaMask, hardware
 *   wallets) emits low-s signatures (EIP-2), so refusing high-s costs nothing and makes each message have exactly
 *   one accepted signature: `(r, n - s, v ^ 1)` would otherwise verify too, which matters for audit logs and for
 *   anything that deduplicates by signature.
 */
export function parseSignature(signature: unknown): ParsedSignature {
  if (!isSignatureFormat(signature)) {
    throw new FloworkError("AUTH_MALFORMED", "The signature is not 0x + 65 bytes with v in {27, 28, 0, 1}.", {
      details: { field: "signature" },
    });
  }
  const r = BigInt(`0x${signature.slice(2, 66)}`);
  const s = BigInt(`0x${signature.slice(66, 130)}`);
  if (r === 0n || r >= N || s === 0n || s >= N) {
    throw new FloworkError("AUTH_INVALID_SIGNATURE", "The signature values are out of range.", {
      details: { reason: "out_of_range" },
    });
  }
  if (s > HALF_N) {
    throw new FloworkError("AUTH_INVALID_SIGNATURE", "High-s (malleable) signatures are not accepted.", {
      details: { reason: "high_s" },
    });
  }
  const v = Number.parseInt(signature.slice(130), 16);
  return { compact: hexToBytes(signature, 2, 64), recovery: v === 1 || v === 28 ? 1 : 0 };
}
