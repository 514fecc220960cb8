import type { VariableView } from "@flowork/protocol";
import { describe, expect, it } from "vitest";
import {
  checkVariableForm,
  emptyVariableForm,
  MASK,
  shownValue,
  toggleEnabledData,
  variableFormFrom,
} from "./variables.js";

const secret: VariableView = {
  name: "API_TOKEN",
  value: "",
  values: [],
  mode: "single",
  is_secret: true,
  is_enabled: true,
};
const plain: VariableView = {
  name: "GREETING",
  value: "hello",
  values: [],
  mode: "single",
  is_secret: false,
  is_enabled: true,
};

describe("variable form", () => {
  it("builds update_variable data for a new plain and a new secret variable", () => {
    expect(checkVariableForm({ ...emptyVariableForm(), name: "CITY", value: "Oslo" }, undefined, [])).toEqual(
      {
        ok: true,
        name: "CITY",
        data: { mode: "single", value: "Oslo", is_secret: false, is_enabled: true },
      },
    );
    const r = checkVariableForm(
      { ...emptyVariableForm(), name: "TOKEN", value: "s3cret", is_secret: true },
      undefined,
      [],
    );
    expect(r).toMatchObject({ ok: true, data: { value: "s3cret", is_secret: true } });
  });

  it("checks names: format, length and duplicates when creating", () => {
    const err = (name: string, existing: string[] = []) =>
      checkVariableForm({ ...emptyVariableForm(), name, value: "x" }, undefined, existing);
    expect(err("")).toMatchObject({ ok: false, errors: { name: "A name is required." } });
    expect(err("lower")).toMatchObject({ ok: false, errors: { name: expect.stringMatching(/Upper-case/) } });
    expect(err("9LIVES")).toMatchObject({ ok: false });
    expect(err(`A${"B".repeat(128)}`)).toMatchObject({
      ok: false,
      errors: { name: "At most 128 characters." },
    });
    expect(err("GREETING", ["GREETING"])).toMatchObject({ ok: false, errors: { name: /edit it instead/ } });
  });

  it("never pre-fills a secret and requires a new value to edit one", () => {
    const form = variableFormFrom(secret);
    expect(form.value).toBe("");
    const r = checkVariableForm(form, secret, ["API_TOKEN"]);
    expect(r).toMatchObject({ ok: false, errors: { value: expect.stringMatching(/Type a new value/) } });
    expect(checkVariableForm({ ...form, value: "rotated" }, secret, ["API_TOKEN"])).toMatchObject({
      ok: true,
      name: "API_TOKEN",
      data: { value: "rotated", is_secret: true },
    });
    // A new secret needs a value too; a plain variable may be empty.
    expect(
      checkVariableForm({ ...emptyVariableForm(), name: "S", is_secret: true }, undefined, []),
    ).toMatchObject({ ok: false, errors: { value: "A secret needs a value." } });
    expect(checkVariableForm(variableFormFrom({ ...plain, value: "" }), plain, [])).toMatchObject({
      ok: true,
    });
  });

  it("takes list values one per line for random and sequential variables", () => {
    const r = checkVariableForm(
      { ...emptyVariableForm(), name: "PICK", mode: "random", values: "a\r\n\nb\n  \nc" },
      undefined,
      [],
    );
    expect(r).toMatchObject({ ok: true, data: { mode: "random", values: ["a", "b", "c"] } });
    expect(
      checkVariableForm(
        { ...emptyVariableForm(), name: "PICK", mode: "sequential", values: "\n" },
        undefined,
        [],
      ),
    ).toMatchObject({ ok: false, errors: { values: expect.stringMatching(/at least one/) } });
  });

  it("shows a mask for secrets and toggles without resending the value", () => {
    expect(shownValue(secret)).toBe(MASK);
    expect(shownValue(plain)).toBe("hello");
    expect(shownValue({ ...plain, mode: "random", values: ["a", "b"] })).toBe("a, b");
    const data = toggleEnabledData(secret);
    expect(data).toEqual({ mode: "single", is_secret: true, is_enabled: false });
    expect("value" in data).toBe(false);
  });
});
