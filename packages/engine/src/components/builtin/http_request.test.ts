import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import { FloworkError, ManifestSchema } from "@flowork/protocol";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createComponentHarness, type HarnessOptions } from "../../testing/harness.js";
import type { ComponentResult } from "../types.js";
import { httpRequest } from "./http_request.js";

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;
const routes = new Map<string, Handler>();
const hits: {
  method: string;
  url: string;
  host: string;
  body: string;
  headers: IncomingMessage["headers"];
}[] = [];
let server: Server;
let base: string;
let port: number;

const json = (res: ServerResponse, status: number, value: unknown) => {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(value));
};

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      hits.push({
        method: req.method ?? "",
        url: req.url ?? "",
        host: req.headers.host ?? "",
        body,
        headers: req.headers,
      });
      const handler = routes.get(new URL(req.url ?? "/", "http://x").pathname);
      if (handler) handler(req, res, body);
      else json(res, 404, { error: "no route" });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
  routes.set("/json", (_q, res) => json(res, 200, { hello: "world" }));
  routes.set("/text", (_q, res) =>
    res.writeHead(200, { "content-type": "text/plain; charset=utf-8" }).end("plain ü"),
  );
  routes.set("/echo", (req, res, body) =>
    json(res, 200, { method: req.method, body, type: req.headers["content-type"] ?? null }),
  );
  routes.set("/gzip", (_q, res) =>
    res
      .writeHead(200, { "content-type": "application/json", "content-encoding": "gzip" })
      .end(gzipSync('{"zipped":true}')),
  );
  routes.set("/binary", (_q, res) =>
    res.writeHead(200, { "content-type": "image/png" }).end(Buffer.from([0, 1, 2, 255])),
  );
  routes.set("/status/503", (_q, res) => json(res, 503, { error: "down" }));
  routes.set("/status/429", (_q, res) => res.writeHead(429, { "retry-after": "7" }).end());
  routes.set("/redirect/json", (_q, res) => res.writeHead(302, { location: "/json" }).end());
  routes.set("/redirect/loop", (_q, res) => res.writeHead(302, { location: "/redirect/loop" }).end());
  routes.set("/redirect/post", (_q, res) => res.writeHead(303, { location: "/echo" }).end());
  routes.set("/redirect/metadata", (_q, res) =>
    res.writeHead(302, { location: "http://169.254.169.254/latest/meta-data/" }).end(),
  );
  routes.set("/redirect/internal", (_q, res) =>
    res.writeHead(301, { location: "http://db.internal/secret" }).end(),
  );
  routes.set("/redirect/file", (_q, res) => res.writeHead(302, { location: "file:///etc/passwd" }).end());
  routes.set("/slow", () => {
    // never answers
  });
  routes.set("/huge", (_q, res) => {
    res.writeHead(200, { "content-type": "text/plain" });
    res.end(Buffer.alloc(10 * 1024 * 1024 + 1, 97));
  });
  routes.set("/huge-declared", (_q, res) => {
    res.writeHead(200, { "content-type": "text/plain", "content-length": String(50 * 1024 * 1024) });
    res.write("a");
  });
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  hits.length = 0;
});

const payloadOf = (result: ComponentResult) => {
  if ("emits" in result) throw new Error("expected one emission");
  return result.payload;
};

function harness(config: Record<string, unknown>, options: Omit<HarnessOptions, "config"> = {}) {
  return createComponentHarness({ settings: { http_allowed_hosts: ["127.0.0.1"] }, ...options, config });
}

async function run(config: Record<string, unknown>, options: Omit<HarnessOptions, "config"> = {}) {
  return payloadOf(await harness(config, options).run(httpRequest, {}));
}

async function failure(config: Record<string, unknown>, options: Omit<HarnessOptions, "config"> = {}) {
  const err = await harness(config, options)
    .run(httpRequest, {})
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  expect(err).toBeInstanceOf(FloworkError);
  return err as FloworkError;
}

