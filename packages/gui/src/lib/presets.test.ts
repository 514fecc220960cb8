import { describe, expect, it } from "vitest";
import { loadPresetRequest, shortAddress, versionOptions } from "./presets.js";

describe("preset versions", () => {
  it("lists latest first, then every version newest first", () => {
    const addr = `0x${"ab".repeat(20)}`;
    const opts = versionOptions([
      { version: 1, updated_at: "2025-01-01T00:00:00Z", updated_by: addr },
      { version: 3, updated_at: "2025-01-03T00:00:00Z", updated_by: addr },
      { version: 2, updated_at: "2025-01-02T00:00:00Z", updated_by: "someone" },
    ]);
    expect(opts.map((o) => o.value)).toEqual(["", "3", "2", "1"]);
    expect(opts[0]?.label).toBe("Latest (v3)");
    expect(opts[1]?.label).toMatch(/^v3 · 2025-01-0\d \d\d:\d\d:\d\d · 0xabab…abab$/);
    expect(opts[2]?.label).toMatch(/ · someone$/);
    expect(versionOptions([])).toEqual([{ value: "", label: "Latest" }]);
    expect(shortAddress("0x12")).toBe("0x12");
  });

  it("asks for a version only when one is picked", () => {
    expect(loadPresetRequest("p", "")).toEqual({ type: "load_preset", name: "p" });
    expect(loadPresetRequest("p", "2")).toEqual({ type: "load_preset", name: "p", version: 2 });
    expect(loadPresetRequest("p", "0")).toEqual({ type: "load_preset", name: "p" });
  });
});
