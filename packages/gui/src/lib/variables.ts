import type { VariableData, VariableMode, VariableView } from "@flowork/protocol";

/** SPEC section 4: `^[A-Z][A-Z0-9_]*$`, at most 128 characters. */
export const VARIABLE_NAME = /^[A-Z][A-Z0-9_]*$/;
const MAX_NAME = 128;
const MAX_VALUE = 65_536;
const MAX_VALUES = 1000;

/** What the variable form holds: text as typed, `values` one per line. */
export interface VariableForm {
  name: string;
  mode: VariableMode;
  value: string;
  values: string;
  is_secret: boolean;
  is_enabled: boolean;
}

export type VariableFormErrors = Partial<Record<"name" | "value" | "values", string>>;

export type VariableFormResult =
  | { ok: true; name: string; data: VariableData }
  | { ok: false; errors: VariableFormErrors };

/** What a secret shows instead of its value (the engine never sends it back). */
export const MASK = "••••••••";

export function emptyVariableForm(): VariableForm {
  return { name: "", mode: "single", value: "", values: "", is_secret: false, is_enabled: true };
}

/** The form to edit `v`. A secret's value is not known here, so its fields start empty. */
export function variableFormFrom(v: VariableView): VariableForm {
  return {
    name: v.name,
    mode: v.mode,
    value: v.is_secret ? "" : v.value,
    values: v.is_secret ? "" : v.values.join("\n"),
    is_secret: v.is_secret,
    is_enabled: v.is_enabled,
  };
}

/** The value column: a mask for secrets, the list for random / sequential variables. */
export function shownValue(v: VariableView): string {
  if (v.is_secret) return MASK;
  return v.mode === "single" ? v.value : v.values.join(", ");
}

function lines(text: string): string[] {
  return text
    .split("\n")
    .map((l) => l.replace(/\r$/, ""))
    .filter((l) => l.trim() !== "");
}

/**
 * Checks the form and builds the `update_variable` payload. `editing` is the variable being edited (undefined
 * when creating); `existing` are the names already on the engine. Editing a secret requires a new value: the old
 * one is never shown, so what is saved is always what was typed.
 */
export function checkVariableForm(
  form: VariableForm,
  editing: VariableView | undefined,
  existing: readonly string[],
): VariableFormResult {
  const errors: VariableFormErrors = {};
  const name = form.name.trim();
  if (name === "") errors.name = "A name is required.";
  else if (name.length > MAX_NAME) errors.name = `At most ${MAX_NAME} characters.`;
  else if (!VARIABLE_NAME.test(name)) {
    errors.name = "Upper-case letters, digits and _, starting with a letter (e.g. API_TOKEN).";
  } else if (!editing && existing.includes(name)) {
    errors.name = "A variable with this name exists: edit it instead.";
  }
  const needsNewSecret = form.is_secret && (!editing || editing.is_secret);
  const data: VariableData = { mode: form.mode, is_secret: form.is_secret, is_enabled: form.is_enabled };
  if (form.mode === "single") {
    if (form.value.length > MAX_VALUE) errors.value = "At most 64 KiB.";
    else if (needsNewSecret && form.value === "") {
      errors.value = editing
        ? "Type a new value: a secret is never shown, so saving replaces it."
        : "A secret needs a value.";
    }
    data.value = form.value;
  } else {
    const values = lines(form.values);
    if (values.length === 0) {
      errors.values =
        needsNewSecret && editing
          ? "Type the new values, one per line: a secret is never shown, so saving replaces them."
          : "Give at least one value, one per line.";
    } else if (values.length > MAX_VALUES) errors.values = `At most ${MAX_VALUES} values.`;
    else if (values.some((v) => v.length > MAX_VALUE)) errors.values = "Each value is at most 64 KiB.";
    data.values = values;
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, name, data };
}

/** The payload that flips `is_enabled` and keeps the stored value (absent `value`/`values` keep it). */
export function toggleEnabledData(v: VariableView): VariableData {
  return { mode: v.mode, is_secret: v.is_secret, is_enabled: !v.is_enabled };
}
