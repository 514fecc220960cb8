import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { verifyEnvelope } from "../auth/envelope.js";
import { hashEnvelopePayload, sha256Hex } from "../auth/hash.js";
import { MemoryReplayCache } from "../auth/replay.js";
import { signEnvelope, signerFromPrivateKey } from "../auth/sign.js";
import { FloworkError } from "../errors.js";
import { createNodeVerifier, nodeSha256Hex } from "./verifier.js";

describe("createNodeVerifier", () => {
  it("node:crypto SHA-256 equals the pure-JS one on bytes and strings", () => {
    for (let n = 0; n < 300; n += 7) {
      const bytes = randomBytes(n);
      expect(nodeSha256Hex(bytes)).toBe(sha256Hex(bytes));
      const text = `ünï ${bytes.toString("base64")} 🚀`;
      expect(nodeSha256Hex(text)).toBe(sha256Hex(text));
    }
    const payload = { type: "x", nested: { b: [1, "é"], a: null } };
    expect(hashEnvelopePayload(payload, nodeSha256Hex)).toBe(hashEnvelopePayload(payload));
  });

  it("verifies with the native recoverer and refuses a swapped payload", async () => {
    const signer = signerFromPrivateKey(`0x${"77".repeat(32)}`);
    const verifier = createNodeVerifier({ replayCache: new MemoryReplayCache() });
    const env = await signEnvelope(signer, "eng_n", { type: "ping", request_id: "r-1" });
    const swapped = { ...env, payload: { type: "ping", request_id: "r-2" } };
    const err = await verifyEnvelope(verifier, swapped, "eng_n").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FloworkError);
    expect((err as FloworkError).code).toBe("AUTH_PAYLOAD_MISMATCH");
    await expect(verifyEnvelope(verifier, env, "eng_n")).resolves.toMatchObject({
      auth: { address: signer.address.toLowerCase() },
    });
  });
});
