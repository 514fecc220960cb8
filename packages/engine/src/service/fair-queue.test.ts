import { describe, expect, it } from "vitest";
import { FairQueue } from "./fair-queue.js";

describe("FairQueue", () => {
  it("serves owners in turn, each in FIFO order", () => {
    const q = new FairQueue<string>();
    for (let i = 0; i < 5; i++) q.push("alice", `a${i}`);
    q.push("bob", "b0");
    q.push("bob", "b1");
    q.push("carol", "c0");
    const out: string[] = [];
    for (let x = q.shift(); x !== undefined; x = q.shift()) out.push(x);
    expect(out).toEqual(["a0", "b0", "c0", "a1", "b1", "a2", "a3", "a4"]);
    expect(q.size).toBe(0);
  });

  it("serves an owner who has not had a turn before one who just had", () => {
    const q = new FairQueue<string>();
    q.push("alice", "a1");
    expect(q.shift()).toBe("a1");
    q.push("alice", "a2");
    q.push("bob", "b1");
    expect(q.shift()).toBe("b1");
    expect(q.shift()).toBe("a2");
    expect(q.size).toBe(0);
  });

  it("removes a queued item", () => {
    const q = new FairQueue<number>();
    q.push("a", 1);
    q.push("b", 2);
    expect(q.remove((n) => n === 1)).toBe(1);
    expect(q.size).toBe(1);
    expect(q.shift()).toBe(2);
    expect(q.remove((n) => n === 9)).toBeUndefined();
  });
});
