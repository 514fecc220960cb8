import { FloworkError, type ReplayCache } from "@flowork/protocol";
import { Redis } from "ioredis";

/** Options of {@link RedisReplayCache}. */
export interface RedisReplayCacheOptions {
  /** Prepended to every key (default `flowork:replay:`), so one Redis can serve several installs. */
  prefix?: string;
}

/** What the gateway holds: the cache and the client it owns. */
export interface OwnedRedisReplayCache {
  cache: RedisReplayCache;
  /** Closes the Redis client (QUIT, or a hard disconnect when Redis is gone). */
  close(): Promise<void>;
}

/** How long a replay check may wait for Redis before the request is refused (retryable). */
const COMMAND_TIMEOUT_MS = 2_000;

/**
 * A {@link ReplayCache} in Redis, shared by every gateway replica (SPEC section 1 rule 4, section 8): a signed
 * message accepted by one replica is `AUTH_REPLAY` on every other. `checkAndRemember` is one atomic
 * `SET key 1 PX ttl NX`; keys expire by themselves.
 *
 * Fails closed: when Redis cannot answer, the check throws a retryable `RATE_LIMITED` (429, `Retry-After`)
 * rather than accepting a message it cannot prove fresh.
 *
 * @example
 * const cache = new RedisReplayCache(new Redis(config.redisUrl));
 * const verifier = createNodeVerifier({ replayCache: cache, windowMs: config.authWindowMs });
 */
export class RedisReplayCache implements ReplayCache {
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(redis: Redis, options: RedisReplayCacheOptions = {}) {
    this.#redis = redis;
    this.#prefix = options.prefix ?? "flowork:replay:";
  }

  async has(key: string): Promise<boolean> {
    const n = await this.#ask(() => this.#redis.exists(this.#prefix + key));
    return n === 1;
  }

  async checkAndRemember(key: string, ttlMs: number): Promise<boolean> {
    if (!Number.isFinite(ttlMs) || ttlMs <= 0) throw new RangeError("ttlMs must be a positive number");
    const ttl = Math.ceil(ttlMs);
    const set = await this.#ask(() => this.#redis.set(this.#prefix + key, "1", "PX", ttl, "NX"));
    return set === "OK";
  }

  async #ask<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (err) {
      throw new FloworkError("RATE_LIMITED", "The replay cache is unavailable; retry shortly.", {
        retryable: true,
        cause: err,
        details: { reason: "replay_cache_unavailable", retry_after_ms: 1_000 },
      });
    }
  }
}

/**
 * Connects a dedicated Redis client for the replay cache. While Redis restarts, commands wait in ioredis's
 * offline queue for at most {@link COMMAND_TIMEOUT_MS} and one retry, then fail closed (see
 * {@link RedisReplayCache}); the client reconnects by itself.
 *
 * @param onError told about connection errors (ioredis would otherwise print them).
 */
export function connectRedisReplayCache(
  url: string,
  onError: (err: Error) => void,
  options: RedisReplayCacheOptions = {},
): OwnedRedisReplayCache {
  const redis = new Redis(url, { maxRetriesPerRequest: 1, commandTimeout: COMMAND_TIMEOUT_MS });
  redis.on("error", onError);
  let closing: Promise<void> | undefined;
  return {
    cache: new RedisReplayCache(redis, options),
    close() {
      closing ??= redis.quit().then(
        () => undefined,
        () => redis.disconnect(),
      );
      return closing;
    },
  };
}
