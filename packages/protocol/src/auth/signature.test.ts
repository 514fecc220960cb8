import { secp256k1 } from "@noble/curves/secp256k1";
import { hashMessage } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { describe, expect, it } from "vitest";
import { FloworkError } from "../errors.js";
import { HALF_N_HEX, isSignatureFormat, parseSignature } from "./signature.js";

const N = secp256k1.CURVE.n;
const account = privateKeyToAccount(`0x${"11".repeat(32)}`);
const MESSAGE = "signature parsing";
const hex64 = (n: bigint) => n.toString(16).padStart(64, "0");

function codeOf(sig: unknown): string | undefined {
  try {
    parseSignature(sig);
  } catch (err) {
    return err instanceof FloworkError ? err.code : "NOT_A_FLOWORK_ERROR";
  }
  return undefined;
}

/** The other valid encoding of a signature: (r, n - s, v ^ 1). */
function malleate(sig: string): string {
  const s = BigInt(`0x${sig.slice(66, 130)}`);
  const v = Number.parseInt(sig.slice(130), 16);
  return `${sig.slice(0, 66)}${hex64(N - s)}${(v === 27 ? 28 : 27).toString(16)}`;
}

describe("parseSignature", () => {
  it("HALF_N_HEX is floor(n / 2)", () => {
    expect(HALF_N_HEX).toBe(hex64(N >> 1n));
  });

  it("accepts v in {27, 28, 0, 1} and either hex case", async () => {
    const sig = await account.signMessage({ message: MESSAGE });
    const body = sig.slice(0, 130);
    const v = sig.slice(130);
    const bit = v === "1c" ? 1 : 0;
    expect(parseSignature(sig).recovery).toBe(bit);
    expect(parseSignature(`${body}${bit === 1 ? "01" : "00"}`).recovery).toBe(bit);
    expect(parseSignature(sig.toUpperCase().replace("0X", "0x")).recovery).toBe(bit);
    expect(parseSignature(sig).compact).toEqual(
      secp256k1.Signature.fromCompact(body.slice(2)).toCompactRawBytes(),
    );
  });

  it.each([
    ["wrong v", (s: string) => `${s.slice(0, 130)}1d`],
    ["v = 2", (s: string) => `${s.slice(0, 130)}02`],
    ["EIP-155 v", (s: string) => `${s.slice(0, 130)}25`],
    ["64 bytes", (s: string) => s.slice(0, 130)],
    ["66 bytes", (s: string) => `${s}00`],
    ["no 0x", (s: string) => s.slice(2)],
    ["non-hex", (s: string) => `${s.slice(0, 10)}zz${s.slice(12)}`],
  ])("refuses %s as AUTH_MALFORMED", async (_name, mutate) => {
    const sig = await account.signMessage({ message: MESSAGE });
    expect(codeOf(mutate(sig))).toBe("AUTH_MALFORMED");
  });

  it.each([undefined, null, 1, {}, [], "0x"])("refuses the non-signature %# as AUTH_MALFORMED", (value) => {
    expect(isSignatureFormat(value)).toBe(false);
    expect(codeOf(value)).toBe("AUTH_MALFORMED");
  });

  it.each([
    ["r = 0", 0n, 1n],
    ["s = 0", 1n, 0n],
    ["r = n", N, 1n],
    ["s = n", 1n, N],
    ["r > n", N + 5n, 1n],
    ["r = 2^256 - 1", 2n ** 256n - 1n, 1n],
  ])("refuses %s as AUTH_INVALID_SIGNATURE", (_name, r, s) => {
    expect(codeOf(`0x${hex64(r)}${hex64(s)}1b`)).toBe("AUTH_INVALID_SIGNATURE");
  });

  it("refuses the high-s twin of a valid signature, which would otherwise recover the same address", async () => {
    const sig = await account.signMessage({ message: MESSAGE });
    const twin = malleate(sig);
    // Prove the twin is a real alternative signature, so refusing it is a choice, not an accident.
    const parsed = secp256k1.Signature.fromCompact(twin.slice(2, 130)).addRecoveryBit(
      twin.endsWith("1c") ? 1 : 0,
    );
    const recovered = parsed.recoverPublicKey(hashMessage(MESSAGE).slice(2)).toRawBytes(false);
    expect(recovered).toEqual(
      secp256k1.ProjectivePoint.fromHex(account.publicKey.slice(2)).toRawBytes(false),
    );
    expect(codeOf(twin)).toBe("AUTH_INVALID_SIGNATURE");
    expect(codeOf(`0x${"11".repeat(32)}${HALF_N_HEX}1b`)).toBeUndefined();
    expect(codeOf(`0x${"11".repeat(32)}${hex64((N >> 1n) + 1n)}1b`)).toBe("AUTH_INVALID_SIGNATURE");
  });
});
