import { FloworkError } from "../errors.js";

// Range checks compare 64-char lowercase hex strings: for equal lengths, string order is numeric order
// ("0"-"9" sort before "a"-"f"), which avoids BigInt on the hot path.
/** The order n of the secp256k1 group. */
const N_HEX = "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141";
/** floor(n / 2): the largest accepted `s`. */
export const HALF_N_HEX = "7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0";
const ZERO_HEX = "0".repeat(64);
const SIGNATURE_RE = /^0x[0-9a-fA-F]{130}$/;

/** A 65-byte signature split for recovery: `r ‖ s` (64 bytes) and the recovery bit. */
export interface ParsedSignature {
  compact: Uint8Array;
  recovery: 0 | 1;
}

/** Value of a lowercase hex digit already checked by {@link SIGNATURE_RE}. */
function nibble(code: number): number {
  return code <= 57 ? code - 48 : code - 87;
}

function hexToBytes(hex: string, from: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0, j = from; i < length; i++, j += 2) {
    out[i] = (nibble(hex.charCodeAt(j)) << 4) | nibble(hex.charCodeAt(j + 1));
  }
  return out;
}

/** True when `value` has the shape of a 65-byte signature (`0x` + 130 hex) with `v` in {0, 1, 27, 28}. */
export function isSignatureFormat(value: unknown): value is string {
  if (typeof value !== "string" || !SIGNATURE_RE.test(value)) return false;
  const v = value.slice(130).toLowerCase();
  return v === "1b" || v === "1c" || v === "00" || v === "01";
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
  const hex = signature.toLowerCase();
  const r = hex.slice(2, 66);
  const s = hex.slice(66, 130);
  if (r === ZERO_HEX || r >= N_HEX || s === ZERO_HEX || s >= N_HEX) {
    throw new FloworkError("AUTH_INVALID_SIGNATURE", "The signature values are out of range.", {
      details: { reason: "out_of_range" },
    });
  }
  if (s > HALF_N_HEX) {
    throw new FloworkError("AUTH_INVALID_SIGNATURE", "High-s (malleable) signatures are not accepted.", {
      details: { reason: "high_s" },
    });
  }
  const v = hex.slice(130);
  return { compact: hexToBytes(hex, 2, 64), recovery: v === "01" || v === "1c" ? 1 : 0 };
}
