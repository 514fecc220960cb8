import { useEffect, useRef, useState } from "react";
import { useEditor } from "../app-context.js";
import { type LogLevel, shownRun } from "../stores/editor.js";

const LEVELS: LogLevel[] = ["DEBUG", "INFO", "WARN", "ERROR", "SUCCESS"];

/** The shown run's `log` events (the live run's as they stream, or a viewed run's), filterable by level. */
export function LogPanel() {
  const logs = useEditor((s) => shownRun(s).logs);
  const status = useEditor((s) => shownRun(s).status);
  const mode = useEditor((s) => shownRun(s).mode);
  const error = useEditor((s) => shownRun(s).error);
  const jobId = useEditor((s) => shownRun(s).jobId);
  const viewing = useEditor((s) => s.view !== undefined);
  const [shown, setShown] = useState<Record<LogLevel, boolean>>({
    DEBUG: false,
    INFO: true,
    WARN: true,
    ERROR: true,
    SUCCESS: true,
  });
  const end = useRef<HTMLLIElement>(null);
  useEffect(() => {
    if (logs.length > 0) end.current?.scrollIntoView?.({ block: "nearest" });
  }, [logs]);
  return (
    <section className="logs" aria-label="Run logs">
      <div className="logs-head">
        <strong>{viewing ? "Logs of the viewed run" : "Logs"}</strong>
        {status && (
          <span
            className={`run-status run-${status.toLowerCase()}`}
            role="status"
            aria-label="Run status"
            data-mode={mode}
          >
            {mode === "SIMULATE" ? `${status} (simulated)` : status}
          </span>
        )}
        {jobId && (
          <code className="job-id" data-testid="job-id" title="Job id">
            {jobId}
          </code>
        )}
        {error && <span className="error">{error}</span>}
        <span className="spacer" />
        {LEVELS.map((l) => (
          <label key={l} className="check">
            <input
              type="checkbox"
              checked={shown[l]}
              onChange={(e) => setShown({ ...shown, [l]: e.target.checked })}
            />
            {l}
          </label>
        ))}
      </div>
      <ol role="log" aria-label="Log lines">
        {logs
          .filter((l) => shown[l.level])
          .map((l) => (
            <li key={l.seq} className={`log-${l.level.toLowerCase()}`}>
              <time>{l.ts.slice(11, 23)}</time> <b>{l.level}</b> {l.node_id && <em>[{l.node_id}]</em>}{" "}
              {l.message}
            </li>
          ))}
        <li ref={end} aria-hidden="true" />
      </ol>
    </section>
  );
}
