import { httpStatusOf, isErrorCode, signApiRequest } from "@flowork/protocol";
import type { LightMyRequestResponse } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, newSigner, SECRET, startHarness } from "./test-harness.js";

let h: Harness;
let engineId = "";
let engineToken = "";
const owner = newSigner();
beforeAll(async () => {
  h = await startHarness();
  const created = (await h.signed(owner, "POST", "/api/v1/user/engines", { name: "fuzz" })).json();
  engineId = created.id;
  engineToken = created.raw_token;
});
afterAll(() => h.close());

/** Small seeded PRNG (mulberry32) so a failure reproduces. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"] as const;

function routes(): [string, string][] {
  const a = owner.address;
  const e = `/api/v1/user/engines/${engineId}`;
  return [
    ["GET", "/api/v1/system/health"],
    ["GET", "/api/v1/system/info"],
    ["GET", "/api/v1/system/disabled-components"],
    ["PUT", "/api/v1/system/disabled-components"],
    ["POST", "/api/v1/auth/login"],
    ["POST", "/api/v1/auth/logout"],
    ["GET", "/api/v1/user/profile"],
    ["PATCH", "/api/v1/user/profile"],
    ["GET", "/api/v1/user/preferences"],
    ["PATCH", "/api/v1/user/preferences"],
    ["GET", `/api/v1/user/public/${a}`],
    ["GET", "/api/v1/user/engines"],
    ["POST", "/api/v1/user/engines"],
    ["GET", e],
    ["PATCH", e],
    ["POST", `${e}/reset-token`],
    ["GET", `${e}/health`],
    ["GET", `${e}/shares`],
    ["POST", `${e}/shares`],
    ["DELETE", `${e}/shares/${a}`],
    ["POST", "/api/v1/user/engines/claim"],
    ["GET", "/api/v1/user/shared-engines"],
    ["GET", "/api/v1/engine/get-engine-auth-info"],
    ["GET", "/api/v1/billing/plans"],
    ["GET", "/api/v1/billing/subscription"],
    ["POST", "/api/v1/billing/checkout"],
    ["POST", "/api/v1/billing/webhook/manual"],
    ["GET", "/api/v1/billing/usage"],
    ["GET", "/api/v1/billing/invoices"],
    ["GET", "/api/v1/user/license"],
    ["GET", "/api/v1/admin/users"],
    ["PUT", "/api/v1/admin/plans/free"],
    ["POST", `/api/v1/admin/users/${a}/subscription`],
    ["POST", "/api/v1/internal/notify"],
    ["GET", "/api/v1/internal/engines"],
  ];
}

const STRINGS = [
  "",
  "x",
  "0x12",
  "owner",
  "reader",
  "admin",
  "__proto__",
  "constructor",
  "\u0000",
  "é",
  "💥",
  "%00",
];

function randomJson(r: () => number, depth = 0): unknown {
  const k = Math.floor(r() * (depth > 3 ? 5 : 8));
  switch (k) {
    case 0:
      return null;
    case 1:
      return r() < 0.5;
    case 2:
      return [0, -1, 1e308, 3.5, 2 ** 53, Number.MAX_SAFE_INTEGER][Math.floor(r() * 6)];
    case 3:
      return STRINGS[Math.floor(r() * STRINGS.length)];
    case 4:
      return "y".repeat(Math.floor(r() * 300));
    case 5:
      return Array.from({ length: Math.floor(r() * 4) }, () => randomJson(r, depth + 1));
    default: {
      const keys = [
        "name",
        "code",
        "role",
        "address",
        "username",
        "plan_id",
        "duration_months",
        "months",
        "level",
        "title",
        "text",
        "email",
        "bio",
        "theme",
        "event_id",
        "type",
        "checkout_id",
        "extra",
      ];
      const obj: Record<string, unknown> = {};
      for (let i = Math.floor(r() * 5); i > 0; i--)
        obj[keys[Math.floor(r() * keys.length)]!] = randomJson(r, depth + 1);
      return obj;
    }
  }
}

function mutate(r: () => number, text: string): string {
  if (text === "") return text;
  const i = Math.floor(r() * text.length);
  switch (Math.floor(r() * 4)) {
    case 0:
      return text.slice(0, i);
    case 1:
      return text.slice(0, i) + String.fromCharCode(Math.floor(r() * 128)) + text.slice(i + 1);
    case 2:
      return text.slice(0, i) + text.slice(i + 1);
    default:
      return text + text.slice(i);
  }
}

const ERROR_STATUSES = new Set([400, 401, 402, 403, 404, 409, 413, 429, 503, 504]);

/**
 * The answer is a success, the health 503, or a catalogue error with its own status, never INTERNAL and never a
 * stack trace. Returns the code (or `2xx`) for the tally.
 */
