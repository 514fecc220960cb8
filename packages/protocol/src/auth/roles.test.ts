import { describe, expect, it } from "vitest";
import { FloworkError } from "../errors.js";
import type { Role } from "../schemas/common.js";
import { assertEngineRole } from "./roles.js";

function codeOf(have: Role | undefined, need: Role): string | undefined {
  try {
    assertEngineRole(have, need);
  } catch (err) {
    return err instanceof FloworkError ? err.code : "NOT_A_FLOWORK_ERROR";
  }
  return undefined;
}

describe("assertEngineRole (rule 7)", () => {
  it("no role → AUTH_NOT_AUTHORIZED", () => {
    expect(codeOf(undefined, "reader")).toBe("AUTH_NOT_AUTHORIZED");
  });

  it("a weaker role → AUTH_FORBIDDEN_ROLE", () => {
    expect(codeOf("reader", "runner")).toBe("AUTH_FORBIDDEN_ROLE");
    expect(codeOf("runner", "admin")).toBe("AUTH_FORBIDDEN_ROLE");
    expect(codeOf("admin", "owner")).toBe("AUTH_FORBIDDEN_ROLE");
  });

  it("an equal or stronger role passes and is returned", () => {
    expect(assertEngineRole("runner", "runner")).toBe("runner");
    expect(assertEngineRole("owner", "reader")).toBe("owner");
    expect(codeOf("admin", "runner")).toBeUndefined();
  });
});
