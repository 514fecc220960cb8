import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codeOf, type Harness, newSigner, startHarness } from "./test-harness.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    deps: {
      engineHealth: async () => {
        throw new Error("socket layer exploded at /secret/path.ts:42");
      },
    },
  });
});
afterAll(() => h.close());

/** Every route of SPEC section 2 (OpenAPI path syntax). */
const SPEC_ROUTES = [
  "get /api/v1/system/health",
  "get /api/v1/system/info",
  "get /api/v1/system/disabled-components",
  "put /api/v1/system/disabled-components",
  "post /api/v1/auth/login",
  "post /api/v1/auth/logout",
  "get /api/v1/user/profile",
  "patch /api/v1/user/profile",
  "get /api/v1/user/preferences",
  "patch /api/v1/user/preferences",
  "get /api/v1/user/public/{address_or_username}",
  "get /api/v1/user/engines",
  "post /api/v1/user/engines",
  "get /api/v1/user/engines/{id}",
  "patch /api/v1/user/engines/{id}",
  "delete /api/v1/user/engines/{id}",
  "post /api/v1/user/engines/{id}/reset-token",
  "get /api/v1/user/engines/{id}/health",
  "get /api/v1/user/shared-engines",
  "get /api/v1/user/engines/{id}/shares",
  "post /api/v1/user/engines/{id}/shares",
  "delete /api/v1/user/engines/{id}/shares/{address}",
  "post /api/v1/user/engines/claim",
  "get /api/v1/engine/get-engine-auth-info",
  "get /api/v1/billing/plans",
  "get /api/v1/billing/subscription",
  "post /api/v1/billing/checkout",
  "post /api/v1/billing/webhook/{provider}",
  "get /api/v1/billing/usage",
  "get /api/v1/billing/invoices",
  "get /api/v1/user/license",
  "get /api/v1/admin/users",
  "put /api/v1/admin/plans/{id}",
  "post /api/v1/admin/users/{address}/subscription",
  "post /api/v1/internal/notify",
  "get /api/v1/internal/engines",
];

describe("OpenAPI and docs", () => {
  it("serves a valid OpenAPI 3.1 JSON document with every route", async () => {
    const res = await h.app.inject("/api/v1/openapi.json");
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toContain("application/json");
    const doc = JSON.parse(res.body) as {
      openapi: string;
      paths: Record<string, Record<string, { responses?: Record<string, unknown>; requestBody?: unknown }>>;
    };
    expect(doc.openapi).toBe("3.1.0");
    const have = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m} ${path}`),
    );
    for (const route of SPEC_ROUTES) expect(have).toContain(route);
    expect(have.some((r) => r.includes("/api/docs"))).toBe(false);
    // strict bodies are documented as closed objects
    const engineBody = JSON.stringify(doc.paths["/api/v1/user/engines"]?.post?.requestBody);
    expect(engineBody).toContain('"additionalProperties":false');
    expect(Object.keys(doc.paths["/api/v1/user/engines"]?.post?.responses ?? {})).toContain("201");
  });

  it("renders docs at /api/docs from local assets (no CDN)", async () => {
    const res = await h.app.inject("/api/docs");
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toContain("text/html");
    expect(res.body).not.toMatch(/https?:\/\/(?!localhost)[a-z0-9.-]+\/[^"']*\.(js|css)/i);
    const css = await h.app.inject("/api/docs/static/swagger-ui.css");
    expect(css.statusCode).toBe(200);
  });
});

describe("errors", () => {
  it("unknown route → 404 NOT_FOUND", async () => {
    for (const url of ["/api/v1/nope", "/", "/api/v2/user/profile"]) {
      const res = await h.app.inject(url);
      expect([res.statusCode, codeOf(res)]).toEqual([404, "NOT_FOUND"]);
    }
  });

  it("bad JSON → 400 BAD_REQUEST; another content type → BAD_REQUEST", async () => {
    const res = await h.app.inject({
      method: "POST",
      url: "/api/v1/user/engines",
      payload: '{"name":',
      headers: { "content-type": "application/json" },
    });
    expect([res.statusCode, codeOf(res)]).toEqual([400, "BAD_REQUEST"]);
    const form = await h.app.inject({
      method: "POST",
      url: "/api/v1/user/engines",
      payload: "name=x",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(codeOf(form)).toBe("BAD_REQUEST");
  });

  it("a body over 1 MiB → 413 PAYLOAD_TOO_LARGE", async () => {
    const res = await h.app.inject({
      method: "POST",
      url: "/api/v1/user/engines",
      payload: JSON.stringify({ name: "x".repeat(1024 * 1024) }),
      headers: { "content-type": "application/json" },
    });
    expect([res.statusCode, codeOf(res)]).toEqual([413, "PAYLOAD_TOO_LARGE"]);
  });

  it("validation issues carry path, code and message, never the value", async () => {
    const secret = "sk-live-should-never-be-echoed";
    const res = await h.signed(newSigner(), "POST", "/api/v1/user/engines", { name: 42, [secret]: secret });
    expect(codeOf(res)).toBe("VALIDATION_FAILED");
    const issues = res.json().error.details.issues as Record<string, unknown>[];
    for (const issue of issues) expect(Object.keys(issue).sort()).toEqual(["code", "message", "path"]);
    expect(issues.map((i) => i.code)).toEqual(expect.arrayContaining(["invalid_type", "unrecognized_keys"]));
    expect(JSON.stringify(issues)).not.toContain("42");
  });

  it("an unexpected error → 500 INTERNAL with a correlation id and no stack or message", async () => {
    const owner = newSigner();
    const engine = (await h.signed(owner, "POST", "/api/v1/user/engines", { name: "e" })).json();
    const res = await h.signed(owner, "GET", `/api/v1/user/engines/${engine.id}/health`);
    expect([res.statusCode, codeOf(res)]).toEqual([500, "INTERNAL"]);
    expect(res.json().error.details.correlation_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.body).not.toContain("exploded");
    expect(res.body).not.toContain(".ts");
    // ...but the server log has the error under the same correlation id
    const reported = h.internalErrors.find(
      (r) => r.correlation_id === res.json().error.details.correlation_id,
    );
    expect(String((reported?.error as Error | undefined)?.message)).toContain("exploded");
  });

  it("a malformed URL → 400 BAD_REQUEST", async () => {
    const res = await h.app.inject("/api/v1/user/public/%E0%A4%A");
    expect([res.statusCode, codeOf(res)]).toEqual([400, "BAD_REQUEST"]);
  });
});
