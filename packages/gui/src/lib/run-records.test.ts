import { describe, expect, it } from "vitest";
import { type KeyValueStorage, MAX_RECORDS, MAX_WORKFLOW_CHARS, RunRecords } from "./run-records.js";

class MemoryStorage implements KeyValueStorage {
  readonly map = new Map<string, string>();
  constructor(private readonly quota = Number.POSITIVE_INFINITY) {}
  getItem(k: string) {
    return this.map.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    if (v.length > this.quota) throw new DOMException("full", "QuotaExceededError");
    this.map.set(k, v);
  }
  removeItem(k: string) {
    this.map.delete(k);
  }
}

const wf = (n: number) => ({ nodes: [{ id: `n${n}` }], connections: [] });

describe("run records", () => {
  it("keeps the workflow sent per engine and job, newest first, at most MAX_RECORDS", () => {
    const r = new RunRecords(new MemoryStorage());
    for (let i = 0; i < MAX_RECORDS + 3; i++) r.save("e1", `job-${i}`, wf(i));
    expect(r.get("e1", `job-${MAX_RECORDS + 2}`)).toEqual(wf(MAX_RECORDS + 2));
    expect(r.get("e1", "job-3")).toEqual(wf(3));
    expect(r.get("e1", "job-2")).toBeUndefined();
    expect(r.get("e2", "job-3")).toBeUndefined();
  });

  it("skips huge workflows, halves the list when storage is full, and survives corrupted storage", () => {
    const small = new MemoryStorage(2000);
    const r = new RunRecords(small);
    r.save("e", "huge", { blob: "x".repeat(MAX_WORKFLOW_CHARS) });
    expect(r.get("e", "huge")).toBeUndefined();
    for (let i = 0; i < 20; i++) r.save("e", `j${i}`, { pad: "y".repeat(150), i });
    expect(r.get("e", "j19")).toEqual({ pad: "y".repeat(150), i: 19 });
    expect(r.get("e", "j0")).toBeUndefined();
    small.map.set("flowork.runs.v1.e", "{not json");
    expect(r.get("e", "j19")).toBeUndefined();
    expect(small.map.has("flowork.runs.v1.e")).toBe(false);
    r.save("e", "again", wf(1));
    expect(r.get("e", "again")).toEqual(wf(1));
  });
});
