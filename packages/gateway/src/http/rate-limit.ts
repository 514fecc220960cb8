/** The answer of {@link TokenBucketLimiter.take}. */
export type TakeResult = { ok: true } | { ok: false; retryAfterMs: number };

/** Options of {@link TokenBucketLimiter}. */
export interface TokenBucketOptions {
  /** Tokens regained per second: the sustained request rate. */
  ratePerSecond: number;
  /** Bucket size: how many requests may come at once after a quiet period. */
  burst: number;
  /** Most keys tracked (default 10 000); past it, the least recently used bucket is dropped. */
  maxKeys?: number;
  /** Milliseconds clock, for tests. Default `performance.now()`. */
  now?: () => number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * A token bucket per key (an address, an engine, a client IP). Each key starts full with `burst` tokens and
 * regains `ratePerSecond` a second. Memory is bounded by `maxKeys`: the least recently used key is dropped
 * first, so a flood of keys can only buy those keys a fresh bucket.
 *
 * @example
 * const limiter = new TokenBucketLimiter({ ratePerSecond: 10, burst: 30 });
 * const r = limiter.take(address);
 * if (!r.ok) throw new FloworkError("RATE_LIMITED", undefined, { details: { retry_after_ms: r.retryAfterMs } });
 */
export class TokenBucketLimiter {
  readonly #perMs: number;
  readonly #burst: number;
  readonly #maxKeys: number;
  readonly #now: () => number;
  /** Map order is recency order: `take` re-inserts its key at the end. */
  readonly #buckets = new Map<string, Bucket>();

  /** @throws RangeError on a non-positive rate or burst, or `maxKeys` < 1. */
  constructor(options: TokenBucketOptions) {
    const { ratePerSecond, burst, maxKeys = 10_000 } = options;
    if (!(Number.isFinite(ratePerSecond) && ratePerSecond > 0))
      throw new RangeError("ratePerSecond must be > 0");
    if (!(Number.isFinite(burst) && burst >= 1)) throw new RangeError("burst must be >= 1");
    if (!(Number.isInteger(maxKeys) && maxKeys >= 1)) throw new RangeError("maxKeys must be an integer >= 1");
    this.#perMs = ratePerSecond / 1000;
    this.#burst = burst;
    this.#maxKeys = maxKeys;
    this.#now = options.now ?? (() => performance.now());
  }

  /** Spends one token of `key`, or spends nothing and says how long until one is there. */
  take(key: string): TakeResult {
    const now = this.#now();
    let bucket = this.#buckets.get(key);
    if (bucket === undefined) {
      if (this.#buckets.size >= this.#maxKeys) {
        const oldest = this.#buckets.keys().next();
        if (oldest.done !== true) this.#buckets.delete(oldest.value);
      }
      bucket = { tokens: this.#burst, at: now };
    } else {
      this.#buckets.delete(key);
      // a clock going backwards adds nothing
      bucket.tokens = Math.min(this.#burst, bucket.tokens + Math.max(0, now - bucket.at) * this.#perMs);
      bucket.at = Math.max(bucket.at, now);
    }
    this.#buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterMs: Math.max(1, Math.ceil((1 - bucket.tokens) / this.#perMs)) };
  }

  /** How many keys are tracked. */
  get size(): number {
    return this.#buckets.size;
  }
}
