import { describe, expect, it } from "vitest";
import { FloworkError } from "../errors.js";
import { EnvelopeSchema, verifyEnvelope } from "./envelope.js";
import { createViemRecoverer } from "./recover.js";
import { MemoryReplayCache } from "./replay.js";
import { signEnvelope, signerFromPrivateKey } from "./sign.js";
import { createVerifier } from "./verify.js";

const ENGINE = "eng_env_1";
const signer = signerFromPrivateKey(`0x${"44".repeat(32)}`);
const newVerifier = () =>
  createVerifier({ recoverer: createViemRecoverer(), replayCache: new MemoryReplayCache() });

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (err) {
    return err instanceof FloworkError ? err.code : "NOT_A_FLOWORK_ERROR";
  }
  return undefined;
}

describe("verifyEnvelope", () => {
  it("verifies a signed envelope that went through JSON, and returns the received payload", async () => {
    const env = await signEnvelope(signer, ENGINE, {
      type: "save_preset",
      request_id: "r-9",
      name: "p",
      n: 1.5,
    });
    const wire: unknown = JSON.parse(JSON.stringify(env));
    expect(EnvelopeSchema.safeParse(wire).success).toBe(true);
    const got = await verifyEnvelope(newVerifier(), wire, ENGINE);
    expect(got.auth.address).toBe(signer.address.toLowerCase());
    expect(got.payload).toBe((wire as { payload: unknown }).payload);
  });

  it.each([
    ["not an object", "hello", "BAD_REQUEST"],
    ["an array", [], "BAD_REQUEST"],
    ["null", null, "BAD_REQUEST"],
    ["no payload", { auth: {} }, "BAD_REQUEST"],
    ["payload without type", { auth: {}, payload: { request_id: "r" } }, "BAD_REQUEST"],
    ["payload type not a string", { auth: {}, payload: { type: 1 } }, "BAD_REQUEST"],
    ["request_id not a string", { auth: {}, payload: { type: "ping", request_id: 7 } }, "BAD_REQUEST"],
    ["no auth", { payload: { type: "ping" } }, "AUTH_MISSING"],
    ["empty auth", { auth: {}, payload: { type: "ping" } }, "AUTH_MISSING"],
    ["auth a string", { auth: "0xabc", payload: { type: "ping" } }, "AUTH_MALFORMED"],
    ["auth an array", { auth: [], payload: { type: "ping" } }, "AUTH_MALFORMED"],
    [
      "auth fields wrong types",
      { auth: { address: 1, message: 2, signature: 3 }, payload: { type: "ping" } },
      "AUTH_MALFORMED",
    ],
  ])("%s → %s", async (_name, envelope, code) => {
    expect(await codeOf(verifyEnvelope(newVerifier(), envelope, ENGINE))).toBe(code);
  });

  it("passes the authorize hook through (rule 7 before the nonce is kept)", async () => {
    const env = await signEnvelope(signer, ENGINE, { type: "ping" });
    const verifier = newVerifier();
    const refuse = () => {
      throw new FloworkError("AUTH_FORBIDDEN_ROLE");
    };
    expect(await codeOf(verifyEnvelope(verifier, env, ENGINE, { authorize: refuse }))).toBe(
      "AUTH_FORBIDDEN_ROLE",
    );
    await expect(verifyEnvelope(verifier, env, ENGINE)).resolves.toBeDefined();
  });

  it("BAD_REQUEST carries the schema issues as data", async () => {
    const err = await verifyEnvelope(newVerifier(), { payload: { type: 5 } }, ENGINE).catch(
      (e: unknown) => e,
    );
    expect((err as FloworkError).details?.["issues"]).toBeInstanceOf(Array);
  });

  it("hashes the received payload, not a parsed copy: a __proto__ key is covered by the signature", async () => {
    const payload = JSON.parse('{"type":"ping","request_id":"r-1","__proto__":{"admin":true}}') as {
      type: string;
    };
    const env = await signEnvelope(signer, ENGINE, payload);
    const verifier = newVerifier();
    const stripped = { auth: env.auth, payload: { type: "ping", request_id: "r-1" } };
    expect(await codeOf(verifyEnvelope(verifier, stripped, ENGINE))).toBe("AUTH_PAYLOAD_MISMATCH");
    await expect(verifyEnvelope(verifier, env, ENGINE)).resolves.toBeDefined();
    expect(({} as Record<string, unknown>)["admin"]).toBeUndefined();
  });
});
