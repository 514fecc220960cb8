import type { ComponentProperty } from "@flowork/protocol";
import { describe, expect, it } from "vitest";
import { defaultConfig, fieldsFor, formatValue, parseValue, validateConfig } from "./config-form.js";

const prop = (
  type: ComponentProperty["type"],
  extra: Partial<ComponentProperty> = {},
): ComponentProperty => ({
  id: "p",
  type,
  label: "P",
  ...extra,
});

describe("config form generator", () => {
  it("maps every property type of SPEC section 6 to a widget", () => {
    const types: ComponentProperty["type"][] = [
      "string",
      "textarea",
      "integer",
      "float",
      "boolean",
      "enum",
      "list",
      "json",
      "code",
      "cron_editor",
      "key_value",
      "variable",
    ];
    const fields = fieldsFor(types.map((t, i) => prop(t, { id: `p${i}`, required: i % 2 === 0 })));
    expect(fields.map((f) => f.widget)).toEqual([
      "text",
      "textarea",
      "number",
      "number",
      "checkbox",
      "select",
      "textarea",
      "code",
      "code",
      "cron",
      "textarea",
      "variable",
    ]);
    expect(fields.map((f) => f.required)).toEqual(types.map((_, i) => i % 2 === 0));
  });

  it("normalises enum options (plain and {value,label})", () => {
    const [f] = fieldsFor([prop("enum", { options: ["a", 2, { value: true, label: "Yes" }] })]);
    expect(f?.options).toEqual([
      { value: "a", label: "a" },
      { value: "2", label: "2" },
      { value: "true", label: "Yes" },
    ]);
    expect(parseValue(prop("enum", { options: ["a", 2] }), "2")).toEqual({ ok: true, value: 2 });
    expect(parseValue(prop("enum", { options: ["a"] }), "b")).toMatchObject({ ok: false });
  });

  it("parses and validates each type, with a sentence for each problem", () => {
    expect(parseValue(prop("integer"), "42")).toEqual({ ok: true, value: 42 });
    expect(parseValue(prop("integer"), "4.2")).toMatchObject({
      ok: false,
      error: "P must be a whole number.",
    });
    expect(parseValue(prop("integer"), "{{vars.N}}")).toEqual({ ok: true, value: "{{vars.N}}" });
    expect(parseValue(prop("float"), "0.5")).toEqual({ ok: true, value: 0.5 });
    expect(parseValue(prop("float"), "x")).toMatchObject({ ok: false });
    expect(parseValue(prop("boolean"), "true")).toEqual({ ok: true, value: true });
    expect(parseValue(prop("list"), "a\n\n b ")).toEqual({ ok: true, value: ["a", "b"] });
    expect(parseValue(prop("json"), '{"a":1}')).toEqual({ ok: true, value: { a: 1 } });
    expect(parseValue(prop("json"), "{a")).toMatchObject({ ok: false });
    expect(parseValue(prop("key_value"), "a=1\nb = two")).toEqual({ ok: true, value: { a: "1", b: "two" } });
    expect(parseValue(prop("key_value"), "nope")).toMatchObject({
      ok: false,
      error: "Line 1 of P must be key=value.",
    });
    expect(parseValue(prop("cron_editor"), "*/5 * * * *")).toEqual({ ok: true, value: "*/5 * * * *" });
    expect(parseValue(prop("cron_editor"), "every minute")).toMatchObject({ ok: false });
    expect(parseValue(prop("variable"), "API_KEY")).toEqual({ ok: true, value: "API_KEY" });
    expect(parseValue(prop("variable"), "api key")).toMatchObject({ ok: false });
    expect(parseValue(prop("string", { required: true }), " ")).toMatchObject({
      ok: false,
      error: "P is required.",
    });
    expect(parseValue(prop("string"), "")).toEqual({ ok: true, value: undefined });
  });

  it("round-trips values through the form text", () => {
    const cases: [ComponentProperty, unknown][] = [
      [prop("key_value"), { a: "1", b: "x" }],
      [prop("list"), ["a", "b"]],
      [prop("json"), { deep: [1, { x: null }] }],
      [prop("integer"), 7],
      [prop("boolean"), false],
      [prop("code"), "return payload;\n"],
    ];
    for (const [p, value] of cases) expect(parseValue(p, formatValue(p, value))).toEqual({ ok: true, value });
  });

  it("validates a whole config and fills defaults", () => {
    const props = [
      prop("string", { id: "message", required: true }),
      prop("enum", { id: "level", options: ["INFO", "WARN"], default: "INFO" }),
      prop("key_value", { id: "fields", required: true, default: {} }),
    ];
    expect(defaultConfig(props)).toEqual({ level: "INFO", fields: {} });
    expect(validateConfig(props, defaultConfig(props))).toEqual({ message: "P is required." });
    expect(validateConfig(props, { message: "hi", level: "INFO" })).toEqual({});
  });
});
