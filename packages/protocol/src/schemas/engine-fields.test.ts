import { describe, expect, it } from "vitest";
import { isJobId, JobIdSchema } from "./engine-fields.js";

describe("isJobId", () => {
  it("accepts exactly what JobIdSchema accepts", () => {
    const values = [
      "job-1",
      "a",
      "A.b:c_d-9",
      "x".repeat(128),
      "x".repeat(129),
      "",
      "bad id",
      "semi;colon",
      "ünï",
      "new\nline",
      "job-mj5x2k1a-3f-abc123",
    ];
    for (const v of values) expect(isJobId(v), v).toBe(JobIdSchema.safeParse(v).success);
  });
});
