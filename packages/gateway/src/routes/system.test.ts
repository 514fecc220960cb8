import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codeOf, type Harness, newSigner, startHarness } from "../http/test-harness.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

describe("/system", () => {
  it("health pings the database", async () => {
    const res = await h.app.inject("/api/v1/system/health");
    expect([res.statusCode, res.json()]).toEqual([200, { status: "healthy", database: "connected" }]);
  });

  it("health answers 503 unhealthy when the database does not answer", async () => {
    const down = await startHarness({ deps: { pingDatabase: async () => false } });
    try {
      const res = await down.app.inject("/api/v1/system/health");
      expect([res.statusCode, res.json()]).toEqual([503, { status: "unhealthy", database: "disconnected" }]);
    } finally {
      await down.close();
    }
  });

  it("info names the version, billing, window and license key", async () => {
    const body = (await h.app.inject("/api/v1/system/info")).json();
    expect(body).toMatchObject({
      version: h.config.version,
      billing_enabled: false,
      auth_window_ms: 300_000,
    });
    expect(body.license_public_key).toContain("PUBLIC KEY");
  });

  it("disabled components: public read, operator write (array or object form)", async () => {
    expect((await h.app.inject("/api/v1/system/disabled-components")).json()).toEqual([]);
    const url = "/api/v1/system/disabled-components";
    expect(codeOf(await h.signed(newSigner(), "PUT", url, ["shell_command"]))).toBe("AUTH_FORBIDDEN_ROLE");
    const put = await h.signed(h.admin, "PUT", url, ["shell_command"]);
    expect([put.statusCode, put.json()]).toEqual([200, ["shell_command"]]);
    const put2 = await h.signed(h.admin, "PUT", url, { disabled_components: ["llm_chat", "shell_command"] });
    expect(put2.statusCode).toBe(200);
    expect((await h.app.inject(url)).json()).toEqual(expect.arrayContaining(["llm_chat", "shell_command"]));
    expect(codeOf(await h.signed(h.admin, "PUT", url, { disabled_components: [], extra: 1 }))).toBe(
      "VALIDATION_FAILED",
    );
  });
});
