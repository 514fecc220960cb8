import { describe, expect, it } from "vitest";
import { ReplyBatch } from "./reply-batch.js";

describe("ReplyBatch", () => {
  it("writes nothing synchronously, then every reply of the turn in order, once", async () => {
    const errors: unknown[] = [];
    const batch = new ReplyBatch((err) => errors.push(err));
    const order: number[] = [];
    batch.add(() => order.push(1));
    batch.add(() => order.push(2));
    expect(order).toEqual([]);
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual([1, 2]);
    batch.add(() => order.push(3));
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual([1, 2, 3]);
    expect(errors).toEqual([]);
  });

  it("a reply that throws is reported and does not stop the others", async () => {
    const errors: unknown[] = [];
    const batch = new ReplyBatch((err) => errors.push(err));
    const order: number[] = [];
    batch.add(() => {
      throw new Error("socket gone");
    });
    batch.add(() => order.push(2));
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual([2]);
    expect(errors).toHaveLength(1);
    expect((errors[0] as Error).message).toBe("socket gone");
  });
});
