import { secp256k1 } from "@noble/curves/secp256k1";
import { type Hex, keccak256 as viemKeccak256 } from "viem";
import { FloworkError } from "../errors.js";
import { addressFromPublicKey, type Keccak256, personalMessageBytes } from "./eip191.js";
import { parseSignature } from "./signature.js";

/**
 * Recovers the signer of an EIP-191 `personal_sign` signature. Synchronous: recovery is CPU work only.
 *
 * Contract, shared by every implementation so they accept exactly the same signatures:
 * returns the lowercase `0x` address; throws `AUTH_MALFORMED` when the signature is not `0x` + 65 bytes with
 * `v` in {27, 28, 0, 1}; throws `AUTH_INVALID_SIGNATURE` when `r`/`s` are out of range, `s` is high
 * (malleable), or no public key recovers.
 */
export interface Recoverer {
  /** A short name for logs and benchmarks, e.g. `"native-secp256k1"`. */
  readonly name: string;
  recoverAddress(message: string, signature: Hex | string): string;
}

/** Keccak-256 through viem (which wraps `@noble/hashes`), returning bytes. */
export const keccak256Bytes: Keccak256 = (data) => viemKeccak256(data, "bytes");

/** The EIP-191 digest of `message`: Keccak-256 of {@link personalMessageBytes}. Same as viem's `hashMessage`. */
export function eip191Digest(message: string, keccak256: Keccak256 = keccak256Bytes): Uint8Array {
  return keccak256(personalMessageBytes(message));
}

function notRecoverable(cause?: unknown): FloworkError {
  return new FloworkError("AUTH_INVALID_SIGNATURE", "The signature does not recover to a public key.", {
    cause,
  });
}

/**
 * A pure-JS {@link Recoverer} (the `@noble/curves` secp256k1 that viem uses). Runs in browsers and anywhere;
 * about 30 times slower than the native binding of `@flowork/protocol/node`.
 */
export function createViemRecoverer(): Recoverer {
  return {
    name: "noble-js",
    recoverAddress(message: string, signature: Hex | string): string {
      const { compact, recovery } = parseSignature(signature);
      if (typeof message !== "string") throw notRecoverable();
      const digest = eip191Digest(message);
      let publicKey: Uint8Array;
      try {
        publicKey = secp256k1.Signature.fromCompact(compact)
          .addRecoveryBit(recovery)
          .recoverPublicKey(digest)
          .toRawBytes(false);
      } catch (err) {
        throw notRecoverable(err);
      }
      return addressFromPublicKey(publicKey, keccak256Bytes);
    },
  };
}
