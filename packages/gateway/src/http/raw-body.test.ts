import { FloworkError } from "@flowork/protocol";
import { describe, expect, it } from "vitest";
import { parseJsonBody } from "./raw-body.js";

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (err) {
    return err instanceof FloworkError ? err.code : "NOT_FLOWORK";
  }
};

describe("parseJsonBody", () => {
  it("parses JSON, with or without a JSON content type, and empty as undefined", () => {
    expect(parseJsonBody(Buffer.from('{"a":1}'), "application/json; charset=utf-8")).toEqual({ a: 1 });
    expect(parseJsonBody(Buffer.from("[1]"), undefined)).toEqual([1]);
    expect(parseJsonBody(Buffer.from('"x"'), "application/merge-patch+json")).toBe("x");
    expect(parseJsonBody(Buffer.alloc(0), "text/plain")).toBeUndefined();
  });

  it("answers BAD_REQUEST for bad JSON, other media types, __proto__ keys and deep nesting", () => {
    expect(codeOf(() => parseJsonBody(Buffer.from("{"), "application/json"))).toBe("BAD_REQUEST");
    expect(codeOf(() => parseJsonBody(Buffer.from("a=1"), "application/x-www-form-urlencoded"))).toBe(
      "BAD_REQUEST",
    );
    expect(codeOf(() => parseJsonBody(Buffer.from('{"__proto__":{"x":1}}'), "application/json"))).toBe(
      "BAD_REQUEST",
    );
    expect(codeOf(() => parseJsonBody(Buffer.from("[".repeat(100) + "]".repeat(100)), undefined))).toBe(
      "BAD_REQUEST",
    );
  });
});
