import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import type { ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { AUTH_CACHE_FORMAT } from "./cache-file.js";
import { authInfoUrl } from "./gateway-fetch.js";
import { type AuthzLogger, GatewayAuthSource, type GatewayAuthSourceOptions } from "./gateway-source.js";
import { type FakeGateway, json, startFakeGateway } from "./test-gateway.js";
import type { AuthList } from "./types.js";

const OWNER = `0x${"a".repeat(40)}`;
const GUEST = `0x${"b".repeat(40)}`;
const TOKEN = `dev_engine_${"0".repeat(32)}`;

const info = (shares: { address: string; role: string }[] = [{ address: GUEST, role: "runner" }]) => ({
  engine_id: "eng-1",
  name: "Home",
  owner_address: OWNER,
  authorized_addresses: [OWNER, ...shares.map((s) => s.address)],
  shares,
  tier: "free",
  quotas: {},
  disabled_components: ["shell_command"],
});

let dir: string;
let cacheFile: string;
const gateways: FakeGateway[] = [];
const sources: GatewayAuthSource[] = [];

async function gateway(handler = json(info())): Promise<FakeGateway> {
  const g = await startFakeGateway(handler);
  gateways.push(g);
  return g;
}

function source(g: { url: string }, options: Partial<GatewayAuthSourceOptions> = {}): GatewayAuthSource {
  const s = new GatewayAuthSource({ gatewayUrl: g.url, engineToken: TOKEN, cacheFile, ...options });
  sources.push(s);
  return s;
}

function recordingLogger() {
  const lines: { level: string; message: string; details?: Record<string, unknown> }[] = [];
  const logger: AuthzLogger = {
    info: (message, details) => lines.push({ level: "info", message, ...(details ? { details } : {}) }),
    warn: (message, details) => lines.push({ level: "warn", message, ...(details ? { details } : {}) }),
    error: (message, details) => lines.push({ level: "error", message, ...(details ? { details } : {}) }),
  };
  return { logger, lines };
}

/** A gateway whose port is closed: connecting is refused at once. */
async function deadGateway(): Promise<{ url: string }> {
  const g = await startFakeGateway();
  await g.close();
  return { url: g.url };
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowork-authz-"));
  cacheFile = join(dir, "data", "auth-cache.json");
});

afterEach(async () => {
  for (const s of sources.splice(0)) s.stop();
  await Promise.all(gateways.splice(0).map((g) => g.close()));
  await rm(dir, { recursive: true, force: true });
});

