import { privateKeyToAccount } from "viem/accounts";
import { describe, expect, it } from "vitest";
import { FloworkError } from "../errors.js";
import { EMPTY_SHA256, hashEnvelopePayload } from "./hash.js";
import { buildMessage } from "./message.js";
import { createViemRecoverer } from "./recover.js";
import { MemoryReplayCache, type ReplayCache } from "./replay.js";
import { assertEngineRole } from "./roles.js";
import { signApiRequest, signAuth, signEnvelope, signerFromPrivateKey, signSocketAuth } from "./sign.js";
import { createVerifier, type EnvelopeVerifyInput, type VerifyInput } from "./verify.js";

const NOW = 1_700_000_000_000;
const WINDOW = 300_000;
const ENGINE = "eng_test_1";
const signer = signerFromPrivateKey(`0x${"11".repeat(32)}`);
const other = signerFromPrivateKey(`0x${"22".repeat(32)}`);
const recoverer = createViemRecoverer();
const at = (t: number) => ({ now: () => t });
const PAYLOAD = { type: "ping", request_id: "r-1" };

function setup(replayCache: ReplayCache = new MemoryReplayCache({ now: () => NOW })) {
  const clock = { t: NOW };
  const verifier = createVerifier({ recoverer, replayCache, windowMs: WINDOW, now: () => clock.t });
  return { verifier, clock, replayCache };
}

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (err) {
    return err instanceof FloworkError ? err.code : "NOT_A_FLOWORK_ERROR";
  }
  return undefined;
}

async function envelopeInput(
  payload: Record<string, unknown> = PAYLOAD,
  t = NOW,
): Promise<EnvelopeVerifyInput> {
  const env = await signEnvelope(signer, ENGINE, { ...PAYLOAD, ...payload }, at(t));
  return { context: "GUI-to-Engine", ...env.auth, engineId: ENGINE, payload: env.payload };
}

describe("createVerifier: accepted messages", () => {
  it("verifies all three contexts and returns the signed fields", async () => {
    const { verifier } = setup();
    const env = await envelopeInput();
    const got = await verifier.verify(env);
    expect(got).toMatchObject({
      context: "GUI-to-Engine",
      address: signer.address.toLowerCase(),
      scope: ENGINE,
    });
    expect(got.payload_sha256).toBe(hashEnvelopePayload(PAYLOAD));
    expect(got.timestamp_ms).toBe(NOW);

    const body = '{"name":"my engine"}';
    const h = await signApiRequest(signer, "post", "/api/v1/user/engines?x=1", body, at(NOW));
    const api = await verifier.verify({
      context: "API",
      address: h["X-User-Address"].toUpperCase().replace("0X", "0x"),
      message: h["X-Signed-Message"],
      signature: h["X-Signature"],
      method: "POST",
      pathWithQuery: "/api/v1/user/engines?x=1",
      body: new TextEncoder().encode(body),
    });
    expect(api.scope).toBe("POST /api/v1/user/engines?x=1");

    const socket = await verifier.verify({ context: "Socket", ...(await signSocketAuth(signer, at(NOW))) });
    expect(socket).toMatchObject({ scope: "gui-socket", payload_sha256: EMPTY_SHA256 });
  });

  it("accepts exactly at both edges of the window", async () => {
    const { verifier } = setup();
    await expect(verifier.verify(await envelopeInput({}, NOW - WINDOW))).resolves.toBeDefined();
    await expect(verifier.verify(await envelopeInput({}, NOW + WINDOW))).resolves.toBeDefined();
  });
});

