import { createRequire } from "node:module";
import type { Hex } from "viem";
import { addressFromPublicKey, personalMessageBytes } from "../auth/eip191.js";
import { createViemRecoverer, type Recoverer } from "../auth/recover.js";
import { parseSignature } from "../auth/signature.js";
import { FloworkError } from "../errors.js";
import { keccak256 } from "./keccak256.js";

/** The part of the `secp256k1` package (v5, native build) this module uses. */
export interface NativeSecp256k1 {
  ecdsaRecover(signature: Uint8Array, recid: number, msg32: Uint8Array, compressed: boolean): Uint8Array;
}

// A signature made by viem and ethers for the key 0x42…42: checks a loaded binding really computes right.
const SELF_TEST = {
  message: "flowork native recoverer self-test",
  signature:
    "0x63e9b2b8932a4b0514e31e857ef5b65b8367816f2ba06651494b1c31faeafb7d" +
    "2653a13b2985acff4da7eaeb5502eca956334804eeafa562358e74c895c57d321c",
  address: "0x17c5185167401ed00cf5f5b2fc97d9bbfdb7d025",
} as const;

function isNativeSecp256k1(value: unknown): value is NativeSecp256k1 {
  return (
    typeof value === "object" && value !== null && typeof Reflect.get(value, "ecdsaRecover") === "function"
  );
}

/**
 * Loads the native binding of the optional `secp256k1` dependency (`secp256k1/bindings.js`, never its
 * `elliptic` fallback). Returns `undefined` when the package or a prebuilt binary for this platform is missing.
 */
export function loadNativeSecp256k1(): NativeSecp256k1 | undefined {
  try {
    const mod: unknown = createRequire(import.meta.url)("secp256k1/bindings.js");
    return isNativeSecp256k1(mod) ? mod : undefined;
  } catch {
    return undefined;
  }
}

function buildRecoverer(binding: NativeSecp256k1): Recoverer {
  return {
    name: "native-secp256k1",
    recoverAddress(message: string, signature: Hex | string): string {
      const { compact, recovery } = parseSignature(signature);
      if (typeof message !== "string") {
        throw new FloworkError("AUTH_INVALID_SIGNATURE", "The signature does not recover to a public key.");
      }
      const digest = keccak256(personalMessageBytes(message));
      let publicKey: Uint8Array;
      try {
        publicKey = binding.ecdsaRecover(compact, recovery, digest, false);
      } catch (err) {
        throw new FloworkError("AUTH_INVALID_SIGNATURE", "The signature does not recover to a public key.", {
          cause: err,
        });
      }
      return addressFromPublicKey(publicKey, keccak256);
    },
  };
}

/**
 * A {@link Recoverer} on libsecp256k1 through the `secp256k1` native binding, with a fast unrolled Keccak.
 * Accepts exactly what the pure-JS recoverer accepts (same signature parser). Returns `undefined` when the
 * binding does not load or fails its self-test.
 */
export function createNativeRecoverer(binding = loadNativeSecp256k1()): Recoverer | undefined {
  if (binding === undefined) return undefined;
  const recoverer = buildRecoverer(binding);
  try {
    if (recoverer.recoverAddress(SELF_TEST.message, SELF_TEST.signature) !== SELF_TEST.address)
      return undefined;
  } catch {
    return undefined;
  }
  return recoverer;
}

/** The fastest recoverer available here: native when the binding loads, otherwise pure JS. */
export function createBestRecoverer(): Recoverer {
  return createNativeRecoverer() ?? createViemRecoverer();
}
