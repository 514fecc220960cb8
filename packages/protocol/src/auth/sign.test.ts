import { describe, expect, it } from "vitest";
import { FloworkError } from "../errors.js";
import { EMPTY_SHA256, hashApiBody, hashEnvelopePayload } from "./hash.js";
import { isNonce, parseMessage } from "./message.js";
import { generateNonce, signApiRequest, signEnvelope, signerFromPrivateKey, signSocketAuth } from "./sign.js";

const signer = signerFromPrivateKey(`0x${"55".repeat(32)}`);
const now = () => 1_700_000_000_123;

describe("generateNonce", () => {
  it("makes 32 hex chars, valid and distinct", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const n = generateNonce();
      expect(n).toMatch(/^[0-9a-f]{32}$/);
      expect(isNonce(n)).toBe(true);
      seen.add(n);
    }
    expect(seen.size).toBe(1000);
  });
});

describe("signing helpers", () => {
  it("signEnvelope: GUI-to-Engine, engine id scope, JCS payload hash, lowercase address", async () => {
    const payload = { type: "ping", request_id: "r-1" };
    const env = await signEnvelope(signer, "eng_1", payload, { now, nonce: "fixed-nonce-000001" });
    expect(env.payload).toBe(payload);
    expect(env.auth.address).toBe(signer.address.toLowerCase());
    expect(parseMessage(env.auth.message)).toEqual({
      context: "GUI-to-Engine",
      timestamp_ms: now(),
      address: signer.address.toLowerCase(),
      scope: "eng_1",
      nonce: "fixed-nonce-000001",
      payload_sha256: hashEnvelopePayload(payload),
    });
    expect(env.auth.signature).toMatch(/^0x[0-9a-f]{130}$/);
  });

  it("signApiRequest: the three headers, method upper-cased, body hashed raw", async () => {
    const h = await signApiRequest(signer, "patch", "/api/v1/user/profile?x=1", '{"bio":"hi"}', { now });
    expect(Object.keys(h).sort()).toEqual(["X-Signature", "X-Signed-Message", "X-User-Address"]);
    const fields = parseMessage(h["X-Signed-Message"]);
    expect(fields.context).toBe("API");
    expect(fields.scope).toBe("PATCH /api/v1/user/profile?x=1");
    expect(fields.payload_sha256).toBe(hashApiBody('{"bio":"hi"}'));
    const noBody = await signApiRequest(signer, "GET", "/api/v1/user/profile");
    expect(parseMessage(noBody["X-Signed-Message"]).payload_sha256).toBe(EMPTY_SHA256);
  });

  it("signApiRequest refuses a target that cannot be a scope", async () => {
    await expect(signApiRequest(signer, "GET", "no-slash")).rejects.toBeInstanceOf(FloworkError);
    await expect(signApiRequest(signer, "GET", "/a | b")).rejects.toBeInstanceOf(FloworkError);
  });

  it("signSocketAuth: Socket context, gui-socket scope, empty payload", async () => {
    const auth = await signSocketAuth(signer, { now });
    const fields = parseMessage(auth.message);
    expect(fields).toMatchObject({ context: "Socket", scope: "gui-socket", payload_sha256: EMPTY_SHA256 });
  });

  it("refuses a payload with no JSON form before signing", async () => {
    await expect(signEnvelope(signer, "eng_1", { type: "x", n: Number.NaN })).rejects.toMatchObject({
      code: "VALIDATION_FAILED",
    });
  });
});
