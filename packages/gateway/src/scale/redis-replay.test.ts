import { randomUUID } from "node:crypto";
import { signerFromPrivateKey, signSocketAuth } from "@flowork/protocol";
import { createNodeVerifier } from "@flowork/protocol/node";
import { Redis } from "ioredis";
import { generatePrivateKey } from "viem/accounts";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import {
  connectRedisReplayCache,
  type OwnedRedisReplayCache,
  type RedisReplayCache,
} from "./redis-replay.js";

/** The test Redis (CI starts it). Never skipped: a missing Redis fails these tests. */
const REDIS_URL = process.env["FLOWORK_TEST_REDIS_URL"] ?? "redis://127.0.0.1:6379";
const admin = new Redis(REDIS_URL);
const prefix = `test:replay:${randomUUID()}:`;
const owned: OwnedRedisReplayCache[] = [];

function replica(): RedisReplayCache {
  const o = connectRedisReplayCache(REDIS_URL, () => {}, { prefix });
  owned.push(o);
  return o.cache;
}

afterEach(async () => {
  for (const o of owned.splice(0)) await o.close();
});

afterAll(async () => {
  const keys = await admin.keys(`${prefix}*`);
  if (keys.length > 0) await admin.del(...keys);
  await admin.quit();
});

describe("RedisReplayCache", () => {
  it("remembers a key once, across two clients (two replicas)", async () => {
    const a = replica();
    const b = replica();
    expect(await a.has("k1")).toBe(false);
    expect(await a.checkAndRemember("k1", 60_000)).toBe(true);
    expect(await b.has("k1")).toBe(true);
    expect(await b.checkAndRemember("k1", 60_000)).toBe(false);
    expect(await admin.pttl(`${prefix}k1`)).toBeGreaterThan(59_000);
  });

  it("has() is a peek: it never remembers", async () => {
    const a = replica();
    expect(await a.has("k2")).toBe(false);
    expect(await a.checkAndRemember("k2", 60_000)).toBe(true);
  });

  it("forgets a key after its TTL", async () => {
    const a = replica();
    expect(await a.checkAndRemember("k3", 80)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await a.has("k3")).toBe(false);
    expect(await a.checkAndRemember("k3", 60_000)).toBe(true);
  });

  it("lets exactly one of 50 concurrent copies through, over 5 clients", async () => {
    const caches = Array.from({ length: 5 }, replica);
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => caches[i % 5]?.checkAndRemember("k4", 60_000)),
    );
    expect(results.filter((r) => r === true)).toHaveLength(1);
  });

  it("refuses a bad TTL", async () => {
    await expect(replica().checkAndRemember("k5", 0)).rejects.toBeInstanceOf(RangeError);
  });

  it("fails closed with a retryable RATE_LIMITED when Redis cannot be reached", async () => {
    const o = connectRedisReplayCache("redis://127.0.0.1:1", () => {}, { prefix });
    owned.push(o);
    await expect(o.cache.checkAndRemember("k6", 60_000)).rejects.toMatchObject({
      code: "RATE_LIMITED",
      retryable: true,
      details: { reason: "replay_cache_unavailable" },
    });
  });

  it("makes a signed message accepted by one replica's verifier AUTH_REPLAY on the other's", async () => {
    const signer = signerFromPrivateKey(generatePrivateKey());
    const auth = await signSocketAuth(signer);
    const one = createNodeVerifier({ replayCache: replica() });
    const two = createNodeVerifier({ replayCache: replica() });
    await expect(one.verify({ context: "Socket", ...auth })).resolves.toMatchObject({ context: "Socket" });
    await expect(two.verify({ context: "Socket", ...auth })).rejects.toMatchObject({ code: "AUTH_REPLAY" });
  });
});
