import { type FormEvent, useState } from "react";
import { useStores } from "../app-context.js";
import { errorText } from "../lib/errors.js";
import {
  type ConnectionMode,
  type ConnectionPref,
  type DirectStatus,
  directUrlProblem,
} from "../stores/connections.js";
import type { EngineView } from "../stores/engines.js";

/** The dashboard's short word for how an engine is reached. */
export function connectionText(pref: ConnectionPref | undefined, status: DirectStatus | undefined): string {
  if (pref?.mode !== "direct") return "gateway";
  switch (status?.state) {
    case "open":
      return "direct · connected";
    case "connecting":
      return "direct · connecting…";
    case "error":
      return "direct · unreachable";
    default:
      return "direct";
  }
}

/** Chooses, per engine, between the gateway relay and a direct WebSocket; tests a URL before saving it. */
export function ConnectionPanel({ engine: e, onDone }: { engine: EngineView; onDone: () => void }) {
  const { connections, session, toasts } = useStores();
  const saved = connections.getState().prefOf(e.id);
  const [mode, setMode] = useState<ConnectionMode>(saved.mode);
  const [url, setUrl] = useState(saved.url);
  const [touched, setTouched] = useState(false);
  const [probe, setProbe] = useState<{ ok: boolean; text: string } | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const problem = mode === "direct" ? directUrlProblem(url, window.location.protocol) : undefined;
  const showProblem = problem !== undefined && (touched || url !== "");

  const save = (ev: FormEvent) => {
    ev.preventDefault();
    setTouched(true);
    if (problem) return;
    try {
      connections.getState().setPref(e.id, { mode, url });
      toasts.getState().push({
        level: "success",
        title: "Connection saved",
        text: mode === "direct" ? `${e.name}: direct to ${url.trim()}` : `${e.name}: through the gateway`,
      });
      onDone();
    } catch (err) {
      setProbe({ ok: false, text: errorText(err) });
    }
  };

  const test = () => {
    setTouched(true);
    if (problem) return;
    setBusy(true);
    setProbe(undefined);
    session
      .getState()
      .probeDirect(e.id, url)
      .then(
        (r) =>
          setProbe({ ok: true, text: `Reached ${e.name} directly (engine ${r.version}) in ${r.ms} ms.` }),
        (err: unknown) => setProbe({ ok: false, text: errorText(err) }),
      )
      .finally(() => setBusy(false));
  };

  return (
    <form className="panel" aria-label={`Connection settings of ${e.name}`} onSubmit={save} noValidate>
      <fieldset>
        <legend>How this browser reaches {e.name}</legend>
        <label className="check">
          <input
            type="radio"
            name={`conn-${e.id}`}
            value="gateway"
            checked={mode === "gateway"}
            onChange={() => setMode("gateway")}
          />
          Through the gateway
        </label>
        <label className="check">
          <input
            type="radio"
            name={`conn-${e.id}`}
            value="direct"
            checked={mode === "direct"}
            onChange={() => setMode("direct")}
          />
          Direct
        </label>
      </fieldset>
      <p className="muted">
        Commands are signed by your key either way and checked by the engine itself. Through the gateway works
        from anywhere; direct skips the relay (one hop less, and it keeps working if the gateway goes down
        while you work) but this browser must reach the engine's WebSocket, e.g.{" "}
        <code>ws://127.0.0.1:8989/</code> or a <code>wss://</code> tunnel.
      </p>
      {mode === "direct" && (
        <label>
          Engine WebSocket URL
          <input
            className="wide-input"
            value={url}
            placeholder="ws://127.0.0.1:8989/"
            autoComplete="off"
            spellCheck={false}
            aria-invalid={showProblem}
            aria-describedby={showProblem ? `conn-${e.id}-error` : undefined}
            onChange={(ev) => {
              setUrl(ev.target.value);
              setProbe(undefined);
            }}
            onBlur={() => setTouched(true)}
          />
          {showProblem && (
            <span className="field-error" id={`conn-${e.id}-error`} role="alert">
              {problem}
            </span>
          )}
        </label>
      )}
      <div className="row">
        {mode === "direct" && (
          <button type="button" onClick={test} disabled={busy}>
            {busy ? "Testing…" : "Test connection"}
          </button>
        )}
        <button type="submit">Save connection</button>
        <button type="button" onClick={onDone}>
          Cancel
        </button>
        {probe && (
          <span role={probe.ok ? "status" : "alert"} className={probe.ok ? "ok" : "error"}>
            {probe.text}
          </span>
        )}
      </div>
    </form>
  );
}
