import { signApiRequest } from "@flowork/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codeOf, type Harness, newSigner, SECRET, startHarness } from "./test-harness.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const PROFILE = "/api/v1/user/profile";

describe("signed user requests", () => {
  it("accepts a genuine signature", async () => {
    const res = await h.signed(newSigner(), "GET", PROFILE);
    expect(res.statusCode).toBe(200);
  });

  it("AUTH_MISSING without headers", async () => {
    const res = await h.app.inject({ method: "GET", url: PROFILE });
    expect([res.statusCode, codeOf(res)]).toEqual([401, "AUTH_MISSING"]);
  });

  it("AUTH_MALFORMED for a bad address, message or signature", async () => {
    const good = await signApiRequest(newSigner(), "GET", PROFILE);
    for (const patch of [
      { "X-User-Address": "0x123" },
      { "X-Signed-Message": "hello" },
      { "X-Signature": "0xdeadbeef" },
    ]) {
      const res = await h.app.inject({ method: "GET", url: PROFILE, headers: { ...good, ...patch } });
      expect([res.statusCode, codeOf(res)]).toEqual([401, "AUTH_MALFORMED"]);
    }
  });

  it("AUTH_INVALID_SIGNATURE for a forged signature", async () => {
    const victim = newSigner();
    const forger = newSigner();
    const forged = await signApiRequest(forger, "GET", PROFILE);
    const message = forged["X-Signed-Message"].replace(
      forger.address.toLowerCase(),
      victim.address.toLowerCase(),
    );
    const res = await h.app.inject({
      method: "GET",
      url: PROFILE,
      headers: { ...forged, "X-User-Address": victim.address, "X-Signed-Message": message },
    });
    expect([res.statusCode, codeOf(res)]).toEqual([401, "AUTH_INVALID_SIGNATURE"]);
  });

  it("AUTH_EXPIRED outside the window", async () => {
    const old = await signApiRequest(newSigner(), "GET", PROFILE, undefined, {
      now: () => h.clock.now - 600_000,
    });
    const res = await h.app.inject({ method: "GET", url: PROFILE, headers: { ...old } });
    expect([res.statusCode, codeOf(res)]).toEqual([401, "AUTH_EXPIRED"]);
  });

  it("AUTH_REPLAY for the same message twice", async () => {
    const headers = await signApiRequest(newSigner(), "GET", PROFILE, undefined, { now: () => h.clock.now });
    expect((await h.app.inject({ method: "GET", url: PROFILE, headers: { ...headers } })).statusCode).toBe(
      200,
    );
    const again = await h.app.inject({ method: "GET", url: PROFILE, headers: { ...headers } });
    expect([again.statusCode, codeOf(again)]).toEqual([401, "AUTH_REPLAY"]);
  });

  it("AUTH_SCOPE_MISMATCH for another route, method or query string", async () => {
    const signer = newSigner();
    const cases: [string, string, string][] = [
      ["GET", "/api/v1/user/engines", PROFILE],
      ["GET", "/api/v1/user/profile?x=1", PROFILE],
      ["POST", "/api/v1/auth/logout", "/api/v1/auth/login"],
    ];
    for (const [method, url, signedUrl] of cases) {
      const res = await h.signed(signer, method, url, undefined, { signedUrl });
      expect([url, res.statusCode, codeOf(res)]).toEqual([url, 401, "AUTH_SCOPE_MISMATCH"]);
    }
  });

  it("AUTH_PAYLOAD_MISMATCH when the body is changed after signing", async () => {
    const res = await h.signed(newSigner(), "POST", "/api/v1/user/engines", '{"name":"evil"}', {
      signedBody: '{"name":"good"}',
    });
    expect([res.statusCode, codeOf(res)]).toEqual([401, "AUTH_PAYLOAD_MISMATCH"]);
    // whitespace counts: the hash is over the raw bytes, not the parsed JSON
    const spaced = await h.signed(newSigner(), "POST", "/api/v1/user/engines", '{"name": "good"}', {
      signedBody: '{"name":"good"}',
    });
    expect(codeOf(spaced)).toBe("AUTH_PAYLOAD_MISMATCH");
  });

  it("hashes the exact raw body, whatever its formatting", async () => {
    const res = await h.signed(newSigner(), "POST", "/api/v1/user/engines", '{ "name" :\n"spaced" }');
    expect(res.statusCode).toBe(201);
  });

  it("AUTH_MALFORMED for an auth header sent twice", async () => {
    const headers = await signApiRequest(newSigner(), "GET", PROFILE, undefined, { now: () => h.clock.now });
    const res = await h.app.inject({
      method: "GET",
      url: PROFILE,
      headers: {
        ...headers,
        "X-Signature": [headers["X-Signature"], headers["X-Signature"]] as unknown as string,
      },
    });
    expect(codeOf(res)).toBe("AUTH_MALFORMED");
  });
});