describe("http_request against a local server", () => {
  it("has a valid manifest with side effects and a simulate_output", () => {
    expect(ManifestSchema.safeParse(httpRequest.manifest).success).toBe(true);
    expect(httpRequest.manifest.side_effects).toBe(true);
  });

  it("parses a JSON response", async () => {
    const out = await run({ url: `${base}/json` });
    expect(out).toMatchObject({ status: 200, body: { hello: "world" } });
    expect((out as { headers: Record<string, string> }).headers["content-type"]).toBe("application/json");
  });

  it("returns text for a text response", async () => {
    expect(await run({ url: `${base}/text` })).toMatchObject({ status: 200, body: "plain ü" });
  });

  it("decompresses gzip and returns binary bodies as base64", async () => {
    expect(await run({ url: `${base}/gzip` })).toMatchObject({ body: { zipped: true } });
    expect(await run({ url: `${base}/binary` })).toMatchObject({
      body: Buffer.from([0, 1, 2, 255]).toString("base64"),
    });
  });

  it("sends a JSON body with its content type, and headers", async () => {
    const out = await run({ url: `${base}/echo`, method: "post", body: { a: 1 }, headers: { "X-Test": 42 } });
    expect(out).toMatchObject({ body: { method: "POST", body: '{"a":1}', type: "application/json" } });
    expect(hits[0]?.headers["x-test"]).toBe("42");
  });

  it("sends a text body verbatim", async () => {
    const out = await run({ url: `${base}/echo`, method: "PUT", body: "hi there" });
    expect(out).toMatchObject({
      body: { method: "PUT", body: "hi there", type: "text/plain;charset=utf-8" },
    });
  });

  it("drops the body of a GET with a warning", async () => {
    const h = harness({ url: `${base}/echo`, body: { a: 1 } });
    expect(payloadOf(await h.run(httpRequest))).toMatchObject({
      body: { method: "GET", body: "", type: null },
    });
    expect(h.logs.some((l) => l.level === "WARN")).toBe(true);
  });

  it("fails a 404 with a non-retryable HTTP_ERROR", async () => {
    const err = await failure({ url: `${base}/missing` });
    expect(err).toMatchObject({ code: "HTTP_ERROR", retryable: false });
    expect(err.details).toMatchObject({ status: 404 });
  });

  it("fails a 503 and a 429 with a retryable HTTP_ERROR", async () => {
    expect(await failure({ url: `${base}/status/503` })).toMatchObject({
      code: "HTTP_ERROR",
      retryable: true,
    });
    const limited = await failure({ url: `${base}/status/429` });
    expect(limited).toMatchObject({ code: "HTTP_ERROR", retryable: true });
    expect(limited.details).toMatchObject({ status: 429, retry_after: "7" });
  });

  it("follows redirects, turning a 303 after POST into a GET", async () => {
    expect(await run({ url: `${base}/redirect/json` })).toMatchObject({
      status: 200,
      body: { hello: "world" },
    });
    const out = await run({ url: `${base}/redirect/post`, method: "POST", body: { a: 1 } });
    expect(out).toMatchObject({ body: { method: "GET", body: "" } });
  });

  it("gives up after 5 redirects", async () => {
    const err = await failure({ url: `${base}/redirect/loop` });
    expect(err).toMatchObject({ code: "HTTP_ERROR", retryable: false });
    expect(hits).toHaveLength(6);
  });

  it("refuses a redirect to the cloud metadata address", async () => {
    const err = await failure({ url: `${base}/redirect/metadata` });
    expect(err).toMatchObject({ code: "SANDBOX_VIOLATION", retryable: false });
    expect(err.details).toMatchObject({ address: "169.254.169.254", kind: "link_local" });
  });

  it("refuses a redirect to a private name that is not allowed", async () => {
    const services = { lookup: async () => [{ address: "10.0.0.7", family: 4 }] };
    const err = await failure({ url: `${base}/redirect/internal` }, { services });
    expect(err).toMatchObject({ code: "SANDBOX_VIOLATION" });
    expect(hits).toHaveLength(1);
  });

  it("refuses a redirect to a non-http scheme", async () => {
    expect(await failure({ url: `${base}/redirect/file` })).toMatchObject({ code: "SANDBOX_VIOLATION" });
  });

  it("refuses loopback when it is not in http_allowed_hosts", async () => {
    const err = await failure({ url: `${base}/json` }, { settings: { http_allowed_hosts: [] } });
    expect(err).toMatchObject({ code: "SANDBOX_VIOLATION" });
    expect(err.message).toContain("http_allowed_hosts");
    expect(hits).toHaveLength(0);
  });

  it("connects to the checked address, not a fresh DNS answer (pinning)", async () => {
    const lookups: string[] = [];
    const services = {
      lookup: async (host: string) => {
        lookups.push(host);
        return [{ address: "127.0.0.1", family: 4 }];
      },
    };
    const out = await run(
      { url: `http://pinned.flowork.invalid:${port}/json` },
      { services, settings: { http_allowed_hosts: ["pinned.flowork.invalid"] } },
    );
    expect(out).toMatchObject({ status: 200 });
    expect(lookups).toEqual(["pinned.flowork.invalid"]);
    expect(hits[0]?.host).toBe(`pinned.flowork.invalid:${port}`);
  });

  it("times out with a retryable HTTP_ERROR", async () => {
    const err = await failure({ url: `${base}/slow`, timeout_seconds: 0.2 });
    expect(err).toMatchObject({ code: "HTTP_ERROR", retryable: true });
    expect(err.details).toMatchObject({ reason: "timeout" });
  });

  it("rethrows the abort reason when the run stops it", async () => {
    const controller = new AbortController();
    const reason = new FloworkError("NODE_TIMEOUT", "stopped by the runtime");
    setTimeout(() => controller.abort(reason), 50);
    const err = await failure({ url: `${base}/slow` }, { signal: controller.signal });
    expect(err).toBe(reason);
  });

  it("caps the response size", async () => {
    expect(await failure({ url: `${base}/huge` })).toMatchObject({ code: "PAYLOAD_TOO_LARGE" });
    expect(await failure({ url: `${base}/huge-declared` })).toMatchObject({ code: "PAYLOAD_TOO_LARGE" });
  });

  it("does not touch the network in SIMULATE", async () => {
    const out = await run({ url: `${base}/json` }, { mode: "SIMULATE" });
    expect(out).toEqual({ status: 200, headers: {}, body: { simulated: true } });
    expect(hits).toHaveLength(0);
  });
});