describe("GatewayAuthSource", () => {
  it("fetches the list with the engine token and derives roles", async () => {
    const g = await gateway();
    const s = source(g);
    const list = await s.start();
    expect(g.requests).toEqual([{ method: "GET", url: "/api/v1/engine/get-engine-auth-info", token: TOKEN }]);
    expect(list?.engineId).toBe("eng-1");
    expect(s.engineId()).toBe("eng-1");
    expect(s.roleOf(OWNER.toUpperCase().replace("0X", "0x"))).toBe("owner");
    expect(s.roleOf(GUEST)).toBe("runner");
    expect(s.roleOf(`0x${"c".repeat(40)}`)).toBeUndefined();
    expect(s.current()?.disabledComponents.has("shell_command")).toBe(true);
  });

  it("writes the cache file atomically with mode 0600, bound to the gateway and token", async () => {
    const g = await gateway();
    await source(g).start();
    if (process.platform !== "win32") expect((await stat(cacheFile)).mode & 0o777).toBe(0o600);
    const doc = JSON.parse(await readFile(cacheFile, "utf8")) as Record<string, unknown>;
    expect(doc["format"]).toBe(AUTH_CACHE_FORMAT);
    expect(doc["gateway_url"]).toBe(authInfoUrl(g.url));
    expect(JSON.stringify(doc)).not.toContain(TOKEN);
    expect(doc["auth_info"]).toMatchObject({ engine_id: "eng-1", owner_address: OWNER });
  });

  it("refreshes on demand and reports the change", async () => {
    const g = await gateway();
    const changes: (AuthList | undefined)[] = [];
    const s = source(g, { onChange: (list) => changes.push(list) });
    await s.start();
    g.handler = json(info([{ address: GUEST, role: "admin" }]));
    const result = await s.refresh();
    expect(result).toMatchObject({ ok: true, changed: true });
    expect(s.roleOf(GUEST)).toBe("admin");
    const unchanged = await s.refresh();
    expect(unchanged).toMatchObject({ ok: true, changed: false });
    expect(changes.map((l) => l?.roleOf(GUEST))).toEqual(["runner", "admin"]);
    const cached = JSON.parse(await readFile(cacheFile, "utf8")) as { auth_info: { shares: unknown[] } };
    expect(cached.auth_info.shares).toEqual([{ address: GUEST, role: "admin" }]);
  });

  it("coalesces concurrent refreshes into the running fetch plus one follow-up", async () => {
    const pending: ServerResponse[] = [];
    const g = await gateway((_req, res) => {
      pending.push(res);
    });
    const s = source(g);
    const first = s.refresh();
    const second = s.refresh();
    const third = s.refresh();
    expect(second).toBe(third);
    await vi.waitFor(() => expect(pending).toHaveLength(1));
    g.handler = json(info([{ address: GUEST, role: "reader" }]));
    pending[0]?.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify(info()));
    expect(await first).toMatchObject({ ok: true });
    const followUp = await second;
    expect(followUp.ok && followUp.list.roleOf(GUEST)).toBe("reader");
    expect(g.requests).toHaveLength(2);
  });

  it("refreshes periodically", async () => {
    const g = await gateway();
    const s = source(g, { refreshMs: 40 });
    await s.start();
    g.handler = json(info([]));
    await vi.waitFor(() => expect(s.roleOf(GUEST)).toBeUndefined(), { timeout: 2_000 });
    expect(g.requests.length).toBeGreaterThanOrEqual(2);
    s.stop();
    const seen = g.requests.length;
    await new Promise((r) => setTimeout(r, 150));
    expect(g.requests.length).toBe(seen);
  });

  it("uses the cache file when the gateway is down at start", async () => {
    const g = await gateway();
    await source(g).start();
    await g.close();
    const { logger, lines } = recordingLogger();
    const s = source(g, { logger });
    const list = await s.start();
    expect(list?.roleOf(OWNER)).toBe("owner");
    expect(s.roleOf(GUEST)).toBe("runner");
    expect(lines.some((l) => l.level === "warn" && l.message.includes("using the cached"))).toBe(true);
  });

  it("uses the cache file when the gateway times out at start", async () => {
    const g = await gateway();
    await source(g).start();
    g.handler = () => {}; // never answers
    const s = source(g, { timeoutMs: 100 });
    expect(await s.refresh()).toMatchObject({ ok: false, reason: "timeout" });
    await s.start();
    expect(s.roleOf(OWNER)).toBe("owner");
  });

  it("ignores a cache written for another token or gateway", async () => {
    const g = await gateway();
    await source(g).start();
    await g.close();
    const otherToken = source(g, { engineToken: `dev_engine_${"1".repeat(32)}` });
    expect(await otherToken.start()).toBeUndefined();
    const other = await deadGateway();
    expect(await source(other).start()).toBeUndefined();
  });

  it("starts with nobody authorized when the gateway is down and there is no usable cache", async () => {
    await writeFile(join(dir, "garbage.json"), "{not json");
    cacheFile = join(dir, "garbage.json");
    const s = source(await deadGateway());
    expect(await s.start()).toBeUndefined();
    expect(s.roleOf(OWNER)).toBeUndefined();
    expect(await s.refresh()).toMatchObject({ ok: false, reason: "unreachable" });
  });

  it.each([
    ["not JSON", (res: ServerResponse) => res.writeHead(200).end("<html>")],
    ["a body that fails validation", (res: ServerResponse) => res.writeHead(200).end('{"engine_id": 5}')],
    ["a 500", (res: ServerResponse) => res.writeHead(500).end("{}")],
    ["a 404", (res: ServerResponse) => res.writeHead(404).end("{}")],
  ])("keeps the last good list after %s", async (_name, answer) => {
    const g = await gateway();
    const { logger, lines } = recordingLogger();
    const s = source(g, { logger });
    await s.start();
    g.handler = (_req, res) => answer(res);
    const result = await s.refresh();
    expect(result.ok).toBe(false);
    expect(s.roleOf(GUEST)).toBe("runner");
    expect(lines.some((l) => l.level === "warn" && l.message.includes("keeping the last good"))).toBe(true);
    const cached = JSON.parse(await readFile(cacheFile, "utf8")) as { auth_info: { engine_id: string } };
    expect(cached.auth_info.engine_id).toBe("eng-1");
  });

  it("refuses an oversized answer", async () => {
    const g = await gateway((_req, res) => {
      res.writeHead(200, { "Content-Type": "application/json" }).end(" ".repeat(5 * 1024 * 1024));
    });
    expect(await source(g).refresh()).toMatchObject({ ok: false, reason: "invalid_body" });
  });

  it("clears the list and the cache on a 401 (token revoked), loudly", async () => {
    const g = await gateway();
    const changes: (AuthList | undefined)[] = [];
    const { logger, lines } = recordingLogger();
    const s = source(g, { onChange: (list) => changes.push(list), logger });
    await s.start();
    g.handler = json({ error: { code: "AUTH_INVALID_TOKEN", message: "revoked" } }, 401);
    expect(await s.refresh()).toMatchObject({ ok: false, reason: "revoked", status: 401 });
    expect(s.current()).toBeUndefined();
    expect(s.roleOf(OWNER)).toBeUndefined();
    expect(s.revoked).toBe(true);
    expect(changes.at(-1)).toBeUndefined();
    expect(changes).toHaveLength(2);
    await expect(stat(cacheFile)).rejects.toMatchObject({ code: "ENOENT" });
    expect(lines.filter((l) => l.level === "error")).toHaveLength(1);
    expect(JSON.stringify(lines)).not.toContain(TOKEN);

    // a later good answer (the 401 was the gateway's mistake) restores the list
    g.handler = json(info());
    expect(await s.refresh()).toMatchObject({ ok: true, changed: true });
    expect(s.revoked).toBe(false);
    expect(s.roleOf(OWNER)).toBe("owner");
  });

  it("does not fall back to the cache after a 401 at start", async () => {
    const g = await gateway();
    await source(g).start();
    g.handler = json({}, 401);
    const s = source(g);
    expect(await s.start()).toBeUndefined();
    expect(s.revoked).toBe(true);
    await expect(stat(cacheFile)).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("does not follow redirects (they would carry the token elsewhere)", async () => {
    const elsewhere = await gateway();
    const g = await gateway((_req, res) => {
      res.writeHead(302, { Location: `${elsewhere.url}/steal` }).end();
    });
    expect(await source(g).refresh()).toMatchObject({ ok: false, reason: "unreachable" });
    expect(elsewhere.requests).toEqual([]);
  });

  it("accepts a gateway URL with /api/v1 and a trailing slash", async () => {
    const g = await gateway();
    await source({ url: `${g.url}/api/v1/` }).start();
    expect(g.requests[0]?.url).toBe("/api/v1/engine/get-engine-auth-info");
  });

  it("uses an injected fetch", async () => {
    const fetch = vi.fn(async () => new Response(JSON.stringify(info()), { status: 200 }));
    const s = source({ url: "http://gateway.invalid" }, { fetch });
    expect((await s.refresh()).ok).toBe(true);
    expect(fetch).toHaveBeenCalledOnce();
  });

  it("aborts a running fetch on stop and refuses refreshes afterwards", async () => {
    const g = await gateway(() => {}); // never answers
    const s = source(g);
    const running = s.refresh();
    await vi.waitFor(() => expect(g.requests).toHaveLength(1));
    s.stop();
    expect(await running).toMatchObject({ ok: false, reason: "stopped" });
    expect(await s.refresh()).toMatchObject({ ok: false, reason: "stopped" });
  });

  it("warns when the token would cross the network in clear", () => {
    const remote = recordingLogger();
    source({ url: "http://gateway.example.com" }, { logger: remote.logger });
    expect(remote.lines.map((l) => l.level)).toEqual(["warn"]);
    const local = recordingLogger();
    source({ url: "http://127.0.0.1:8000" }, { logger: local.logger });
    source({ url: "https://gateway.example.com" }, { logger: local.logger });
    expect(local.lines).toEqual([]);
  });

  it("validates its options", () => {
    expect(() => source({ url: "ftp://x" })).toThrow(/http/);
    expect(() => source({ url: "not a url" })).toThrow(/valid URL/);
    expect(() => source({ url: "http://x" }, { engineToken: "" })).toThrow(/token/);
    expect(() => source({ url: "http://x" }, { engineToken: "a\r\nb" })).toThrow(/token/);
    expect(() => source({ url: "http://x" }, { refreshMs: 0 })).toThrow(/refreshMs/);
  });
});