describe("createVerifier: one code per rule, in order", () => {
  it("AUTH_MISSING when nothing is sent", async () => {
    const { verifier } = setup();
    expect(await codeOf(verifier.verify({ context: "Socket" }))).toBe("AUTH_MISSING");
    expect(await codeOf(verifier.verify({ context: "Socket", address: "", message: null }))).toBe(
      "AUTH_MISSING",
    );
  });

  it("rule 1: AUTH_MALFORMED for a bad address, message or signature", async () => {
    const { verifier } = setup();
    const good = await envelopeInput();
    for (const patch of [
      { address: "0x1234" },
      { address: 42 },
      { message: `${String(good.message)} ` },
      { message: undefined },
      { signature: "0x1234" },
      { signature: `${String(good.signature).slice(0, 130)}1d` },
    ]) {
      expect(await codeOf(verifier.verify({ ...good, ...patch } as VerifyInput))).toBe("AUTH_MALFORMED");
    }
  });

  it("rule 2: AUTH_INVALID_SIGNATURE for another signer, another address, or a tampered message", async () => {
    const { verifier } = setup();
    const good = await envelopeInput();
    const byOther = await signEnvelope(other, ENGINE, PAYLOAD, at(NOW));
    // The message claims `signer` but `other` signed it.
    const forged = { ...good, signature: byOther.auth.signature };
    expect(await codeOf(verifier.verify(forged))).toBe("AUTH_INVALID_SIGNATURE");
    // The claimed address (header / auth.address) is not the message's.
    expect(await codeOf(verifier.verify({ ...good, address: byOther.auth.address }))).toBe(
      "AUTH_INVALID_SIGNATURE",
    );
    const tampered = String(good.message).replace(`scope=${ENGINE}`, "scope=eng_other");
    expect(await codeOf(verifier.verify({ ...good, message: tampered }))).toBe("AUTH_INVALID_SIGNATURE");
  });

  it("rule 2 before rule 3: a bad signature on an expired message is AUTH_INVALID_SIGNATURE", async () => {
    const { verifier } = setup();
    const old = await envelopeInput({}, NOW - 10 * WINDOW);
    const byOther = await signEnvelope(other, ENGINE, PAYLOAD, at(NOW));
    expect(await codeOf(verifier.verify({ ...old, signature: byOther.auth.signature }))).toBe(
      "AUTH_INVALID_SIGNATURE",
    );
  });

  it("rule 3: AUTH_EXPIRED in both directions", async () => {
    const { verifier } = setup();
    expect(await codeOf(verifier.verify(await envelopeInput({}, NOW - WINDOW - 1)))).toBe("AUTH_EXPIRED");
    expect(await codeOf(verifier.verify(await envelopeInput({}, NOW + WINDOW + 1)))).toBe("AUTH_EXPIRED");
  });

  it("rule 4: AUTH_REPLAY for a second use, and before scope and payload errors", async () => {
    const { verifier } = setup();
    const good = await envelopeInput();
    await verifier.verify(good);
    expect(await codeOf(verifier.verify(good))).toBe("AUTH_REPLAY");
    expect(await codeOf(verifier.verify({ ...good, engineId: "eng_other" }))).toBe("AUTH_REPLAY");
    expect(await codeOf(verifier.verify({ ...good, payload: { type: "other" } }))).toBe("AUTH_REPLAY");
  });

  it("rule 4: the same nonce from another address is a different key", async () => {
    const { verifier } = setup();
    const opts = { now: () => NOW, nonce: "shared-nonce-0001" };
    const a = await signAuth(signer, "Socket", "gui-socket", EMPTY_SHA256, opts);
    const b = await signAuth(other, "Socket", "gui-socket", EMPTY_SHA256, opts);
    await verifier.verify({ context: "Socket", ...a });
    await expect(verifier.verify({ context: "Socket", ...b })).resolves.toBeDefined();
  });

  it("rule 5: AUTH_SCOPE_MISMATCH for another engine, route, or context", async () => {
    const { verifier } = setup();
    const good = await envelopeInput();
    expect(await codeOf(verifier.verify({ ...good, engineId: "eng_other" }))).toBe("AUTH_SCOPE_MISMATCH");
    const h = await signApiRequest(signer, "GET", "/api/v1/user/engines", undefined, at(NOW));
    const api = {
      context: "API" as const,
      address: h["X-User-Address"],
      message: h["X-Signed-Message"],
      signature: h["X-Signature"],
    };
    expect(
      await codeOf(verifier.verify({ ...api, method: "DELETE", pathWithQuery: "/api/v1/user/engines" })),
    ).toBe("AUTH_SCOPE_MISMATCH");
    expect(
      await codeOf(verifier.verify({ ...api, method: "GET", pathWithQuery: "/api/v1/user/engines?a" })),
    ).toBe("AUTH_SCOPE_MISMATCH");
    // A Socket message replayed as an engine envelope: right signer, wrong context.
    const socket = await signSocketAuth(signer, at(NOW));
    expect(
      await codeOf(
        verifier.verify({ context: "GUI-to-Engine", ...socket, engineId: "gui-socket", payload: {} }),
      ),
    ).toBe("AUTH_SCOPE_MISMATCH");
  });

  it("rule 6: AUTH_PAYLOAD_MISMATCH for another payload or body", async () => {
    const { verifier } = setup();
    const good = await envelopeInput();
    expect(await codeOf(verifier.verify({ ...good, payload: { ...PAYLOAD, request_id: "r-2" } }))).toBe(
      "AUTH_PAYLOAD_MISMATCH",
    );
    expect(await codeOf(verifier.verify({ ...good, payload: undefined }))).toBe("AUTH_PAYLOAD_MISMATCH");
    expect(await codeOf(verifier.verify({ ...good, payload: { x: Number.NaN } }))).toBe(
      "AUTH_PAYLOAD_MISMATCH",
    );
    const h = await signApiRequest(signer, "POST", "/api/v1/x", '{"a":1}', at(NOW));
    const api = {
      context: "API" as const,
      address: h["X-User-Address"],
      message: h["X-Signed-Message"],
      signature: h["X-Signature"],
      method: "POST",
      pathWithQuery: "/api/v1/x",
    };
    expect(await codeOf(verifier.verify({ ...api, body: '{"a": 1}' }))).toBe("AUTH_PAYLOAD_MISMATCH");
    expect(await codeOf(verifier.verify({ ...api, body: undefined }))).toBe("AUTH_PAYLOAD_MISMATCH");
    // Key order does not matter for envelopes: the hash is over the canonical form.
    await expect(
      verifier.verify({ ...good, payload: { request_id: "r-1", type: "ping" } }),
    ).resolves.toBeDefined();
  });
});

