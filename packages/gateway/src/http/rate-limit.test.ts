import { describe, expect, it } from "vitest";
import { TokenBucketLimiter } from "./rate-limit.js";

describe("TokenBucketLimiter", () => {
  it("allows a burst, then refuses with the wait until the next token", () => {
    let now = 0;
    const limiter = new TokenBucketLimiter({ ratePerSecond: 2, burst: 3, now: () => now });
    expect([1, 2, 3].map(() => limiter.take("a").ok)).toEqual([true, true, true]);
    expect(limiter.take("a")).toEqual({ ok: false, retryAfterMs: 500 });
    now = 500;
    expect(limiter.take("a").ok).toBe(true);
    expect(limiter.take("b").ok).toBe(true); // keys are independent
  });

  it("never holds more than maxKeys buckets and ignores a clock going backwards", () => {
    let now = 1000;
    const limiter = new TokenBucketLimiter({ ratePerSecond: 1, burst: 1, maxKeys: 2, now: () => now });
    for (const k of ["a", "b", "c", "d"]) limiter.take(k);
    expect(limiter.size).toBe(2);
    now = 0;
    expect(limiter.take("d").ok).toBe(false);
  });

  it("rejects nonsense options", () => {
    expect(() => new TokenBucketLimiter({ ratePerSecond: 0, burst: 1 })).toThrow(RangeError);
    expect(() => new TokenBucketLimiter({ ratePerSecond: 1, burst: 0 })).toThrow(RangeError);
    expect(() => new TokenBucketLimiter({ ratePerSecond: 1, burst: 1, maxKeys: 0 })).toThrow(RangeError);
  });
});
