import { describe, expect, it } from "vitest";
import { ManifestSchema, PropertyTypeSchema } from "./manifest.js";

const VALID = {
  id: "http_request",
  name: "HTTP Request",
  version: "1.0.0",
  type: "ACTION",
  category: "Network",
  description: "Calls a URL.",
  icon: "globe",
  properties: [
    { id: "url", type: "string", label: "URL", required: true },
    { id: "method", type: "enum", label: "Method", default: "GET", options: ["GET", "POST"] },
    { id: "mode", type: "enum", label: "Mode", options: [{ value: "a", label: "A" }, 1, true] },
  ],
  input_ports: [{ name: "input" }],
  output_ports: [{ name: "success", display_name: "Success" }],
  side_effects: true,
  simulate_output: { status: 200, body: {} },
};

describe("ManifestSchema", () => {
  it("accepts a full manifest", () => {
    expect(ManifestSchema.parse(VALID)).toEqual(VALID);
  });

  it("accepts a minimal trigger without icon or simulate_output", () => {
    const { icon: _i, simulate_output: _s, ...rest } = VALID;
    expect(ManifestSchema.safeParse({ ...rest, type: "TRIGGER", input_ports: [] }).success).toBe(true);
  });

  it("knows every property type of SPEC section 6", () => {
    const spec =
      "string textarea integer float boolean enum list json code cron_editor key_value variable".split(" ");
    expect([...PropertyTypeSchema.options].sort()).toEqual(spec.sort());
    for (const type of spec) {
      const m = { ...VALID, properties: [{ id: "p", type, label: "P" }] };
      expect(ManifestSchema.safeParse(m).success).toBe(true);
    }
  });

  it("accepts semver with pre-release and build parts", () => {
    for (const version of ["0.0.1", "10.20.30", "1.0.0-beta.1", "1.0.0+build.5"]) {
      expect(ManifestSchema.safeParse({ ...VALID, version }).success).toBe(true);
    }
  });

  const bad: [string, Record<string, unknown>][] = [
    ["an unknown top-level field", { ...VALID, author: "me" }],
    ["an upper-case id", { ...VALID, id: "HttpRequest" }],
    ["a one-char id", { ...VALID, id: "h" }],
    ["an id with a slash", { ...VALID, id: "../etc" }],
    ["an id over 64 chars", { ...VALID, id: `a${"b".repeat(64)}` }],
    ["a non-semver version", { ...VALID, version: "1.0" }],
    ["an unknown type", { ...VALID, type: "SERVICE" }],
    ["side_effects missing", { ...VALID, side_effects: undefined }],
    ["an unknown property type", { ...VALID, properties: [{ id: "p", type: "color", label: "P" }] }],
    ["a property without label", { ...VALID, properties: [{ id: "p", type: "string" }] }],
    ["an unknown property field", { ...VALID, properties: [{ id: "p", type: "string", label: "P", x: 1 }] }],
    ["an output port without display_name", { ...VALID, output_ports: [{ name: "success" }] }],
    ["an empty name", { ...VALID, name: "" }],
  ];
  for (const [label, value] of bad) {
    it(`rejects ${label}`, () => {
      expect(ManifestSchema.safeParse(value).success).toBe(false);
    });
  }
});