describe("createVerifier: nonces are burnt only by fully valid messages", () => {
  it("a forged signature, a wrong scope or a swapped payload does not burn the genuine nonce", async () => {
    const { verifier } = setup();
    const good = await envelopeInput();
    const byOther = await signEnvelope(other, ENGINE, PAYLOAD, at(NOW));
    await codeOf(verifier.verify({ ...good, signature: byOther.auth.signature }));
    await codeOf(verifier.verify({ ...good, engineId: "eng_other" }));
    await codeOf(
      verifier.verify({ ...good, payload: { type: "delete_preset", request_id: "r-1", name: "x" } }),
    );
    await expect(verifier.verify(good)).resolves.toBeDefined();
  });

  it("an expired message is not remembered", async () => {
    const cache = new MemoryReplayCache({ now: () => NOW });
    const { verifier } = setup(cache);
    await codeOf(verifier.verify(await envelopeInput({}, NOW - 2 * WINDOW)));
    expect(cache.size).toBe(0);
  });

  it("remembers for twice the window", async () => {
    const calls: number[] = [];
    const cache: ReplayCache = {
      has: () => false,
      checkAndRemember: (_key, ttl) => {
        calls.push(ttl);
        return true;
      },
    };
    await setup(cache).verifier.verify(await envelopeInput());
    expect(calls).toEqual([2 * WINDOW]);
  });

  it("concurrent copies: exactly one is accepted", async () => {
    const { verifier } = setup();
    const good = await envelopeInput();
    const codes = await Promise.all(Array.from({ length: 8 }, () => codeOf(verifier.verify(good))));
    expect(codes.filter((c) => c === undefined)).toHaveLength(1);
    expect(codes.filter((c) => c === "AUTH_REPLAY")).toHaveLength(7);
  });

  it("works with an async (Redis-like) cache, and a failing cache fails closed with INTERNAL", async () => {
    const seen = new Set<string>();
    const asyncCache: ReplayCache = {
      has: async (key) => seen.has(key),
      checkAndRemember: async (key) => {
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      },
    };
    const { verifier } = setup(asyncCache);
    const good = await envelopeInput();
    await expect(verifier.verify(good)).resolves.toBeDefined();
    expect(await codeOf(verifier.verify(good))).toBe("AUTH_REPLAY");

    const broken: ReplayCache = {
      has: async () => {
        throw new Error("redis down");
      },
      checkAndRemember: () => true,
    };
    const err = await setup(broken)
      .verifier.verify(await envelopeInput())
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FloworkError);
    expect((err as FloworkError).code).toBe("INTERNAL");
    expect((err as FloworkError).retryable).toBe(true);
  });
});