function checkAnswer(res: LightMyRequestResponse, method: string, what: string): string {
  expect(res.body, what).not.toMatch(/\bat .+:\d+:\d+\)?/); // no stack frames
  if (res.statusCode < 300) return "2xx";
  if (res.statusCode === 503 && res.body.includes('"unhealthy"')) return "unhealthy";
  if (method === "HEAD") {
    expect(ERROR_STATUSES.has(res.statusCode), what).toBe(true); // HEAD answers carry no body
    return `HEAD ${res.statusCode}`;
  }
  let code: unknown;
  try {
    code = (JSON.parse(res.body) as { error?: { code?: unknown } }).error?.code;
  } catch {
    code = undefined;
  }
  expect(isErrorCode(code), `${what} -> ${res.statusCode} ${res.body.slice(0, 200)}`).toBe(true);
  expect(code, what).not.toBe("INTERNAL");
  expect(res.statusCode, what).toBe(httpStatusOf(code as Parameters<typeof httpStatusOf>[0]));
  return String(code);
}

describe("fuzz", () => {
  it("answers thousands of random requests with spec error codes only", async () => {
    const r = rng(20_240_601);
    const table = routes();
    const stranger = newSigner();
    const tally = new Map<string, number>();
    for (let i = 0; i < 3000; i++) {
      const [routeMethod, routeUrl] = table[Math.floor(r() * table.length)]!;
      const method = r() < 0.2 ? METHODS[Math.floor(r() * METHODS.length)]! : routeMethod;
      let url = routeUrl;
      if (r() < 0.25) url = mutate(r, url);
      if (!url.startsWith("/")) url = `/${url}`;
      if (r() < 0.1) url += `?q=${encodeURIComponent(String(randomJson(r)))}`;
      let body: string | undefined;
      const shape = r();
      if (shape < 0.5) body = JSON.stringify(randomJson(r));
      else if (shape < 0.7) body = mutate(r, JSON.stringify(randomJson(r)) ?? "");
      else if (shape < 0.72) body = "[".repeat(5000);
      if (method === "GET" || method === "HEAD") body = undefined;
      const headers: Record<string, string> = {};
      if (body !== undefined) headers["content-type"] = r() < 0.9 ? "application/json" : "text/plain";
      const auth = r();
      if (auth < 0.4) {
        const signer = r() < 0.7 ? owner : stranger;
        const signedUrl = r() < 0.1 ? table[Math.floor(r() * table.length)]![1] : url;
        try {
          const signed = await signApiRequest(
            signer,
            method,
            signedUrl,
            r() < 0.85 ? body : mutate(r, body ?? "x"),
            {
              now: () => h.clock.now,
            },
          );
          Object.assign(headers, signed);
          if (r() < 0.15) headers["X-Signed-Message"] = mutate(r, signed["X-Signed-Message"]);
          if (r() < 0.1) headers["X-Signature"] = mutate(r, signed["X-Signature"]);
        } catch {
          // not signable (a mutated path): send it unsigned
        }
      } else if (auth < 0.5) headers["x-engine-token"] = r() < 0.6 ? engineToken : mutate(r, engineToken);
      else if (auth < 0.6) headers["x-api-key"] = r() < 0.6 ? SECRET : mutate(r, SECRET);
      else if (auth < 0.65) headers["x-flowork-webhook-signature"] = `sha256=${"0".repeat(64)}`;
      let res: LightMyRequestResponse;
      try {
        res = await h.app.inject({ method, url, headers, ...(body === undefined ? {} : { payload: body }) });
      } catch {
        continue; // light-my-request refused to build the request (e.g. an invalid header): nothing reached the app
      }
      const seen = checkAnswer(res, method, `#${i} ${method} ${url} ${body?.slice(0, 80) ?? ""}`);
      tally.set(seen, (tally.get(seen) ?? 0) + 1);
    }
    // the loop reached past auth and validation, not only the front door
    for (const code of [
      "2xx",
      "NOT_FOUND",
      "BAD_REQUEST",
      "VALIDATION_FAILED",
      "AUTH_MISSING",
      "AUTH_SCOPE_MISMATCH",
    ]) {
      expect(tally.get(code) ?? 0, `${code} in ${JSON.stringify([...tally])}`).toBeGreaterThan(0);
    }
  }, 120_000);
});
