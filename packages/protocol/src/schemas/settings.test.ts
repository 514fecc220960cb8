import { describe, expect, it } from "vitest";
import { DEFAULT_SETTINGS, EngineSettingsPatchSchema, EngineSettingsSchema } from "./settings.js";

describe("EngineSettingsPatchSchema", () => {
  it("accepts an empty patch and any subset", () => {
    expect(EngineSettingsPatchSchema.parse({})).toEqual({});
    expect(EngineSettingsPatchSchema.parse({ log_level: "DEBUG", max_concurrent_executions: 2 })).toEqual({
      log_level: "DEBUG",
      max_concurrent_executions: 2,
    });
  });

  it("refuses unknown keys, reporting them as unrecognized_keys", () => {
    const r = EngineSettingsPatchSchema.safeParse({ log_level: "INFO", max_threads: 4 });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.code)).toContain("unrecognized_keys");
  });

  it("refuses a __proto__ key", () => {
    expect(EngineSettingsPatchSchema.safeParse(JSON.parse('{"__proto__":{"x":1}}')).success).toBe(false);
  });

  const bad: [string, Record<string, unknown>][] = [
    ["zero concurrency", { max_concurrent_executions: 0 }],
    ["fractional concurrency", { max_concurrent_executions: 1.5 }],
    ["a string timeout", { node_timeout_seconds: "300" }],
    ["a zero timeout", { node_timeout_seconds: 0 }],
    ["negative retention", { execution_retention_days: -1 }],
    ["an unknown log level", { log_level: "TRACE" }],
    ["hosts not an array", { http_allowed_hosts: "localhost" }],
    ["an empty host", { http_allowed_hosts: [""] }],
    ["a string boolean", { enable_dangerous_components: "true" }],
  ];
  for (const [label, value] of bad) {
    it(`rejects ${label}`, () => {
      expect(EngineSettingsPatchSchema.safeParse(value).success).toBe(false);
    });
  }
});

describe("EngineSettingsSchema", () => {
  it("applies the SPEC section 4 defaults", () => {
    expect(EngineSettingsSchema.parse({})).toEqual({
      max_concurrent_executions: 8,
      node_timeout_seconds: 300,
      max_steps_per_execution: 10_000,
      execution_retention_days: 30,
      log_level: "INFO",
      http_allowed_hosts: [],
      enable_dangerous_components: false,
      resume_interrupted: true,
    });
    expect(EngineSettingsSchema.parse({})).toEqual(DEFAULT_SETTINGS);
  });

  it("lays a patch over the defaults", () => {
    const s = EngineSettingsSchema.parse({
      enable_dangerous_components: true,
      http_allowed_hosts: ["10.0.0.5"],
    });
    expect(s.enable_dangerous_components).toBe(true);
    expect(s.http_allowed_hosts).toEqual(["10.0.0.5"]);
    expect(s.max_concurrent_executions).toBe(8);
  });

  it("still refuses unknown keys", () => {
    expect(EngineSettingsSchema.safeParse({ nope: 1 }).success).toBe(false);
  });

  it("freezes the defaults object", () => {
    expect(Object.isFrozen(DEFAULT_SETTINGS)).toBe(true);
  });

  // Regression: every parse shared DEFAULT_SETTINGS.http_allowed_hosts, so one caller's push widened the SSRF
  // allow-list of all.
  it("gives each parse its own http_allowed_hosts array", () => {
    const a = EngineSettingsSchema.parse({});
    expect(a.http_allowed_hosts).not.toBe(DEFAULT_SETTINGS.http_allowed_hosts);
  });
});
