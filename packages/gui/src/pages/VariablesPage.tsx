import type { VariableMode, VariableView } from "@flowork/protocol";
import { type FormEvent, useCallback, useEffect, useRef, useState } from "react";
import { useStores } from "../app-context.js";
import { errorText } from "../lib/errors.js";
import {
  checkVariableForm,
  emptyVariableForm,
  MASK,
  shownValue,
  toggleEnabledData,
  type VariableForm,
  type VariableFormErrors,
  variableFormFrom,
} from "../lib/variables.js";
import { EnginePicker, hasRole, NoEngine, useChosenEngine } from "./EnginePicker.js";

const MODES: { value: VariableMode; label: string }[] = [
  { value: "single", label: "Single value" },
  { value: "random", label: "Random pick from a list" },
  { value: "sequential", label: "Each value in turn" },
];

/** An engine's variables: list, create, edit, enable/disable, delete. Secrets are write-only. */
export function VariablesPage({
  engineId,
  onEngineChange,
}: {
  engineId: string | undefined;
  onEngineChange: (id: string) => void;
}) {
  const { session, toasts } = useStores();
  const { engines, engine, loaded } = useChosenEngine(engineId);
  const id = engine?.id;
  const canEdit = hasRole(engine, "admin");
  const [vars, setVars] = useState<VariableView[] | undefined>(undefined);
  const [loadError, setLoadError] = useState<string | undefined>(undefined);
  const [editing, setEditing] = useState<VariableView | undefined>(undefined);
  const [form, setForm] = useState<VariableForm>(emptyVariableForm);
  const [errors, setErrors] = useState<VariableFormErrors>({});
  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState<string | undefined>(undefined);
  const seq = useRef(0);

  const load = useCallback(async () => {
    if (!id) return;
    const mine = ++seq.current;
    setLoadError(undefined);
    try {
      const r = await session
        .getState()
        .rpc<{ variables: VariableView[] }>(id, { type: "request_variables" });
      if (mine === seq.current) setVars([...r.variables].sort((a, b) => a.name.localeCompare(b.name)));
    } catch (err) {
      if (mine === seq.current) setLoadError(errorText(err));
    }
  }, [id, session]);

  useEffect(() => {
    setVars(undefined);
    setEditing(undefined);
    setForm(emptyVariableForm());
    setErrors({});
    setActionError(undefined);
    void load();
  }, [load]);

  if (!engine || !id) {
    return (
      <div className="page">
        <h1>Variables</h1>
        <NoEngine loaded={loaded} />
      </div>
    );
  }

  const run = async (fn: () => Promise<void>) => {
    setBusy(true);
    setActionError(undefined);
    try {
      await fn();
    } catch (err) {
      setActionError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  const resetForm = () => {
    setEditing(undefined);
    setForm(emptyVariableForm());
    setErrors({});
  };

  const save = (e: FormEvent) => {
    e.preventDefault();
    const checked = checkVariableForm(
      form,
      editing,
      (vars ?? []).map((v) => v.name),
    );
    if (!checked.ok) {
      setErrors(checked.errors);
      return;
    }
    setErrors({});
    void run(async () => {
      await session.getState().rpc(id, { type: "update_variable", name: checked.name, data: checked.data });
      resetForm(); // the typed value (a secret's too) leaves the page's state
      toasts.getState().push({ level: "success", title: "Variable saved", text: checked.name });
      await load();
    });
  };

  const set = <K extends keyof VariableForm>(key: K, value: VariableForm[K]) =>
    setForm((f) => ({ ...f, [key]: value }));
  const secretEdit = editing?.is_secret === true && form.is_secret;
  const fieldError = (key: keyof VariableFormErrors) =>
    errors[key] ? (
      <span className="field-error" id={`var-${key}-error`} role="alert">
        {errors[key]}
      </span>
    ) : null;

  return (
    <div className="page">
      <h1>Variables</h1>
      <EnginePicker engines={engines} engine={engine} onChange={onEngineChange} />
      <p className="muted">
        Workflows read variables as <code>{"{{vars.NAME}}"}</code>. Secret values are encrypted on the engine
        and never sent back to any browser: they show as {MASK}, and changing one means typing a new value.
      </p>
      {!canEdit && (
        <p className="notice">
          Your role on this engine is {engine.role}: you can see its variables, but only an admin or the owner
          can change them.
        </p>
      )}
      {actionError && (
        <p role="alert" className="error">
          {actionError}
        </p>
      )}
      {loadError ? (
        <div role="alert" className="error">
          Could not load the variables: {loadError}{" "}
          <button type="button" onClick={() => void load()}>
            Retry
          </button>
        </div>
      ) : vars === undefined ? (
        <p className="muted">Loading variables…</p>
      ) : vars.length === 0 ? (
        <p className="empty">No variables on this engine yet.</p>
      ) : (
        <table className="grid" aria-label="Variables">
          <thead>
            <tr>
              <th>Name</th>
              <th>Value</th>
              <th>Mode</th>
              <th>Enabled</th>
              {canEdit && <th>Actions</th>}
            </tr>
          </thead>
          <tbody>
            {vars.map((v) => (
              <tr key={v.name} data-variable={v.name}>
                <td>
                  <code>{v.name}</code>
                </td>
                <td className="value">
                  {v.is_secret ? (
                    <>
                      <span className="masked" title="Secret: the value is never shown">
                        {MASK}
                      </span>{" "}
                      <span className="tag">secret</span>
                    </>
                  ) : (
                    shownValue(v)
                  )}
                </td>
                <td>{MODES.find((m) => m.value === v.mode)?.label ?? v.mode}</td>
                <td>{v.is_enabled ? "yes" : "no"}</td>
                {canEdit && (
                  <td className="actions">
                    <button
                      type="button"
                      aria-label={`Edit ${v.name}`}
                      onClick={() => {
                        setEditing(v);
                        setForm(variableFormFrom(v));
                        setErrors({});
                      }}
                    >
                      Edit
                    </button>
                    <button
                      type="button"
                      disabled={busy}
                      aria-label={`${v.is_enabled ? "Disable" : "Enable"} ${v.name}`}
                      onClick={() =>
                        void run(async () => {
                          await session
                            .getState()
                            .rpc(id, { type: "update_variable", name: v.name, data: toggleEnabledData(v) });
                          await load();
                        })
                      }
                    >
                      {v.is_enabled ? "Disable" : "Enable"}
                    </button>
                    <button
                      type="button"
                      className="danger"
                      disabled={busy}
                      aria-label={`Delete ${v.name}`}
                      onClick={() => {
                        if (
                          !window.confirm(
                            `Delete the variable ${v.name}? Workflows using it will read nothing.`,
                          )
                        )
                          return;
                        void run(async () => {
                          await session.getState().rpc(id, { type: "delete_variable", name: v.name });
                          if (editing?.name === v.name) resetForm();
                          toasts
                            .getState()
                            .push({ level: "success", title: "Variable deleted", text: v.name });
                          await load();
                        });
                      }}
                    >
                      Delete
                    </button>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {canEdit && (
        <form
          className="card form-card"
          onSubmit={save}
          aria-label={editing ? `Edit variable ${editing.name}` : "New variable"}
          noValidate
        >
          <h2>{editing ? `Edit ${editing.name}` : "New variable"}</h2>
          <label>
            Name
            <input
              value={form.name}
              disabled={editing !== undefined}
              autoComplete="off"
              placeholder="API_TOKEN"
              aria-invalid={errors.name !== undefined}
              aria-describedby={errors.name ? "var-name-error" : undefined}
              onChange={(e) => set("name", e.target.value.toUpperCase())}
            />
            {fieldError("name")}
          </label>
          <label>
            Mode
            <select value={form.mode} onChange={(e) => set("mode", e.target.value as VariableMode)}>
              {MODES.map((m) => (
                <option key={m.value} value={m.value}>
                  {m.label}
                </option>
              ))}
            </select>
          </label>
          {form.mode === "single" ? (
            <label>
              {secretEdit ? "New value" : "Value"}
              <input
                type={form.is_secret ? "password" : "text"}
                autoComplete={form.is_secret ? "new-password" : "off"}
                value={form.value}
                placeholder={secretEdit ? "type a new value to replace the secret" : ""}
                aria-invalid={errors.value !== undefined}
                aria-describedby={errors.value ? "var-value-error" : undefined}
                onChange={(e) => set("value", e.target.value)}
              />
              {fieldError("value")}
            </label>
          ) : (
            <label>
              {secretEdit ? "New values (one per line)" : "Values (one per line)"}
              <textarea
                rows={4}
                className={form.is_secret ? "secret-input" : undefined}
                autoComplete="off"
                spellCheck={false}
                value={form.values}
                aria-invalid={errors.values !== undefined}
                aria-describedby={errors.values ? "var-values-error" : undefined}
                onChange={(e) => set("values", e.target.value)}
              />
              {fieldError("values")}
            </label>
          )}
          <div className="row">
            <label className="check">
              <input
                type="checkbox"
                checked={form.is_secret}
                onChange={(e) => set("is_secret", e.target.checked)}
              />
              Secret
            </label>
            <label className="check">
              <input
                type="checkbox"
                checked={form.is_enabled}
                onChange={(e) => set("is_enabled", e.target.checked)}
              />
              Enabled
            </label>
          </div>
          <div className="row">
            <button type="submit" disabled={busy}>
              {busy ? "Saving…" : "Save variable"}
            </button>
            {editing && (
              <button type="button" onClick={resetForm}>
                Cancel
              </button>
            )}
          </div>
        </form>
      )}
    </div>
  );
}
