import { FloworkError } from "@flowork/protocol";
import { describe, expect, it } from "vitest";
import { type GuardedFetchOptions, guardedFetch, httpStatusError } from "./guarded-fetch.js";

interface Call {
  url: string;
  method: string | undefined;
  headers: Record<string, string>;
  body: unknown;
}

/** A scripted fetch: answers each call with the next response, recording what was asked. */
function scripted(responses: Response[]) {
  const calls: Call[] = [];
  const fetchImpl = (async (input: string | URL | Request, init?: RequestInit) => {
    calls.push({
      url: String(input),
      method: init?.method,
      headers: { ...(init?.headers as Record<string, string>) },
      body: init?.body,
    });
    const next = responses.shift();
    if (!next) throw new Error("no more responses");
    return next;
  }) as typeof fetch;
  return { calls, fetchImpl };
}

const options = (fetchImpl: typeof fetch, extra: Partial<GuardedFetchOptions> = {}): GuardedFetchOptions => ({
  allowedHosts: [],
  lookup: async () => [{ address: "93.184.216.34", family: 4 }],
  signal: new AbortController().signal,
  timeoutMs: 5000,
  fetch: fetchImpl,
  ...extra,
});

const redirect = (status: number, location: string) => new Response(null, { status, headers: { location } });

describe("guardedFetch", () => {
  it("keeps method and body on 307, and drops credentials when the origin changes", async () => {
    const { calls, fetchImpl } = scripted([redirect(307, "https://other.example/b"), new Response("ok")]);
    const res = await guardedFetch(
      {
        url: "https://a.example/a",
        method: "PUT",
        headers: { authorization: "Bearer x", cookie: "c=1", "x-keep": "1" },
        body: "data",
      },
      options(fetchImpl),
    );
    expect(res.status).toBe(200);
    expect(res.url.href).toBe("https://other.example/b");
    expect(calls[1]).toEqual({
      url: "https://other.example/b",
      method: "PUT",
      headers: { "x-keep": "1" },
      body: "data",
    });
  });

  it("keeps credentials on a same-origin redirect", async () => {
    const { calls, fetchImpl } = scripted([redirect(302, "/next"), new Response("ok")]);
    await guardedFetch(
      { url: "https://a.example/", method: "GET", headers: { authorization: "k" } },
      options(fetchImpl),
    );
    expect(calls[1]).toMatchObject({ url: "https://a.example/next", headers: { authorization: "k" } });
  });

  it("turns a 301 after POST into a GET without body or content headers", async () => {
    const { calls, fetchImpl } = scripted([redirect(301, "/moved"), new Response("ok")]);
    await guardedFetch(
      {
        url: "https://a.example/",
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{}",
      },
      options(fetchImpl),
    );
    expect(calls[1]).toEqual({ url: "https://a.example/moved", method: "GET", headers: {}, body: undefined });
  });

  it("applies maxBytes", async () => {
    const { fetchImpl } = scripted([new Response("x".repeat(101))]);
    const err = await guardedFetch(
      { url: "https://a.example/", method: "GET", headers: {} },
      options(fetchImpl, { maxBytes: 100 }),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FloworkError);
    expect(err).toMatchObject({ code: "PAYLOAD_TOO_LARGE" });
  });

  it("turns a network failure into a retryable HTTP_ERROR", async () => {
    const fetchImpl = (async () => {
      throw new TypeError("fetch failed", {
        cause: Object.assign(new Error("refused"), { code: "ECONNREFUSED" }),
      });
    }) as typeof fetch;
    const err = await guardedFetch(
      { url: "https://a.example/", method: "GET", headers: {} },
      options(fetchImpl),
    ).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "HTTP_ERROR", retryable: true, details: { reason: "ECONNREFUSED" } });
  });

  it("refuses an invalid URL as a validation failure", async () => {
    const { calls, fetchImpl } = scripted([]);
    const err = await guardedFetch(
      { url: "not a url", method: "GET", headers: {} },
      options(fetchImpl),
    ).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "VALIDATION_FAILED" });
    expect(calls).toEqual([]);
  });

  it("builds status errors without the query string, retryable for 5xx/429/408 only", () => {
    const response = (status: number) => ({
      status,
      statusText: "",
      headers: {},
      body: Buffer.from("oops"),
      url: new URL("https://a.example/p?key=secret"),
    });
    expect(httpStatusError(response(500))).toMatchObject({
      retryable: true,
      details: { url: "https://a.example/p" },
    });
    expect(httpStatusError(response(408)).retryable).toBe(true);
    expect(httpStatusError(response(403)).retryable).toBe(false);
    expect(httpStatusError(response(403)).message).not.toContain("secret");
  });
});
