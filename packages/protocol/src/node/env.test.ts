import { describe, expect, it } from "vitest";
import { envInt } from "./env.js";

describe("envInt", () => {
  it("reads integers in range, falls back when unset or empty", () => {
    expect(envInt({ N: "42" }, "N", 1, 0, 100)).toBe(42);
    expect(envInt({}, "N", 7, 0, 100)).toBe(7);
    expect(envInt({ N: "" }, "N", 7, 0, 100)).toBe(7);
    expect(envInt({ N: "  " }, "N", 7, 0, 100)).toBe(7);
    expect(envInt({ N: " 12 " }, "N", 7, 0, 100)).toBe(12);
  });

  it("refuses non-integers and out-of-range values with VALIDATION_FAILED, never echoing the value", () => {
    for (const bad of ["1.5", "abc", "101", "-1", "1e999", "1e2", "0x10", "12abc"]) {
      try {
        envInt({ SECRETISH: bad }, "SECRETISH", 1, 0, 100);
        expect.unreachable(`accepted ${bad}`);
      } catch (err) {
        expect(err).toMatchObject({ code: "VALIDATION_FAILED" });
        expect(String((err as Error).message)).toContain("SECRETISH must be an integer from 0 to 100");
        expect(JSON.stringify(err)).not.toContain(bad);
      }
    }
  });
});
