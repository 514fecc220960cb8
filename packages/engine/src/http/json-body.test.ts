import { createServer, type IncomingMessage, request, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { connect } from "node:net";
import { FloworkError } from "@flowork/protocol";
import { afterEach, describe, expect, it, vi } from "vitest";
import { decodeBody, isJsonContentType, readBody, sendError, sendJson } from "./json-body.js";

type Handler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

const servers: { close(): Promise<void> }[] = [];

async function serve(handler: Handler): Promise<{ port: number; url: string }> {
  const server = createServer((req, res) => {
    void handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  servers.push({
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
  const { port } = server.address() as AddressInfo;
  return { port, url: `http://127.0.0.1:${port}` };
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** A server that reads the body and echoes what it got, or the error through sendError. */
async function echo(limitBytes?: number, onInternal = vi.fn()) {
  const seen: unknown[] = [];
  const started = { count: 0 };
  const srv = await serve(async (req, res) => {
    started.count++;
    try {
      const body = await readBody(req, limitBytes === undefined ? {} : { limitBytes });
      seen.push(body);
      sendJson(res, 200, body.kind === "json" ? { json: body.value } : { text: body.text });
    } catch (err) {
      seen.push(err);
      sendError(res, err, { onInternal });
    }
  });
  return { ...srv, seen, started, onInternal };
}

async function post(url: string, body: string | Buffer, contentType?: string) {
  const res = await fetch(url, {
    method: "POST",
    body,
    headers: contentType === undefined ? {} : { "Content-Type": contentType },
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

describe("readBody", () => {
  it("parses JSON for application/json and +json types", async () => {
    const { url } = await echo();
    expect((await post(url, '{"a":[1,"é"]}', "application/json; charset=utf-8")).body).toEqual({
      json: { a: [1, "é"] },
    });
    expect((await post(url, "[true]", "application/vnd.flowork+json")).body).toEqual({ json: [true] });
  });

  it("returns text for other types, honouring a declared charset", async () => {
    const { url } = await echo();
    expect((await post(url, "{not json", "text/plain")).body).toEqual({ text: "{not json" });
    expect(
      (await post(url, Buffer.from([0x63, 0x61, 0x66, 0xe9]), "text/plain; charset=latin1")).body,
    ).toEqual({
      text: "café",
    });
    expect((await post(url, "x=1")).body).toEqual({ text: "x=1" });
  });

  it.each([
    ["bad JSON", "{", "application/json"],
    ["an empty JSON body", "", "application/json"],
    ["invalid UTF-8 in JSON", Buffer.from([0x22, 0xff, 0x22]), "application/json"],
  ])("answers %s with 400 BAD_REQUEST", async (_name, body, type) => {
    const { url } = await echo();
    const res = await post(url, body, type);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: { code: "BAD_REQUEST", message: expect.any(String) } });
  });

  it("refuses a body whose Content-Length is over the limit, closing the connection", async () => {
    const { url, seen } = await echo(10);
    const res = await post(url, "x".repeat(11), "text/plain");
    expect(res.status).toBe(413);
    expect(res.headers.get("connection")).toBe("close");
    expect(res.body).toMatchObject({ error: { code: "PAYLOAD_TOO_LARGE", details: { limit_bytes: 10 } } });
    expect(seen[0]).toBeInstanceOf(FloworkError);
  });

  it("refuses a chunked body once it passes the limit", async () => {
    const { port } = await echo(1024);
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({
        host: "127.0.0.1",
        port,
        method: "POST",
        path: "/",
        headers: { "Content-Type": "text/plain" },
      });
      req.on("response", (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on("error", reject);
      req.write("x".repeat(800));
      req.write("x".repeat(800));
      // never ended: the server answers as soon as the limit is passed
    });
    expect(status).toBe(413);
  });

  it("rejects with BAD_REQUEST when the client goes away mid-body", async () => {
    const { port, seen, started } = await echo();
    const socket = connect(port, "127.0.0.1");
    await new Promise<void>((resolve) => socket.on("connect", resolve));
    socket.write(
      'POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a":',
    );
    await vi.waitFor(() => expect(started.count).toBe(1));
    socket.destroy();
    await vi.waitFor(() => expect(seen).toHaveLength(1));
    expect(seen[0]).toMatchObject({ name: "FloworkError", code: "BAD_REQUEST" });
  });
});

describe("decodeBody and isJsonContentType", () => {
  it("recognises JSON content types", () => {
    expect(isJsonContentType("application/json")).toBe(true);
    expect(isJsonContentType("Application/JSON ; charset=UTF-8")).toBe(true);
    expect(isJsonContentType("application/problem+json")).toBe(true);
    expect(isJsonContentType("application/jsonx")).toBe(false);
    expect(isJsonContentType("text/json")).toBe(false);
    expect(isJsonContentType(undefined)).toBe(false);
  });

  it("ignores a UTF-8 byte order mark in JSON and keeps the raw bytes", () => {
    const raw = Buffer.from([0xef, 0xbb, 0xbf, ...Buffer.from('{"a":1}')]);
    const body = decodeBody(raw, "application/json");
    expect(body).toEqual({ kind: "json", value: { a: 1 }, raw });
  });

  it("falls back to UTF-8 for an unknown charset", () => {
    expect(decodeBody(Buffer.from("héllo"), "text/plain; charset=klingon")).toMatchObject({ text: "héllo" });
  });
});

describe("sendError", () => {
  async function answer(err: unknown, onInternal = vi.fn()) {
    const { url } = await serve((_req, res) => {
      sendError(res, err, { onInternal });
    });
    const res = await fetch(url);
    return { status: res.status, headers: res.headers, text: await res.text(), onInternal };
  }

  it("sends a FloworkError with its catalogue status and details", async () => {
    const err = new FloworkError("VALIDATION_FAILED", "bad body", { details: { issues: [{ path: ["a"] }] } });
    const res = await answer(err);
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(JSON.parse(res.text)).toEqual({
      error: { code: "VALIDATION_FAILED", message: "bad body", details: { issues: [{ path: ["a"] }] } },
    });
    expect(res.onInternal).not.toHaveBeenCalled();
  });

  it("turns anything else into INTERNAL with a logged correlation id and no stack", async () => {
    const boom = new Error("db password is hunter2");
    const res = await answer(boom);
    expect(res.status).toBe(500);
    const body = JSON.parse(res.text) as {
      error: { code: string; message: string; details: { correlation_id: string } };
    };
    expect(body.error.code).toBe("INTERNAL");
    expect(res.text).not.toContain("hunter2");
    expect(res.text).not.toContain("at ");
    expect(res.onInternal).toHaveBeenCalledWith(boom, body.error.details.correlation_id);
    expect(body.error.message).toContain(body.error.details.correlation_id);
  });

  it("hides the message of a FloworkError INTERNAL too", async () => {
    const res = await answer(new FloworkError("INTERNAL", "/srv/data/secret.key vanished"));
    expect(res.status).toBe(500);
    expect(res.text).not.toContain("secret.key");
    expect(res.onInternal).toHaveBeenCalledOnce();
  });

  it("sets Retry-After for RATE_LIMITED", async () => {
    const res = await answer(
      new FloworkError("RATE_LIMITED", undefined, { details: { retry_after_ms: 1_200 } }),
    );
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("2");
  });

  it("drops details that cannot be serialised", async () => {
    const res = await answer(new FloworkError("NOT_FOUND", "no such job", { details: { n: 10n } }));
    expect(res.status).toBe(404);
    expect(JSON.parse(res.text)).toEqual({ error: { code: "NOT_FOUND", message: "no such job" } });
  });

  it("destroys a response whose headers are already out", async () => {
    const onInternal = vi.fn();
    const { url } = await serve((_req, res) => {
      res.writeHead(200, { "Content-Type": "text/plain" });
      res.write("partial");
      sendError(res, new Error("late"), { onInternal });
    });
    await expect(fetch(url).then((r) => r.text())).rejects.toThrow();
    expect(onInternal).toHaveBeenCalledOnce();
  });
});

describe("sendJson", () => {
  it("writes JSON with a length and no-store", async () => {
    const { url } = await serve((_req, res) => sendJson(res, 201, { ok: "✓" }, { "X-Extra": "1" }));
    const res = await fetch(url);
    expect(res.status).toBe(201);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.headers.get("x-extra")).toBe("1");
    expect(res.headers.get("content-length")).toBe(String(Buffer.byteLength('{"ok":"✓"}')));
    expect(await res.json()).toEqual({ ok: "✓" });
  });

  it("sends 204 without a body", async () => {
    const { url } = await serve((_req, res) => sendJson(res, 204, { ignored: true }));
    const res = await fetch(url);
    expect(res.status).toBe(204);
    expect(await res.text()).toBe("");
  });

  it("answers INTERNAL for a body that cannot be serialised", async () => {
    const onInternal = vi.fn();
    const { url } = await serve((_req, res) => sendJson(res, 200, { n: 1n }, {}, { onInternal }));
    const res = await fetch(url);
    expect(res.status).toBe(500);
    expect(onInternal).toHaveBeenCalledOnce();
  });
});
