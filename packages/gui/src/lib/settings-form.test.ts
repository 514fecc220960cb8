import { DEFAULT_SETTINGS } from "@flowork/protocol";
import { describe, expect, it } from "vitest";
import { draftErrors, draftFrom, parseField, settingsFields, settingsPatch } from "./settings-form.js";

describe("settings form", () => {
  const fields = settingsFields();
  const byKey = (k: string) => {
    const f = fields.find((x) => x.key === k);
    if (!f) throw new Error(`no field ${k}`);
    return f;
  };

  it("derives one typed field per setting of the protocol's schema, with its bounds", () => {
    expect(fields.map((f) => f.key)).toEqual(Object.keys(DEFAULT_SETTINGS));
    expect(byKey("max_concurrent_executions")).toMatchObject({ kind: "integer", min: 1, max: 1024 });
    expect(byKey("node_timeout_seconds")).toMatchObject({ kind: "number", min: 0.001, max: 86_400 });
    expect(byKey("log_level")).toMatchObject({ kind: "enum", options: ["DEBUG", "INFO", "WARN", "ERROR"] });
    expect(byKey("http_allowed_hosts")).toMatchObject({ kind: "list", maxItems: 1000, itemMaxLength: 253 });
    expect(byKey("resume_interrupted")).toMatchObject({ kind: "boolean", label: "Resume interrupted runs" });
  });

  it("follows a schema it does not know the words for", () => {
    const f = settingsFields({ properties: { new_knob: { type: "integer", minimum: 2 } } });
    expect(f).toEqual([{ key: "new_knob", kind: "integer", label: "New knob", help: "", min: 2 }]);
  });

  it("validates inline with sentences", () => {
    const max = byKey("max_concurrent_executions");
    expect(parseField(max, "")).toEqual({ error: "A value is required." });
    expect(parseField(max, "ten")).toEqual({ error: "A number is required." });
    expect(parseField(max, "2.5")).toEqual({ error: "A whole number is required." });
    expect(parseField(max, "0")).toEqual({ error: "Between 1 and 1024." });
    expect(parseField(max, " 4 ")).toEqual({ value: 4 });
    expect(parseField(byKey("log_level"), "LOUD")).toMatchObject({ error: expect.stringMatching(/One of/) });
    expect(parseField(byKey("http_allowed_hosts"), "a.lan\n\n b.lan ")).toEqual({
      value: ["a.lan", "b.lan"],
    });
    expect(parseField(byKey("http_allowed_hosts"), "x".repeat(254))).toMatchObject({
      error: /longer than 253/,
    });
  });

  it("sends only what changed, and nothing when a field is wrong", () => {
    const saved = { ...DEFAULT_SETTINGS, http_allowed_hosts: ["a.lan"] };
    const draft = draftFrom(saved, fields);
    expect(draft.http_allowed_hosts).toBe("a.lan");
    expect(draftErrors(fields, draft)).toEqual({});
    expect(settingsPatch(fields, draft, saved)).toEqual({ patch: {}, errors: {} });
    const edited = {
      ...draft,
      max_concurrent_executions: "4",
      enable_dangerous_components: true,
      log_level: "DEBUG",
    };
    expect(settingsPatch(fields, edited, saved)).toEqual({
      patch: { max_concurrent_executions: 4, enable_dangerous_components: true, log_level: "DEBUG" },
      errors: {},
    });
    const bad = settingsPatch(fields, { ...edited, execution_retention_days: "-1" }, saved);
    expect(bad.errors).toEqual({ execution_retention_days: "Between 0 and 36500." });
  });
});
