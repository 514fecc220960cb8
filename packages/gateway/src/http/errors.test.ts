import { FloworkError } from "@flowork/protocol";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { errorBody, toHttpError } from "./errors.js";

const fastifyError = (code: string, statusCode?: number) =>
  Object.assign(new Error("fastify says no"), { code, ...(statusCode === undefined ? {} : { statusCode }) });

describe("toHttpError", () => {
  it("keeps FloworkErrors and maps fastify client errors to catalogue codes", () => {
    const own = new FloworkError("CONFLICT");
    expect(toHttpError(own)).toBe(own);
    expect(toHttpError(fastifyError("FST_ERR_CTP_BODY_TOO_LARGE", 413)).code).toBe("PAYLOAD_TOO_LARGE");
    expect(toHttpError(fastifyError("FST_ERR_CTP_INVALID_MEDIA_TYPE", 415)).code).toBe("BAD_REQUEST");
    expect(toHttpError(fastifyError("FST_ERR_SOMETHING_NEW", 418)).code).toBe("BAD_REQUEST");
    expect(toHttpError(fastifyError("FST_ERR_SOMETHING_NEW", 404)).code).toBe("NOT_FOUND");
  });

  it("turns ZodErrors into VALIDATION_FAILED issues and anything else into INTERNAL", () => {
    const zod = z.strictObject({ a: z.string() }).safeParse({ a: "secret-value", b: 1 });
    const mapped = toHttpError(zod.error);
    expect(mapped.code).toBe("VALIDATION_FAILED");
    expect(JSON.stringify(mapped.details)).not.toContain("secret-value");
    expect(toHttpError(new TypeError("x is undefined")).code).toBe("INTERNAL");
    expect(toHttpError("a string").code).toBe("INTERNAL");
  });
});

describe("errorBody", () => {
  it("hides an INTERNAL error's message behind the correlation id", () => {
    const body = errorBody(new FloworkError("INTERNAL", "db password is hunter2"), "c-1");
    expect(body).toEqual({
      error: { code: "INTERNAL", message: "Internal error.", details: { correlation_id: "c-1" } },
    });
    expect(errorBody(new FloworkError("NOT_FOUND", "No such plan."))).toEqual({
      error: { code: "NOT_FOUND", message: "No such plan." },
    });
  });
});
