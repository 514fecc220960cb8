import { FloworkError } from "@flowork/protocol";
import { describe, expect, it } from "vitest";
import { parseAuthorizedAddresses, standaloneAuthList, standaloneAuthListFromEnv } from "./standalone.js";

const A = `0x${"a".repeat(40)}`;
const B = `0x${"B".repeat(40)}`;
const C = `0x${"c".repeat(40)}`;

function failure(fn: () => unknown): FloworkError {
  try {
    fn();
  } catch (err) {
    if (err instanceof FloworkError) return err;
    throw err;
  }
  throw new Error("expected a FloworkError");
}

describe("parseAuthorizedAddresses", () => {
  it("parses address:role entries, lowercasing addresses and roles", () => {
    expect(parseAuthorizedAddresses(`${A}:owner,${B}:RUNNER`)).toEqual([
      { address: A, role: "owner" },
      { address: B.toLowerCase(), role: "runner" },
    ]);
  });

  it("tolerates whitespace, newlines and empty entries", () => {
    expect(parseAuthorizedAddresses(`  ${A} : owner ,\n ${C}:reader , ,`)).toEqual([
      { address: A, role: "owner" },
      { address: C, role: "reader" },
    ]);
  });

  it("makes a lone address without a role the owner", () => {
    expect(parseAuthorizedAddresses(` ${B} `)).toEqual([{ address: B.toLowerCase(), role: "owner" }]);
  });

  it("refuses an address without a role among others", () => {
    const err = failure(() => parseAuthorizedAddresses(`${A}:owner,${B}`));
    expect(err.code).toBe("VALIDATION_FAILED");
    expect(err.message).toContain("entry 2");
    expect(err.message).toContain("no role");
  });

  it("lists every bad entry at once", () => {
    const err = failure(() =>
      parseAuthorizedAddresses(`0x12:owner,${A}:king,${A}:owner,${C}:admin,${C}:reader`),
    );
    expect(err.code).toBe("VALIDATION_FAILED");
    const issues = err.details?.issues as { path: unknown[]; message: string }[];
    // A is refused twice: once for its role, once for being listed again
    expect(issues.map((i) => i.path[1])).toEqual([0, 1, 2, 4]);
    expect(issues[0]?.message).toContain("not an address");
    expect(issues[1]?.message).toContain('unknown role "king"');
    expect(issues[2]?.message).toContain("more than once");
    expect(issues[3]?.message).toContain("more than once");
    expect(err.message).toContain("entry 1");
    expect(err.message).toContain("entry 5");
  });

  it.each(["", "   ", ",,"])("refuses an empty list %j", (raw) => {
    expect(failure(() => parseAuthorizedAddresses(raw)).code).toBe("VALIDATION_FAILED");
  });
});

describe("standaloneAuthList", () => {
  it("builds a list named by the engine id", () => {
    const list = standaloneAuthList({
      engineId: " my-engine ",
      authorizedAddresses: `${A}:owner,${C}:runner`,
    });
    expect(list.engineId).toBe("my-engine");
    expect(list.roleOf(A)).toBe("owner");
    expect(list.roleOf(C)).toBe("runner");
    expect(list.roleOf(B)).toBeUndefined();
    expect(list.disabledComponents.size).toBe(0);
  });

  it("reports a missing engine id and bad addresses together", () => {
    const err = failure(() => standaloneAuthList({ engineId: undefined, authorizedAddresses: "nope:owner" }));
    const issues = err.details?.issues as { path: unknown[] }[];
    expect(issues.map((i) => i.path[0])).toEqual(["FLOWORK_ENGINE_ID", "FLOWORK_AUTHORIZED_ADDRESSES"]);
    expect(err.message).toContain("FLOWORK_ENGINE_ID");
  });

  it("refuses an engine id that cannot be signed as a scope", () => {
    const err = failure(() => standaloneAuthList({ engineId: "a | b", authorizedAddresses: A }));
    expect(err.code).toBe("VALIDATION_FAILED");
  });

  it("refuses a missing address list", () => {
    const err = failure(() => standaloneAuthList({ engineId: "e", authorizedAddresses: undefined }));
    expect(err.message).toContain("FLOWORK_AUTHORIZED_ADDRESSES");
  });

  it("reads the environment", () => {
    const list = standaloneAuthListFromEnv({
      FLOWORK_ENGINE_ID: "env-engine",
      FLOWORK_AUTHORIZED_ADDRESSES: A,
    });
    expect(list.engineId).toBe("env-engine");
    expect(list.roleOf(A)).toBe("owner");
  });
});
