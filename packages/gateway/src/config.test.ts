import { describe, expect, it } from "vitest";
import { gatewayConfigFrom } from "./config.js";

describe("gatewayConfigFrom", () => {
  it("reads the vitals knobs, with their defaults", () => {
    const d = gatewayConfigFrom({ data: "/tmp/x" }, {});
    expect(d).toMatchObject({ vitalsFlushMaxMs: 1_000, vitalsPersistMs: 30_000, port: 8000 });
    const c = gatewayConfigFrom(
      { data: "/tmp/x" },
      { FLOWORK_GATEWAY_VITALS_FLUSH_MAX_MS: "250", FLOWORK_GATEWAY_VITALS_PERSIST_MS: "5000" },
    );
    expect(c).toMatchObject({ vitalsFlushMaxMs: 250, vitalsPersistMs: 5_000 });
  });

  it("refuses out-of-range or non-decimal values with VALIDATION_FAILED naming the variable", () => {
    for (const [name, value] of [
      ["FLOWORK_GATEWAY_VITALS_FLUSH_MAX_MS", "5"],
      ["FLOWORK_GATEWAY_VITALS_PERSIST_MS", "1e4"],
      ["PORT", "70000"],
    ] as const) {
      expect(() => gatewayConfigFrom({ data: "/tmp/x" }, { [name]: value })).toThrow(
        expect.objectContaining({ code: "VALIDATION_FAILED", message: expect.stringContaining(name) }),
      );
    }
  });
});
