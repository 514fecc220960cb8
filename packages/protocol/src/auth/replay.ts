import { FloworkError } from "../errors.js";

/**
 * Remembers accepted `(address, nonce)` keys so a signed message is accepted once (SPEC section 1, rule 4).
 * Either method may answer synchronously or with a promise, so a shared store (Redis: `EXISTS`, then
 * `SET key 1 NX PX ttl`) can implement it for several gateway replicas.
 */
export interface ReplayCache {
  /** True when `key` was remembered and has not expired. A read-only peek: it must not remember `key`. */
  has(key: string): boolean | Promise<boolean>;
  /**
   * Atomically: when `key` is unknown or expired, remember it for `ttlMs` and return true; when it is
   * already remembered, return false. This is the real replay guard; `has` only orders error codes.
   * May throw a `FloworkError` (e.g. `RATE_LIMITED` when a bounded store is full).
   */
  checkAndRemember(key: string, ttlMs: number): boolean | Promise<boolean>;
}

/** Options of {@link MemoryReplayCache}. */
export interface MemoryReplayCacheOptions {
  /**
   * Most keys held at once. Default 500 000: about 125 MB when full (measured ~250 bytes a key), enough for a
   * sustained 830 accepted messages a second with the default 5-minute window. Size it to the traffic; several
   * gateway replicas need a shared store anyway.
   */
  maxEntries?: number;
  /** Clock, for tests. Default `Date.now`. */
  now?: () => number;
}

/** Least time between two full scans when the cache is full, so a flood cannot make every call O(n). */
const FULL_SWEEP_INTERVAL_MS = 1000;

/**
 * An in-process {@link ReplayCache} with TTL expiry and bounded memory, for one engine or one gateway replica.
 *
 * Expired keys are swept from the oldest end on every write (amortised O(1): keys are kept in insertion order,
 * which is expiry order when every TTL is the same). When `maxEntries` live keys are held, the cache scans for
 * expired keys at most once a second and otherwise **refuses** new keys by throwing `RATE_LIMITED` (retryable):
 * it never forgets a live key, because forgetting would let that message be replayed.
 */
export class MemoryReplayCache implements ReplayCache {
  private readonly entries = new Map<string, number>();
  private readonly maxEntries: number;
  private readonly now: () => number;
  private lastFullSweep = Number.NEGATIVE_INFINITY;

  constructor(options: MemoryReplayCacheOptions = {}) {
    const maxEntries = options.maxEntries ?? 500_000;
    if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) {
      throw new RangeError("maxEntries must be a positive integer");
    }
    this.maxEntries = maxEntries;
    this.now = options.now ?? Date.now;
  }

  /** Number of keys held, expired ones not yet swept included. */
  get size(): number {
    return this.entries.size;
  }

  has(key: string): boolean {
    const expiresAt = this.entries.get(key);
    return expiresAt !== undefined && expiresAt > this.now();
  }

  checkAndRemember(key: string, ttlMs: number): boolean {
    if (!Number.isFinite(ttlMs) || ttlMs <= 0) throw new RangeError("ttlMs must be a positive number");
    const now = this.now();
    this.sweepOldest(now);
    const expiresAt = this.entries.get(key);
    if (expiresAt !== undefined) {
      if (expiresAt > now) return false;
      this.entries.delete(key);
    }
    if (this.entries.size >= this.maxEntries) {
      if (now - this.lastFullSweep >= FULL_SWEEP_INTERVAL_MS) this.sweepAll(now);
      if (this.entries.size >= this.maxEntries) {
        throw new FloworkError(
          "RATE_LIMITED",
          "Too many signed messages in the replay window; retry later.",
          {
            retryable: true,
            details: { reason: "replay_cache_full" },
          },
        );
      }
    }
    this.entries.set(key, now + ttlMs);
    return true;
  }

  /** Forgets every key. */
  clear(): void {
    this.entries.clear();
  }

  private sweepOldest(now: number): void {
    for (const [key, expiresAt] of this.entries) {
      if (expiresAt > now) return;
      this.entries.delete(key);
    }
  }

  private sweepAll(now: number): void {
    this.lastFullSweep = now;
    for (const [key, expiresAt] of this.entries) {
      if (expiresAt <= now) this.entries.delete(key);
    }
  }
}
