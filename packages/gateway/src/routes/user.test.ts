import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codeOf, type Harness, newSigner, startHarness } from "../http/test-harness.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

describe("/auth", () => {
  it("login creates the user on first login and returns the profile", async () => {
    const signer = newSigner();
    const address = signer.address.toLowerCase();
    const res = await h.signed(signer, "POST", "/api/v1/auth/login");
    expect(res.statusCode).toBe(200);
    const { user } = res.json();
    expect(user.public_address).toBe(address);
    expect(user.username).toMatch(/^user_[0-9a-f]{6}_[0-9a-f]{4}$/);
    expect(user.permissions).toEqual([]);
    // logging in again returns the same user; an empty object body is fine too
    const again = await h.signed(signer, "POST", "/api/v1/auth/login", {});
    expect(again.json().user.created_at).toBe(user.created_at);
  });

  it("login of an operator lists the admin permission", async () => {
    const res = await h.signed(h.admin, "POST", "/api/v1/auth/login");
    expect(res.json().user.permissions).toContain("admin");
  });

  it("logout answers a message; unknown body fields are refused", async () => {
    const res = await h.signed(newSigner(), "POST", "/api/v1/auth/logout");
    expect([res.statusCode, typeof res.json().message]).toEqual([200, "string"]);
    const bad = await h.signed(newSigner(), "POST", "/api/v1/auth/logout", { session: "x" });
    expect(codeOf(bad)).toBe("VALIDATION_FAILED");
  });
});

describe("/user/profile and /user/public", () => {
  it("gets and patches the profile; public shows the public part by address or username", async () => {
    const signer = newSigner();
    const got = await h.signed(signer, "GET", "/api/v1/user/profile");
    expect(got.json()).toMatchObject({ public_address: signer.address.toLowerCase(), tier: "enterprise" });
    const patch = {
      username: `alice_${Date.now() % 100000}`,
      name: "Alice",
      bio: "hi",
      email: "a@example.com",
    };
    const patched = await h.signed(signer, "PATCH", "/api/v1/user/profile", patch);
    expect([patched.statusCode, patched.json()]).toEqual([200, expect.objectContaining(patch)]);
    const cleared = await h.signed(signer, "PATCH", "/api/v1/user/profile", { bio: null });
    expect(cleared.json().bio).toBeNull();

    for (const key of [patch.username, signer.address.toUpperCase().replace("0X", "0x")]) {
      const pub = await h.app.inject(`/api/v1/user/public/${key}`);
      expect(pub.statusCode).toBe(200);
      expect(pub.json()).toEqual({
        public_address: signer.address.toLowerCase(),
        username: patch.username,
        name: "Alice",
        bio: null,
        avatar: null,
        created_at: expect.any(String),
      });
    }
    expect(codeOf(await h.app.inject("/api/v1/user/public/nobody_here"))).toBe("NOT_FOUND");
  });

  it("refuses a bad username, an unknown field, and a taken username", async () => {
    const a = newSigner();
    const b = newSigner();
    const bad = await h.signed(a, "PATCH", "/api/v1/user/profile", { username: "No Caps!" });
    expect(codeOf(bad)).toBe("VALIDATION_FAILED");
    expect(bad.json().error.details.issues[0]).toEqual({
      path: ["body", "username"],
      code: "invalid_format",
      message: expect.any(String),
    });
    const unknown = await h.signed(a, "PATCH", "/api/v1/user/profile", { role: "admin" });
    expect(codeOf(unknown)).toBe("VALIDATION_FAILED");
    expect(unknown.json().error.details.issues[0].code).toBe("unrecognized_keys");
    const name = `taken_${Date.now() % 100000}`;
    expect((await h.signed(a, "PATCH", "/api/v1/user/profile", { username: name })).statusCode).toBe(200);
    const taken = await h.signed(b, "PATCH", "/api/v1/user/profile", { username: name });
    expect([taken.statusCode, codeOf(taken)]).toEqual([409, "CONFLICT"]);
  });
});

describe("/user/preferences", () => {
  it("starts empty and merges on PATCH (null deletes)", async () => {
    const s = newSigner();
    expect((await h.signed(s, "GET", "/api/v1/user/preferences")).json()).toEqual({});
    await h.signed(s, "PATCH", "/api/v1/user/preferences", {
      theme: "dark",
      editor: { grid: true, zoom: 1 },
    });
    const merged = await h.signed(s, "PATCH", "/api/v1/user/preferences", {
      editor: { zoom: 2 },
      theme: null,
    });
    expect(merged.json()).toEqual({ editor: { grid: true, zoom: 2 } });
    expect((await h.signed(s, "GET", "/api/v1/user/preferences")).json()).toEqual({
      editor: { grid: true, zoom: 2 },
    });
  });

  it("refuses a non-object and more than 64 KiB", async () => {
    const s = newSigner();
    expect(codeOf(await h.signed(s, "PATCH", "/api/v1/user/preferences", [1, 2]))).toBe("VALIDATION_FAILED");
    const big = await h.signed(s, "PATCH", "/api/v1/user/preferences", { blob: "x".repeat(70_000) });
    expect([big.statusCode, codeOf(big)]).toEqual([413, "PAYLOAD_TOO_LARGE"]);
  });
});

describe("/user/license", () => {
  it("returns a signed license for the caller", async () => {
    const s = newSigner();
    const res = await h.signed(s, "GET", "/api/v1/user/license");
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.data).toMatchObject({ public_address: s.address.toLowerCase(), tier: "enterprise" });
    expect(body.data.license_id).toMatch(/^flw-lic-/);
    expect(typeof body.signature).toBe("string");
  });
});
