import { describe, expect, it } from "vitest";
import { type LatestPreset, LatestPresetCache } from "./preset-cache.js";

function counting(store: Map<string, LatestPreset>) {
  const calls: string[] = [];
  const load = async (name: string) => {
    calls.push(name);
    await new Promise((r) => setTimeout(r, 1));
    return store.get(name);
  };
  return { calls, load };
}

describe("LatestPresetCache", () => {
  it("reads a preset once, then serves it until cleared", async () => {
    const store = new Map([["p", { version: 1, workflow_data: { a: 1 } }]]);
    const { calls, load } = counting(store);
    const cache = new LatestPresetCache(load);
    expect(await cache.load("p")).toEqual({ version: 1, workflow_data: { a: 1 } });
    expect(await cache.load("p")).toEqual({ version: 1, workflow_data: { a: 1 } });
    expect(calls).toEqual(["p"]);
    store.set("p", { version: 2, workflow_data: { a: 2 } });
    cache.clear();
    expect((await cache.load("p"))?.version).toBe(2);
    expect(calls).toEqual(["p", "p"]);
  });

  it("does not cache misses, and never caches a read that a clear() overtook", async () => {
    const store = new Map<string, LatestPreset>();
    const { calls, load } = counting(store);
    const cache = new LatestPresetCache(load);
    expect(await cache.load("q")).toBeUndefined();
    store.set("q", { version: 1, workflow_data: {} });
    const stale = cache.load("q");
    store.set("q", { version: 2, workflow_data: {} });
    cache.clear();
    expect((await stale)?.version).toBe(2); // read after the change finished: still not cached
    expect((await cache.load("q"))?.version).toBe(2);
    expect(calls).toEqual(["q", "q", "q"]);
  });
});