describe("createVerifier: the optional authorize hook (rule 7)", () => {
  it("runs after rules 1-6, and a refusal leaves the nonce unremembered", async () => {
    const cache = new MemoryReplayCache({ now: () => NOW });
    const { verifier } = setup(cache);
    const good = await envelopeInput();
    const seen: string[] = [];
    const refuse = (v: { address: string }) => {
      seen.push(v.address);
      assertEngineRole(undefined, "reader");
    };
    expect(await codeOf(verifier.verify({ ...good, authorize: refuse }))).toBe("AUTH_NOT_AUTHORIZED");
    expect(seen).toEqual([signer.address.toLowerCase()]);
    expect(cache.size).toBe(0);
    // Not reached for a message that fails an earlier rule.
    expect(await codeOf(verifier.verify({ ...good, engineId: "other", authorize: refuse }))).toBe(
      "AUTH_SCOPE_MISMATCH",
    );
    expect(seen).toHaveLength(1);
    const allow = async () => {
      assertEngineRole("runner", "runner");
    };
    await expect(verifier.verify({ ...good, authorize: allow })).resolves.toBeDefined();
    expect(cache.size).toBe(1);
  });

  it("a hook that throws something else fails closed with INTERNAL", async () => {
    const { verifier } = setup();
    const good = await envelopeInput();
    const broken = () => {
      throw new Error("db down");
    };
    expect(await codeOf(verifier.verify({ ...good, authorize: broken }))).toBe("INTERNAL");
  });
});

describe("createVerifier: options", () => {
  it("rejects a bad window", () => {
    const replayCache = new MemoryReplayCache();
    expect(() => createVerifier({ recoverer, replayCache, windowMs: 0 })).toThrow(RangeError);
    expect(() => createVerifier({ recoverer, replayCache, windowMs: 1.5 })).toThrow(RangeError);
    expect(createVerifier({ recoverer, replayCache }).windowMs).toBe(300_000);
  });

  it("a message built by hand with the same fields verifies like a signed one", async () => {
    const { verifier } = setup();
    const account = privateKeyToAccount(`0x${"33".repeat(32)}`);
    const message = buildMessage({
      context: "Socket",
      timestamp_ms: NOW,
      address: account.address,
      scope: "gui-socket",
      nonce: "hand-built-nonce-01",
      payload_sha256: EMPTY_SHA256,
    });
    const signature = await account.signMessage({ message });
    const got = await verifier.verify({ context: "Socket", address: account.address, message, signature });
    expect(got.address).toBe(account.address.toLowerCase());
  });
});
