/** The answer of {@link RateLimiter.take}. */
export type RateLimitResult = { ok: true } | { ok: false; retryAfterMs: number };

/** Options of {@link RateLimiter}. */
export interface RateLimiterOptions {
  /** Tokens added per second (the sustained rate). */
  ratePerSecond: number;
  /** Bucket size: how many can be spent at once after a quiet period. */
  burst: number;
  /** Most keys tracked at once (default 10 000); past it, full buckets go first, then the least recently used. */
  maxKeys?: number;
  /** Monotonic milliseconds; default `performance.now()`. Tests pass a fake clock. */
  now?: () => number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * A token-bucket limiter keyed by string (a connection, an address). Each key starts with `burst` tokens and
 * regains `ratePerSecond` per second up to `burst`; `take` spends `cost` tokens or says how long to wait.
 *
 * Memory is bounded by `maxKeys`. A bucket that has refilled completely holds nothing a fresh bucket would not,
 * so such buckets are dropped first; if every bucket is in use, the least recently used one goes (its key then
 * starts over with a full bucket, the only leniency a key flood can buy).
 *
 * @example
 * const perAddress = new RateLimiter({ ratePerSecond: 20, burst: 40 });
 * const r = perAddress.take(address);
 * if (!r.ok) throw new FloworkError("RATE_LIMITED", undefined, { details: { retry_after_ms: r.retryAfterMs } });
 */
export class RateLimiter {
  readonly #rate: number;
  readonly #burst: number;
  readonly #maxKeys: number;
  readonly #now: () => number;
  /** Insertion order is recency order: `take` moves a key to the end. */
  readonly #buckets = new Map<string, Bucket>();
  #lastSweep = Number.NEGATIVE_INFINITY;

  /** @throws RangeError when `ratePerSecond` or `burst` is not a positive finite number, or `maxKeys` < 1. */
  constructor(options: RateLimiterOptions) {
    const { ratePerSecond, burst, maxKeys = 10_000 } = options;
    if (!(Number.isFinite(ratePerSecond) && ratePerSecond > 0))
      throw new RangeError("ratePerSecond must be > 0");
    if (!(Number.isFinite(burst) && burst > 0)) throw new RangeError("burst must be > 0");
    if (!(Number.isInteger(maxKeys) && maxKeys >= 1)) throw new RangeError("maxKeys must be an integer >= 1");
    this.#rate = ratePerSecond / 1000;
    this.#burst = burst;
    this.#maxKeys = maxKeys;
    this.#now = options.now ?? (() => performance.now());
  }

  /**
   * Spends `cost` tokens of `key`'s bucket, or spends nothing and says when `cost` tokens will be there.
   * @throws RangeError when `cost` is not positive or exceeds `burst` (it could never succeed).
   */
  take(key: string, cost = 1): RateLimitResult {
    if (!(Number.isFinite(cost) && cost > 0 && cost <= this.#burst)) {
      throw new RangeError(`cost must be > 0 and <= burst (${this.#burst})`);
    }
    const now = this.#now();
    const bucket = this.#refill(key, now);
    if (bucket.tokens >= cost) {
      bucket.tokens -= cost;
      return { ok: true };
    }
    return { ok: false, retryAfterMs: Math.max(1, Math.ceil((cost - bucket.tokens) / this.#rate)) };
  }

  /** Forgets `key` (e.g. when its connection closes). */
  delete(key: string): void {
    this.#buckets.delete(key);
  }

  /** How many keys are tracked. */
  get size(): number {
    return this.#buckets.size;
  }

  #refill(key: string, now: number): Bucket {
    const found = this.#buckets.get(key);
    if (found !== undefined) {
      this.#buckets.delete(key);
      // a clock that goes backwards adds nothing rather than taking tokens away
      found.tokens = Math.min(this.#burst, found.tokens + Math.max(0, now - found.at) * this.#rate);
      found.at = Math.max(found.at, now);
      this.#buckets.set(key, found);
      return found;
    }
    if (this.#buckets.size >= this.#maxKeys) this.#evict(now);
    const bucket = { tokens: this.#burst, at: now };
    this.#buckets.set(key, bucket);
    return bucket;
  }

  /** Drops every bucket that has refilled completely (it holds nothing a new bucket would not); returns how many. */
  sweep(): number {
    const now = this.#now();
    this.#lastSweep = now;
    let dropped = 0;
    for (const [key, bucket] of this.#buckets) {
      if (bucket.tokens + Math.max(0, now - bucket.at) * this.#rate >= this.#burst) {
        this.#buckets.delete(key);
        dropped++;
      }
    }
    return dropped;
  }

  /** Makes room for one key: a {@link sweep} (at most once per second), then, if needed, drops the LRU bucket. */
  #evict(now: number): void {
    if (now - this.#lastSweep >= 1000) this.sweep();
    if (this.#buckets.size >= this.#maxKeys) {
      const oldest = this.#buckets.keys().next();
      if (oldest.done !== true) this.#buckets.delete(oldest.value);
    }
  }
}
