import { describe, expect, it } from "vitest";
import { FloworkError } from "../errors.js";
import { MemoryReplayCache } from "./replay.js";

function clock(start = 1_000) {
  const c = { t: start, now: () => c.t };
  return c;
}

describe("MemoryReplayCache", () => {
  it("accepts a key once while it lives, then again after it expires", () => {
    const c = clock();
    const cache = new MemoryReplayCache({ now: c.now });
    expect(cache.has("a")).toBe(false);
    expect(cache.checkAndRemember("a", 100)).toBe(true);
    expect(cache.has("a")).toBe(true);
    expect(cache.checkAndRemember("a", 100)).toBe(false);
    c.t += 99;
    expect(cache.checkAndRemember("a", 100)).toBe(false);
    c.t += 1;
    expect(cache.has("a")).toBe(false);
    expect(cache.checkAndRemember("a", 100)).toBe(true);
  });

  it("has() never remembers", () => {
    const cache = new MemoryReplayCache();
    expect(cache.has("k")).toBe(false);
    expect(cache.checkAndRemember("k", 1000)).toBe(true);
  });

  it("sweeps expired keys so memory stays bounded by traffic in the window", () => {
    const c = clock();
    const cache = new MemoryReplayCache({ now: c.now });
    for (let i = 0; i < 1000; i++) cache.checkAndRemember(`k${i}`, 50);
    expect(cache.size).toBe(1000);
    c.t += 50;
    cache.checkAndRemember("fresh", 50);
    expect(cache.size).toBe(1);
  });

  it("when full, refuses new keys with RATE_LIMITED instead of forgetting live ones", () => {
    const c = clock();
    const cache = new MemoryReplayCache({ maxEntries: 3, now: c.now });
    for (const k of ["a", "b", "c"]) expect(cache.checkAndRemember(k, 10_000)).toBe(true);
    let err: unknown;
    try {
      cache.checkAndRemember("d", 10_000);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FloworkError);
    expect((err as FloworkError).code).toBe("RATE_LIMITED");
    expect((err as FloworkError).retryable).toBe(true);
    // Every live key is still refused: nothing was forgotten.
    for (const k of ["a", "b", "c"]) expect(cache.checkAndRemember(k, 10_000)).toBe(false);
  });

  it("when full, makes room from expired keys even with mixed TTLs", () => {
    const c = clock();
    const cache = new MemoryReplayCache({ maxEntries: 3, now: c.now });
    cache.checkAndRemember("long", 10_000);
    cache.checkAndRemember("short1", 10);
    cache.checkAndRemember("short2", 10);
    c.t += 2_000;
    expect(cache.checkAndRemember("new", 10_000)).toBe(true);
    expect(cache.checkAndRemember("long", 10_000)).toBe(false);
  });

  it("validates its options", () => {
    expect(() => new MemoryReplayCache({ maxEntries: 0 })).toThrow(RangeError);
    expect(() => new MemoryReplayCache().checkAndRemember("k", 0)).toThrow(RangeError);
    expect(() => new MemoryReplayCache().checkAndRemember("k", Number.NaN)).toThrow(RangeError);
  });
});