describe("admin routes", () => {
  it("AUTH_FORBIDDEN_ROLE for a signed user who is not an operator; 200 for one who is", async () => {
    const res = await h.signed(newSigner(), "GET", "/api/v1/admin/users");
    expect([res.statusCode, codeOf(res)]).toEqual([403, "AUTH_FORBIDDEN_ROLE"]);
    expect((await h.signed(h.admin, "GET", "/api/v1/admin/users")).statusCode).toBe(200);
  });
});

describe("engine token", () => {
  const URL = "/api/v1/engine/get-engine-auth-info";
  it("AUTH_MISSING, then AUTH_INVALID_TOKEN for malformed, unknown and reset tokens", async () => {
    expect(codeOf(await h.app.inject({ method: "GET", url: URL }))).toBe("AUTH_MISSING");
    for (const token of ["nope", `dev_engine_${"0".repeat(32)}`]) {
      const res = await h.app.inject({ method: "GET", url: URL, headers: { "x-engine-token": token } });
      expect([res.statusCode, codeOf(res)]).toEqual([401, "AUTH_INVALID_TOKEN"]);
    }
    const owner = newSigner();
    const created = JSON.parse((await h.signed(owner, "POST", "/api/v1/user/engines", { name: "e" })).body);
    const ok = await h.app.inject({
      method: "GET",
      url: URL,
      headers: { "x-engine-token": created.raw_token },
    });
    expect(ok.statusCode).toBe(200);
    const reset = await h.signed(owner, "POST", `/api/v1/user/engines/${created.id}/reset-token`);
    expect(reset.statusCode, reset.body).toBe(200);
    const dead = await h.app.inject({
      method: "GET",
      url: URL,
      headers: { "x-engine-token": created.raw_token },
    });
    expect(codeOf(dead)).toBe("AUTH_INVALID_TOKEN");
  });
});

describe("internal API key", () => {
  const URL = "/api/v1/internal/engines";
  it("AUTH_MISSING without a key, AUTH_INVALID_API_KEY for a wrong one, 200 with the right one", async () => {
    expect(codeOf(await h.app.inject({ method: "GET", url: URL }))).toBe("AUTH_MISSING");
    const wrong = await h.app.inject({ method: "GET", url: URL, headers: { "x-api-key": `${SECRET}x` } });
    expect([wrong.statusCode, codeOf(wrong)]).toEqual([401, "AUTH_INVALID_API_KEY"]);
    const ok = await h.app.inject({ method: "GET", url: URL, headers: { "x-api-key": SECRET } });
    expect(ok.statusCode).toBe(200);
  });

  it("refuses every key when GATEWAY_SECRET_TOKEN is unset", async () => {
    const open = await startHarness({ env: { GATEWAY_SECRET_TOKEN: "" } });
    try {
      const res = await open.app.inject({ method: "GET", url: URL, headers: { "x-api-key": "" + "x" } });
      expect(codeOf(res)).toBe("AUTH_INVALID_API_KEY");
    } finally {
      await open.close();
    }
  });
});

describe("rate limits", () => {
  it("RATE_LIMITED with Retry-After per address, without burning the nonce", async () => {
    const limited = await startHarness({
      deps: { rateLimit: { perIp: false, perCaller: { ratePerSecond: 1, burst: 2 } } },
    });
    try {
      const signer = newSigner();
      expect((await limited.signed(signer, "GET", PROFILE)).statusCode).toBe(200);
      expect((await limited.signed(signer, "GET", PROFILE)).statusCode).toBe(200);
      const headers = await signApiRequest(signer, "GET", PROFILE, undefined, {
        now: () => limited.clock.now,
      });
      const res = await limited.app.inject({ method: "GET", url: PROFILE, headers: { ...headers } });
      expect([res.statusCode, codeOf(res)]).toEqual([429, "RATE_LIMITED"]);
      expect(Number(res.headers["retry-after"])).toBeGreaterThanOrEqual(1);
      // another address is not affected
      expect((await limited.signed(newSigner(), "GET", PROFILE)).statusCode).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it("RATE_LIMITED per client IP", async () => {
    const limited = await startHarness({ deps: { rateLimit: { perIp: { ratePerSecond: 1, burst: 1 } } } });
    try {
      const from = (remoteAddress: string) =>
        limited.app.inject({ url: "/api/v1/billing/plans", remoteAddress });
      expect((await from("203.0.113.7")).statusCode).toBe(200);
      const res = await from("203.0.113.7");
      expect([res.statusCode, codeOf(res)]).toEqual([429, "RATE_LIMITED"]);
      expect(res.headers["retry-after"]).toBeDefined();
      expect((await from("203.0.113.8")).statusCode).toBe(200); // another client
      expect((await from("127.0.0.1")).statusCode).toBe(200); // loopback (a local proxy) is not IP-limited
    } finally {
      await limited.close();
    }
  });
});
