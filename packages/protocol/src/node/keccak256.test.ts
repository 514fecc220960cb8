import { randomBytes } from "node:crypto";
import { keccak_256 } from "@noble/hashes/sha3";
import { keccak256 as viemKeccak256 } from "viem";
import { describe, expect, it } from "vitest";
import { keccak256 } from "./keccak256.js";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

describe("unrolled keccak256", () => {
  it("matches known vectors", () => {
    expect(hex(keccak256(new Uint8Array()))).toBe(
      "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470",
    );
    expect(hex(keccak256(new TextEncoder().encode("abc")))).toBe(
      "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45",
    );
  });

  it("matches @noble/hashes on every length 0..700 (all padding and block-boundary cases)", () => {
    for (let n = 0; n <= 700; n++) {
      const data = randomBytes(n);
      expect(hex(keccak256(data)), `length ${n}`).toBe(hex(keccak_256(data)));
    }
  });

  it("matches viem on unaligned views and large inputs", () => {
    const big = randomBytes(100_003);
    for (const view of [big.subarray(1, 1 + 136), big.subarray(3, 3 + 271), big.subarray(5)]) {
      expect(`0x${hex(keccak256(view))}`).toBe(viemKeccak256(new Uint8Array(view)));
    }
  });
});
