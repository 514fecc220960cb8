import { describe, expect, it } from "vitest";
import { RateLimiter } from "./rate-limit.js";

function limiter(options: { ratePerSecond?: number; burst?: number; maxKeys?: number } = {}) {
  let now = 1_000;
  const rl = new RateLimiter({ ratePerSecond: 10, burst: 5, ...options, now: () => now });
  return { rl, advance: (ms: number) => (now += ms), setNow: (ms: number) => (now = ms) };
}

describe("RateLimiter", () => {
  it("allows a burst, then says how long to wait", () => {
    const { rl } = limiter();
    for (let i = 0; i < 5; i++) expect(rl.take("a")).toEqual({ ok: true });
    expect(rl.take("a")).toEqual({ ok: false, retryAfterMs: 100 });
    expect(rl.take("a", 3)).toEqual({ ok: false, retryAfterMs: 300 });
  });

  it("refills at the rate, up to the burst", () => {
    const { rl, advance } = limiter();
    for (let i = 0; i < 5; i++) rl.take("a");
    advance(100);
    expect(rl.take("a")).toEqual({ ok: true });
    expect(rl.take("a").ok).toBe(false);
    advance(60_000);
    for (let i = 0; i < 5; i++) expect(rl.take("a").ok).toBe(true);
    expect(rl.take("a").ok).toBe(false);
  });

  it("keeps keys apart", () => {
    const { rl } = limiter({ burst: 1 });
    expect(rl.take("conn-1").ok).toBe(true);
    expect(rl.take("conn-1").ok).toBe(false);
    expect(rl.take("conn-2").ok).toBe(true);
  });

  it("charges the cost and refuses without spending", () => {
    const { rl, advance } = limiter();
    expect(rl.take("a", 4).ok).toBe(true);
    expect(rl.take("a", 2)).toEqual({ ok: false, retryAfterMs: 100 });
    advance(100);
    expect(rl.take("a", 2).ok).toBe(true);
  });

  it("rounds a fractional wait up, never to zero", () => {
    const { rl, advance } = limiter({ ratePerSecond: 3, burst: 1 });
    rl.take("a");
    advance(333);
    const r = rl.take("a");
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.retryAfterMs).toBeGreaterThanOrEqual(1);
  });

  it("ignores a clock that goes backwards", () => {
    const { rl, setNow } = limiter({ burst: 1 });
    rl.take("a");
    setNow(0);
    expect(rl.take("a").ok).toBe(false);
  });

  it("bounds memory: refilled buckets go first, then the least recently used", () => {
    const { rl, advance } = limiter({ maxKeys: 3, burst: 2 }); // 10 tokens/s: empty to full in 200 ms
    rl.take("busy-1", 2);
    rl.take("busy-2", 2);
    rl.take("light", 1);
    advance(150); // "light" is full again; the busy ones hold 1.5 tokens
    rl.take("new"); // at the cap: "light" is dropped although "busy-1" is the least recently used
    expect(rl.size).toBe(3);
    expect(rl.take("busy-1", 2).ok).toBe(false); // still tracked (a fresh bucket would allow 2)

    rl.take("newer"); // nothing has refilled: the least recently used ("busy-2") goes
    expect(rl.size).toBe(3);
    expect(rl.take("busy-2", 2).ok).toBe(true); // forgotten, so it starts over full
  });

  it("stays at maxKeys under a flood of keys", () => {
    const { rl, advance } = limiter({ maxKeys: 100 });
    for (let i = 0; i < 10_000; i++) {
      rl.take(`k${i}`);
      advance(1);
    }
    expect(rl.size).toBe(100);
  });

  it("sweeps refilled buckets and forgets keys on request", () => {
    const { rl, advance } = limiter();
    rl.take("a");
    rl.take("b", 5);
    advance(200);
    expect(rl.sweep()).toBe(1);
    expect(rl.size).toBe(1);
    rl.delete("b");
    expect(rl.size).toBe(0);
  });

  it("validates its options and the cost", () => {
    expect(() => new RateLimiter({ ratePerSecond: 0, burst: 1 })).toThrow(RangeError);
    expect(() => new RateLimiter({ ratePerSecond: 1, burst: Number.NaN })).toThrow(RangeError);
    expect(() => new RateLimiter({ ratePerSecond: 1, burst: 1, maxKeys: 0 })).toThrow(RangeError);
    const { rl } = limiter();
    expect(() => rl.take("a", 6)).toThrow(RangeError);
    expect(() => rl.take("a", 0)).toThrow(RangeError);
  });
});
