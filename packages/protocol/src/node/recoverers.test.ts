import { Wallet } from "ethers";
import { type Hex, hashMessage } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { describe, expect, it } from "vitest";
import { createViemRecoverer, eip191Digest, type Recoverer } from "../auth/recover.js";
import { FloworkError } from "../errors.js";
import { createNativeRecoverer } from "./native-recoverer.js";

const native = createNativeRecoverer();
if (native === undefined) throw new Error("the native binding must load in CI");
const recoverers: Recoverer[] = [native, createViemRecoverer()];

function codeOf(r: Recoverer, message: string, signature: string): string | undefined {
  try {
    r.recoverAddress(message, signature);
  } catch (err) {
    return err instanceof FloworkError ? err.code : "NOT_A_FLOWORK_ERROR";
  }
  return undefined;
}

const MESSAGES = [
  "Flowork Socket Authentication: 1700000000000 | address=0x0 | scope=gui-socket | nonce=x | payload=y",
  "",
  "ünïcödé and emoji 🚀 count in bytes, not characters",
  "x".repeat(5000),
];

describe.each(recoverers.map((r) => [r.name, r] as const))("%s recoverer", (_name, recoverer) => {
  it("recovers viem and ethers signatures to the lowercase address", async () => {
    for (let i = 0; i < 4; i++) {
      const pk = generatePrivateKey();
      const account = privateKeyToAccount(pk);
      const wallet = new Wallet(pk);
      for (const message of MESSAGES) {
        const fromViem = await account.signMessage({ message });
        const fromEthers = await wallet.signMessage(message);
        expect(fromEthers).toBe(fromViem); // RFC 6979: deterministic, so both libraries agree byte for byte
        expect(recoverer.recoverAddress(message, fromViem)).toBe(account.address.toLowerCase());
        expect(recoverer.recoverAddress(message, fromEthers as Hex)).toBe(wallet.address.toLowerCase());
      }
    }
  });

  it("uses the EIP-191 digest viem's hashMessage uses", () => {
    for (const message of MESSAGES)
      expect(`0x${Buffer.from(eip191Digest(message)).toString("hex")}`).toBe(hashMessage(message));
  });

  it("a signature for another message recovers to someone else (not an error, not the signer)", async () => {
    const account = privateKeyToAccount(generatePrivateKey());
    const sig = await account.signMessage({ message: "a" });
    const got = recoverer.recoverAddress("b", sig);
    expect(got).toMatch(/^0x[0-9a-f]{40}$/);
    expect(got).not.toBe(account.address.toLowerCase());
  });

  it("refuses garbage with the contract's codes", async () => {
    const sig = await privateKeyToAccount(generatePrivateKey()).signMessage({ message: "m" });
    expect(codeOf(recoverer, "m", "0x")).toBe("AUTH_MALFORMED");
    expect(codeOf(recoverer, "m", `${sig.slice(0, 130)}02`)).toBe("AUTH_MALFORMED");
    expect(codeOf(recoverer, "m", `0x${"00".repeat(64)}1b`)).toBe("AUTH_INVALID_SIGNATURE");
    expect(codeOf(recoverer, "m", `0x${"ff".repeat(64)}1b`)).toBe("AUTH_INVALID_SIGNATURE");
    // r = p - 1 style values above n but below 2^256: out of range.
    expect(codeOf(recoverer, "m", `0x${"ff".repeat(32)}${"01".repeat(32)}1c`)).toBe("AUTH_INVALID_SIGNATURE");
    // An r that is no x-coordinate on the curve (x = 5 has no point on secp256k1): nothing recovers.
    expect(codeOf(recoverer, "m", `0x${"00".repeat(31)}05${"00".repeat(31)}01${"1b"}`)).toBe(
      "AUTH_INVALID_SIGNATURE",
    );
  });
});

describe("native and pure-JS recoverers agree", () => {
  it("on 500 random keys and messages", async () => {
    const [a, b] = recoverers as [Recoverer, Recoverer];
    for (let i = 0; i < 500; i++) {
      const account = privateKeyToAccount(generatePrivateKey());
      const bytes = crypto.getRandomValues(new Uint8Array(1 + (i % 300)));
      const message = `${i}:${Buffer.from(bytes).toString("base64")}`;
      const sig = await account.signMessage({ message });
      const expected = account.address.toLowerCase();
      expect(a.recoverAddress(message, sig)).toBe(expected);
      expect(b.recoverAddress(message, sig)).toBe(expected);
      if (i % 5 !== 0) continue;
      // A flipped digit in r: both must say the same thing (same address, or the same error code).
      const flipped = `${sig.slice(0, 10)}${sig[10] === "0" ? "1" : "0"}${sig.slice(11)}`;
      const ra = codeOf(a, message, flipped) ?? a.recoverAddress(message, flipped);
      const rb = codeOf(b, message, flipped) ?? b.recoverAddress(message, flipped);
      expect(ra).toBe(rb);
    }
  }, 120_000);
});
