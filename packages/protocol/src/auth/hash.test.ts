import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { FloworkError } from "../errors.js";
import { canonicalJson, EMPTY_SHA256, hashApiBody, hashEnvelopePayload, sha256Hex } from "./hash.js";

const nodeSha256 = (data: string | Uint8Array) => createHash("sha256").update(data).digest("hex");

describe("sha256Hex", () => {
  it("matches node:crypto on strings and bytes", () => {
    for (const text of ["", "abc", "ünïcödé 🚀", "0xdeadbeef", "x".repeat(10_000)]) {
      expect(sha256Hex(text)).toBe(nodeSha256(text));
      expect(sha256Hex(new TextEncoder().encode(text))).toBe(nodeSha256(text));
    }
    expect(EMPTY_SHA256).toBe(nodeSha256(""));
  });

  it("hashes a hex-looking string as text, not as the bytes it spells", () => {
    expect(sha256Hex("0x00")).toBe(nodeSha256("0x00"));
  });
});

describe("canonicalJson (RFC 8785)", () => {
  it("sorts keys by UTF-16 code units and drops whitespace", () => {
    expect(canonicalJson({ b: 1, a: [true, null, "x"], c: { z: 0, y: -0 } })).toBe(
      '{"a":[true,null,"x"],"b":1,"c":{"y":0,"z":0}}',
    );
    const keys = { "\u20ac": 1, "\r": 2, "\ufb33": 3, "1": 4, "\ud83d\ude00": 5, "\u0080": 6, "\u00f6": 7 };
    expect(canonicalJson(keys)).toBe(
      '{"\\r":2,"1":4,"\u0080":6,"\u00f6":7,"\u20ac":1,"\ud83d\ude00":5,"\ufb33":3}',
    );
  });

  it("serialises numbers the ES6 way", () => {
    expect(
      canonicalJson(JSON.parse("[333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001]")),
    ).toBe("[333333333.3333333,1e+30,4.5,0.002,1e-27]");
  });

  it("keeps a __proto__ own key from JSON.parse as data", () => {
    expect(canonicalJson(JSON.parse('{"__proto__":{"x":1},"a":2}'))).toBe('{"__proto__":{"x":1},"a":2}');
  });

  it.each([undefined, () => 1, Number.NaN, Number.POSITIVE_INFINITY, 10n, "\ud800"])(
    "refuses what has no JSON form (%#) with VALIDATION_FAILED",
    (value) => {
      expect(() => canonicalJson(value)).toThrow(FloworkError);
      try {
        canonicalJson(value);
      } catch (err) {
        expect((err as FloworkError).code).toBe("VALIDATION_FAILED");
      }
    },
  );

  it("refuses cycles", () => {
    const a: Record<string, unknown> = {};
    a["self"] = a;
    expect(() => canonicalJson(a)).toThrow(FloworkError);
  });
});

describe("payload hashes per context", () => {
  it("GUI-to-Engine: sha256 of the canonical JSON, independent of key order", () => {
    const h = hashEnvelopePayload({ type: "ping", request_id: "r-1" });
    expect(h).toBe(nodeSha256('{"request_id":"r-1","type":"ping"}'));
    expect(hashEnvelopePayload({ request_id: "r-1", type: "ping" })).toBe(h);
  });

  it("API: sha256 of the raw bytes; no body is the empty string", () => {
    const body = '{ "name" : "a" }';
    expect(hashApiBody(body)).toBe(nodeSha256(body));
    expect(hashApiBody(new TextEncoder().encode(body))).toBe(nodeSha256(body));
    expect(hashApiBody(undefined)).toBe(EMPTY_SHA256);
    expect(hashApiBody(null)).toBe(EMPTY_SHA256);
    expect(hashApiBody("")).toBe(EMPTY_SHA256);
    expect(hashApiBody(new Uint8Array())).toBe(EMPTY_SHA256);
  });
});