describe("http_request refusals (fake DNS)", () => {
  const blocked: [string, string][] = [
    ["loopback", "127.0.0.1"],
    ["loopback range", "127.8.9.10"],
    ["10/8", "10.1.2.3"],
    ["172.16/12", "172.20.0.1"],
    ["192.168/16", "192.168.0.10"],
    ["link-local", "169.254.10.10"],
    ["cloud metadata", "169.254.169.254"],
    ["CGNAT", "100.64.1.1"],
    ["unspecified", "0.0.0.0"],
    ["multicast", "224.0.0.251"],
    ["broadcast", "255.255.255.255"],
    ["IPv6 loopback", "::1"],
    ["IPv6 unspecified", "::"],
    ["unique local fc00::/7", "fd00::1234"],
    ["link-local fe80::/10", "fe80::1"],
    ["IPv6 multicast", "ff02::fb"],
    ["IPv4-mapped loopback", "::ffff:127.0.0.1"],
    ["IPv4-mapped private", "::ffff:192.168.1.1"],
    ["NAT64 of metadata", "64:ff9b::a9fe:a9fe"],
  ];
  it.each(blocked)("refuses %s (%s) without sending anything", async (_name, address) => {
    const calls: string[] = [];
    const services = {
      lookup: async () => [{ address, family: address.includes(":") ? 6 : 4 }],
      fetch: (async (input: string | URL | Request) => {
        calls.push(String(input));
        return new Response("should not happen");
      }) as typeof fetch,
    };
    const err = await failure(
      { url: "https://victim.example/" },
      { services, settings: { http_allowed_hosts: [] } },
    );
    expect(err).toMatchObject({ code: "SANDBOX_VIOLATION", retryable: false });
    expect(calls).toEqual([]);
  });

  it("lets a public address through to the injected fetch", async () => {
    const calls: { url: string; redirect: string | undefined }[] = [];
    const services = {
      lookup: async () => [{ address: "93.184.216.34", family: 4 }],
      fetch: (async (input: string | URL | Request, init?: RequestInit) => {
        calls.push({ url: String(input), redirect: init?.redirect });
        return Response.json({ ok: true });
      }) as typeof fetch,
    };
    const out = await run({ url: "https://public.example/api" }, { services });
    expect(out).toMatchObject({ status: 200, body: { ok: true } });
    expect(calls).toEqual([{ url: "https://public.example/api", redirect: "manual" }]);
  });

  it("re-checks a redirect returned through the injected fetch", async () => {
    const services = {
      lookup: async (host: string) => [
        { address: host === "public.example" ? "93.184.216.34" : "10.0.0.1", family: 4 },
      ],
      fetch: (async () =>
        new Response(null, {
          status: 302,
          headers: { location: "http://intranet.example/" },
        })) as typeof fetch,
    };
    expect(await failure({ url: "https://public.example/" }, { services })).toMatchObject({
      code: "SANDBOX_VIOLATION",
    });
  });

  it("rejects a bad method or header before sending", async () => {
    expect(await failure({ url: `${base}/json`, method: "TRACE" })).toMatchObject({
      code: "VALIDATION_FAILED",
    });
    expect(await failure({ url: `${base}/json`, headers: { "X-Bad": "a\r\nInjected: 1" } })).toMatchObject({
      code: "VALIDATION_FAILED",
    });
    expect(hits).toHaveLength(0);
  });

  it("validates a literal URL at workflow validation time", () => {
    expect(httpRequest.validateConfig?.({ url: "ftp://x" })).toHaveLength(1);
    expect(httpRequest.validateConfig?.({ url: "{{payload.url}}" })).toEqual([]);
    expect(httpRequest.validateConfig?.({ url: "https://example.com" })).toEqual([]);
  });
});
