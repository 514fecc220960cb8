import { MemoryReplayCache, signEnvelope } from "@flowork/protocol";
import { createNodeVerifier } from "@flowork/protocol/node";
import { hexToString } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { describe, expect, it } from "vitest";
import { signerFromEip1193 } from "./eip1193-signer.js";

/** A real EIP-1193 provider in miniature: a viem local account answering the two methods a wallet would. */
function walletProvider() {
  const account = privateKeyToAccount(generatePrivateKey());
  return {
    account,
    request: async ({ method, params }: { method: string; params?: unknown[] }) => {
      if (method === "eth_requestAccounts") return [account.address];
      if (method === "personal_sign") {
        const [data, from] = params as [`0x${string}`, string];
        if (from.toLowerCase() !== account.address.toLowerCase()) throw new Error("wrong account");
        return account.signMessage({ message: hexToString(data) });
      }
      throw new Error(`unsupported ${method}`);
    },
  };
}

describe("signerFromEip1193", () => {
  it("signs envelopes the engine's verifier accepts", async () => {
    const provider = walletProvider();
    const signer = await signerFromEip1193(provider);
    expect(signer.address).toBe(provider.account.address);
    const envelope = await signEnvelope(signer, "engine-x", {
      type: "ping",
      request_id: "1",
      note: "héllo ✓",
    });
    const verifier = createNodeVerifier({ replayCache: new MemoryReplayCache() });
    const verified = await verifier.verify({
      context: "GUI-to-Engine",
      ...envelope.auth,
      engineId: "engine-x",
      payload: envelope.payload,
    });
    expect(verified.address).toBe(provider.account.address.toLowerCase());
  });

  it("refuses a wallet without accounts", async () => {
    await expect(signerFromEip1193({ request: async () => [] })).rejects.toMatchObject({
      code: "AUTH_MISSING",
    });
  });
});
