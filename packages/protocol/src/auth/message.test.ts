import { describe, expect, it } from "vitest";
import { FloworkError } from "../errors.js";
import { EMPTY_SHA256 } from "./hash.js";
import {
  apiScope,
  buildMessage,
  isValidApiTarget,
  isValidScope,
  MAX_MESSAGE_LENGTH,
  type MessageFields,
  parseMessage,
} from "./message.js";

const ADDRESS = "0x19e7e376e7c213b7e7e7e46cc70a5dd086daff2a";
const base: MessageFields = {
  context: "GUI-to-Engine",
  timestamp_ms: 1_700_000_000_000,
  address: ADDRESS,
  scope: "eng_1234",
  nonce: "abcdefABCDEF0123_-xy",
  payload_sha256: EMPTY_SHA256,
};
const GOOD = buildMessage(base);

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof FloworkError ? err.code : "NOT_A_FLOWORK_ERROR";
  }
  return undefined;
}

describe("buildMessage", () => {
  it("writes the exact SPEC section 1 format", () => {
    expect(GOOD).toBe(
      `Flowork GUI-to-Engine Authentication: 1700000000000 | address=${ADDRESS} | scope=eng_1234 | ` +
        `nonce=abcdefABCDEF0123_-xy | payload=${EMPTY_SHA256}`,
    );
  });

  it("lowercases a checksummed address", () => {
    const msg = buildMessage({ ...base, address: "0x19E7E376E7C213B7E7e7e46cc70A5dD086DAff2A" });
    expect(parseMessage(msg).address).toBe(ADDRESS);
  });

  it.each([
    ["context", { context: "Gui" }],
    ["timestamp_ms", { timestamp_ms: -1 }],
    ["timestamp_ms", { timestamp_ms: 1.5 }],
    ["timestamp_ms", { timestamp_ms: Number.MAX_SAFE_INTEGER + 1 }],
    ["timestamp_ms", { timestamp_ms: Number.NaN }],
    ["address", { address: "0x123" }],
    ["scope", { scope: "" }],
    ["scope", { scope: "a | b" }],
    ["scope", { scope: "ends |" }],
    ["scope", { scope: " padded" }],
    ["scope", { scope: "line\nbreak" }],
    ["scope", { scope: "lone \ud800 surrogate" }],
    ["nonce", { nonce: "short" }],
    ["nonce", { nonce: "x".repeat(65) }],
    ["nonce", { nonce: "has space in it!!" }],
    ["payload", { payload_sha256: EMPTY_SHA256.toUpperCase() }],
  ])("refuses a bad %s", (field, patch) => {
    const err = (() => {
      try {
        buildMessage({ ...base, ...(patch as Partial<MessageFields>) });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(FloworkError);
    expect((err as FloworkError).code).toBe("AUTH_MALFORMED");
    expect((err as FloworkError).details?.["field"]).toBe(field);
  });
});

describe("parseMessage", () => {
  it.each([
    base,
    { ...base, context: "API" as const, scope: "POST /api/v1/user/engines?x=1&y=a|b" },
    { ...base, context: "Socket" as const, scope: "gui-socket", timestamp_ms: 0 },
    { ...base, scope: "| starts with a bar", nonce: "Z".repeat(64) },
    { ...base, scope: "ünïcödé 引擎 🚀", timestamp_ms: Number.MAX_SAFE_INTEGER },
  ])("round-trips %#", (fields) => {
    expect(parseMessage(buildMessage(fields))).toEqual(fields);
  });

  it.each([
    ["uppercase address", GOOD.replace(ADDRESS, ADDRESS.toUpperCase().replace("0X", "0x"))],
    ["leading zero timestamp", GOOD.replace("1700000000000", "01700000000000")],
    ["signed timestamp", GOOD.replace("1700000000000", "+1700000000000")],
    ["float timestamp", GOOD.replace("1700000000000", "1700000000000.5")],
    ["unsafe timestamp", GOOD.replace("1700000000000", "9007199254740993")],
    ["unknown context", GOOD.replace("GUI-to-Engine", "CLI")],
    ["lowercase prefix", GOOD.replace("Flowork", "flowork")],
    ["missing field", GOOD.replace(` | nonce=${base.nonce}`, "")],
    ["extra field", `${GOOD} | extra=1`],
    ["reordered fields", GOOD.replace("address=", "addr=")],
    ["scope with separator", GOOD.replace("scope=eng_1234", "scope=eng | 1234")],
    ["empty scope", GOOD.replace("scope=eng_1234", "scope=")],
    ["short nonce", GOOD.replace(base.nonce, "abc")],
    ["nonce with dot", GOOD.replace(base.nonce, "abcdefABCDEF0123_.xy")],
    ["uppercase sha", GOOD.replace(EMPTY_SHA256, EMPTY_SHA256.toUpperCase())],
    ["short sha", GOOD.slice(0, -1)],
    ["trailing newline", `${GOOD}\n`],
    ["leading space", ` ${GOOD}`],
    ["double spaces", GOOD.replace(" | address", "  | address")],
    ["too long", GOOD.replace("eng_1234", "e".repeat(MAX_MESSAGE_LENGTH))],
    ["empty", ""],
  ])("refuses %s with AUTH_MALFORMED", (_name, message) => {
    expect(codeOf(() => parseMessage(message))).toBe("AUTH_MALFORMED");
  });

  it.each([undefined, null, 42, {}, [], Symbol("x"), 10n])("refuses a non-string %#", (value) => {
    expect(codeOf(() => parseMessage(value))).toBe("AUTH_MALFORMED");
  });
});

describe("scopes", () => {
  it("builds API scopes from method and raw path", () => {
    expect(apiScope("post", "/api/v1/user/engines?x=1")).toBe("POST /api/v1/user/engines?x=1");
    expect(isValidApiTarget("GET", "/a?b=c d")).toBe(true);
    expect(isValidApiTarget("GET", "a")).toBe(false);
    expect(isValidApiTarget("G T", "/a")).toBe(false);
    expect(isValidApiTarget("GET", "/a | b")).toBe(false);
  });

  it("accepts spaces and bars but never the separator", () => {
    expect(isValidScope("POST /x?q=a b|c")).toBe(true);
    expect(isValidScope("a | b")).toBe(false);
    expect(isValidScope("a\tb")).toBe(false);
    expect(isValidScope("a\u007fb")).toBe(false);
  });
});
