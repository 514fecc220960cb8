import { describe, expect, it } from "vitest";
import {
  ERROR_CATALOGUE,
  ERROR_CODES,
  FloworkError,
  httpStatusOf,
  isErrorCode,
  toFloworkError,
} from "./errors.js";

/** SPEC section 9, copied by hand: the catalogue must match it exactly. */
const SPEC_STATUSES = {
  AUTH_MISSING: 401,
  AUTH_MALFORMED: 401,
  AUTH_INVALID_SIGNATURE: 401,
  AUTH_EXPIRED: 401,
  AUTH_REPLAY: 401,
  AUTH_SCOPE_MISMATCH: 401,
  AUTH_PAYLOAD_MISMATCH: 401,
  AUTH_INVALID_TOKEN: 401,
  AUTH_INVALID_API_KEY: 401,
  AUTH_NOT_AUTHORIZED: 403,
  AUTH_FORBIDDEN_ROLE: 403,
  VALIDATION_FAILED: 400,
  BAD_REQUEST: 400,
  UNKNOWN_MESSAGE_TYPE: 400,
  WORKFLOW_INVALID: 400,
  NOT_FOUND: 404,
  CONFLICT: 409,
  QUOTA_EXCEEDED: 402,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  ENGINE_OFFLINE: 503,
  TIMEOUT: 504,
  COMPONENT_NOT_FOUND: 400,
  COMPONENT_DISABLED: 400,
  NODE_TIMEOUT: 400,
  LOOP_LIMIT: 400,
  SANDBOX_VIOLATION: 400,
  USER_ERROR: 400,
  HTTP_ERROR: 400,
  INTERNAL: 500,
} as const;

describe("error catalogue", () => {
  it("holds exactly the codes of SPEC section 9", () => {
    expect([...ERROR_CODES].sort()).toEqual(Object.keys(SPEC_STATUSES).sort());
  });

  for (const [code, status] of Object.entries(SPEC_STATUSES)) {
    describe(code, () => {
      it("exists, and its key equals its code", () => {
        expect(isErrorCode(code)).toBe(true);
        const err = new FloworkError(code as keyof typeof SPEC_STATUSES);
        expect(err.code).toBe(code);
        expect(err.toBody().code).toBe(code);
      });
      it(`has HTTP status ${status}`, () => {
        expect(httpStatusOf(code as keyof typeof SPEC_STATUSES)).toBe(status);
        expect(new FloworkError(code as keyof typeof SPEC_STATUSES).status).toBe(status);
      });
      it("has a non-empty default message", () => {
        expect(ERROR_CATALOGUE[code as keyof typeof SPEC_STATUSES].message.length).toBeGreaterThan(0);
      });
    });
  }

  it("isErrorCode refuses non-codes, including inherited object keys", () => {
    for (const value of [
      "",
      "toString",
      "constructor",
      "__proto__",
      "hasOwnProperty",
      "auth_missing",
      401,
      null,
      undefined,
      {},
    ]) {
      expect(isErrorCode(value)).toBe(false);
    }
  });
});

describe("FloworkError", () => {
  it("uses the catalogue message by default and keeps a custom one", () => {
    expect(new FloworkError("NOT_FOUND").message).toBe(ERROR_CATALOGUE.NOT_FOUND.message);
    expect(new FloworkError("NOT_FOUND", "no preset named x").message).toBe("no preset named x");
  });

  it("is an Error with name FloworkError and retryable false unless told", () => {
    const err = new FloworkError("TIMEOUT");
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe("FloworkError");
    expect(err.retryable).toBe(false);
    expect(new FloworkError("TIMEOUT", undefined, { retryable: true }).retryable).toBe(true);
  });

  it("toBody() omits details when there are none", () => {
    const body = new FloworkError("CONFLICT", "username taken").toBody();
    expect(body).toEqual({ code: "CONFLICT", message: "username taken" });
    expect(Object.hasOwn(body, "details")).toBe(false);
  });

  it("toBody() includes details when given, and survives JSON", () => {
    const details = { limit: "engines" };
    const body = new FloworkError("QUOTA_EXCEEDED", undefined, { details }).toBody();
    expect(body).toEqual({
      code: "QUOTA_EXCEEDED",
      message: ERROR_CATALOGUE.QUOTA_EXCEEDED.message,
      details,
    });
    expect(JSON.parse(JSON.stringify(body))).toEqual(body);
  });

  it("toBody() never carries the stack or the cause", () => {
    const body = new FloworkError("INTERNAL", undefined, {
      cause: new Error("db password is hunter2"),
    }).toBody();
    const text = JSON.stringify(body);
    expect(text).not.toContain("hunter2");
    expect(text).not.toContain("at ");
    expect(Object.keys(body).sort()).toEqual(["code", "message"]);
  });
});

describe("toFloworkError", () => {
  it("returns a FloworkError unchanged", () => {
    const err = new FloworkError("NOT_FOUND", "no job j1");
    expect(toFloworkError(err)).toBe(err);
  });

  const leaks: [string, unknown][] = [
    ["an Error", new Error("ECONNREFUSED 10.0.0.5:5432 password=hunter2")],
    ["a TypeError", new TypeError("Cannot read properties of undefined (reading 'hunter2')")],
    ["a string", "secret hunter2"],
    ["an object", { message: "hunter2", code: "NOT_FOUND", status: 404 }],
    ["undefined", undefined],
    ["null", null],
  ];
  for (const [label, thrown] of leaks) {
    it(`turns ${label} into INTERNAL with the generic message`, () => {
      const err = toFloworkError(thrown);
      expect(err).toBeInstanceOf(FloworkError);
      expect(err.code).toBe("INTERNAL");
      expect(err.status).toBe(500);
      expect(err.message).toBe(ERROR_CATALOGUE.INTERNAL.message);
      expect(JSON.stringify(err.toBody())).not.toContain("hunter2");
      expect(err.cause).toBe(thrown === undefined ? undefined : thrown);
    });
  }
});
