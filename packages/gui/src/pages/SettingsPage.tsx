import { type FormEvent, useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useStores } from "../app-context.js";
import { errorText } from "../lib/errors.js";
import {
  draftErrors,
  draftFrom,
  type SettingField,
  type SettingsDraft,
  settingsFields,
  settingsPatch,
} from "../lib/settings-form.js";
import { EnginePicker, hasRole, NoEngine, useChosenEngine } from "./EnginePicker.js";

type Settings = Record<string, unknown>;

/** An engine's settings: a form generated from the protocol's settings schema, validated as you type. */
export function SettingsPage({
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
  const fields = useMemo(() => settingsFields(), []);
  const [saved, setSaved] = useState<Settings | undefined>(undefined);
  const [draft, setDraft] = useState<SettingsDraft>({});
  const [loadError, setLoadError] = useState<string | undefined>(undefined);
  const [saveError, setSaveError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState("");
  const seq = useRef(0);

  const load = useCallback(async () => {
    if (!id) return;
    const mine = ++seq.current;
    setLoadError(undefined);
    try {
      const r = await session.getState().rpc<{ settings: Settings }>(id, { type: "request_settings" });
      if (mine !== seq.current) return;
      setSaved(r.settings);
      setDraft(draftFrom(r.settings, fields));
    } catch (err) {
      if (mine === seq.current) setLoadError(errorText(err));
    }
  }, [id, session, fields]);

  useEffect(() => {
    setSaved(undefined);
    setSaveError(undefined);
    setStatus("");
    void load();
  }, [load]);

  const errors = useMemo(() => draftErrors(fields, draft), [fields, draft]);
  const changed = useMemo(
    () => (saved ? Object.keys(settingsPatch(fields, draft, saved).patch).length : 0),
    [fields, draft, saved],
  );

  if (!engine || !id) {
    return (
      <div className="page">
        <h1>Settings</h1>
        <NoEngine loaded={loaded} />
      </div>
    );
  }

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!saved) return;
    const { patch, errors: found } = settingsPatch(fields, draft, saved);
    if (Object.keys(found).length > 0 || Object.keys(patch).length === 0) return;
    setBusy(true);
    setSaveError(undefined);
    setStatus("");
    session
      .getState()
      .rpc<{ settings: Settings }>(id, { type: "save_settings", settings: patch })
      .then(
        (r) => {
          setSaved(r.settings);
          setDraft(draftFrom(r.settings, fields));
          setStatus("Settings saved.");
          toasts.getState().push({ level: "success", title: "Settings saved", text: engine.name });
        },
        (err: unknown) => setSaveError(errorText(err)),
      )
      .finally(() => setBusy(false));
  };

  return (
    <div className="page">
      <h1>Settings</h1>
      <EnginePicker engines={engines} engine={engine} onChange={onEngineChange} />
      {!canEdit && (
        <p className="notice">
          Your role on this engine is {engine.role}: you can read its settings, but only an admin or the owner
          can change them.
        </p>
      )}
      {loadError ? (
        <div role="alert" className="error">
          Could not load the settings: {loadError}{" "}
          <button type="button" onClick={() => void load()}>
            Retry
          </button>
        </div>
      ) : !saved ? (
        <p className="muted">Loading settings…</p>
      ) : (
        <form className="card form-card settings" onSubmit={submit} aria-label="Engine settings" noValidate>
          {fields.map((f) => (
            <SettingInput
              key={f.key}
              field={f}
              value={draft[f.key] ?? ""}
              error={errors[f.key]}
              disabled={!canEdit}
              onChange={(v) => {
                setStatus("");
                setDraft((d) => ({ ...d, [f.key]: v }));
              }}
            />
          ))}
          {saveError && (
            <p role="alert" className="error">
              {saveError}
            </p>
          )}
          {canEdit && (
            <div className="row">
              <button type="submit" disabled={busy || changed === 0 || Object.keys(errors).length > 0}>
                {busy ? "Saving…" : "Save settings"}
              </button>
              <button
                type="button"
                disabled={busy || changed === 0}
                onClick={() => {
                  setDraft(draftFrom(saved, fields));
                  setSaveError(undefined);
                }}
              >
                Discard changes
              </button>
              <span role="status" className="muted">
                {status || (changed > 0 ? `${changed} unsaved change${changed === 1 ? "" : "s"}` : "")}
              </span>
            </div>
          )}
        </form>
      )}
    </div>
  );
}

function SettingInput({
  field: f,
  value,
  error,
  disabled,
  onChange,
}: {
  field: SettingField;
  value: string | boolean;
  error: string | undefined;
  disabled: boolean;
  onChange: (v: string | boolean) => void;
}) {
  const inputId = `setting-${f.key}`;
  const helpId = `${inputId}-help`;
  const errorId = `${inputId}-error`;
  const describedBy = [f.help ? helpId : "", error ? errorId : ""].filter(Boolean).join(" ") || undefined;
  const help = f.help ? (
    <small id={helpId} className="muted">
      {f.help}
    </small>
  ) : null;
  const problem = error ? (
    <span id={errorId} className="field-error" role="alert">
      {error}
    </span>
  ) : null;
  if (f.kind === "boolean") {
    return (
      <div className="field">
        <label className="check">
          <input
            id={inputId}
            type="checkbox"
            checked={value === true}
            disabled={disabled}
            aria-describedby={describedBy}
            onChange={(e) => onChange(e.target.checked)}
          />
          {f.label}
        </label>
        {help}
      </div>
    );
  }
  const common = {
    id: inputId,
    disabled,
    "aria-invalid": error !== undefined,
    "aria-describedby": describedBy,
  };
  return (
    <div className="field">
      <label htmlFor={inputId}>{f.label}</label>
      {f.kind === "enum" ? (
        <select {...common} value={String(value)} onChange={(e) => onChange(e.target.value)}>
          {f.options.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      ) : f.kind === "list" ? (
        <textarea {...common} rows={3} value={String(value)} onChange={(e) => onChange(e.target.value)} />
      ) : (
        <input
          {...common}
          inputMode={f.kind === "integer" ? "numeric" : "decimal"}
          value={String(value)}
          onChange={(e) => onChange(e.target.value)}
        />
      )}
      {help}
      {problem}
    </div>
  );
}
