import { FloworkError } from "@flowork/protocol";
import { describe, expect, it } from "vitest";
import { checkApiKey, isApiKeyValid } from "./api-key.js";

const KEY = "s3cret-internal-key";

function codeOf(fn: () => void): string | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(FloworkError);
    expect((err as FloworkError).status).toBe(401);
    return (err as FloworkError).code;
  }
}

describe("checkApiKey", () => {
  it("accepts the configured key", () => {
    expect(() => checkApiKey(KEY, KEY)).not.toThrow();
    expect(isApiKeyValid(KEY, KEY)).toBe(true);
  });

  it.each([
    ["a wrong key", "s3cret-internal-kez"],
    ["a prefix of the key", "s3cret"],
    ["a longer key", `${KEY}x`],
    ["a missing header", undefined],
    ["an empty header", ""],
    ["a repeated header", [KEY, KEY]],
  ])("refuses %s with AUTH_INVALID_API_KEY", (_name, header) => {
    expect(codeOf(() => checkApiKey(header, KEY))).toBe("AUTH_INVALID_API_KEY");
    expect(isApiKeyValid(header, KEY)).toBe(false);
  });

  it.each([undefined, ""])("refuses everything when no key is configured (%j)", (expected) => {
    expect(codeOf(() => checkApiKey("", expected))).toBe("AUTH_INVALID_API_KEY");
    expect(codeOf(() => checkApiKey(undefined, expected))).toBe("AUTH_INVALID_API_KEY");
    expect(codeOf(() => checkApiKey("anything", expected))).toBe("AUTH_INVALID_API_KEY");
  });
});
