import { useEditor, useStores } from "../app-context.js";
import { formatDuration, formatTime, sourceText } from "../lib/history.js";

/** Shown while a past run is on the canvas: which run, where its workflow came from, and the way back. */
export function RunBanner(props: { onBack: () => void }) {
  const { editor } = useStores();
  const view = useEditor((s) => s.view);
  const status = useEditor((s) => s.viewRun.status);
  if (!view) return null;
  const sum = view.summary;
  return (
    <section className="run-banner" aria-label="Viewed run">
      <div>
        <strong>Viewing run</strong> <code>{view.jobId}</code>
        {" · "}
        <span className={`run-status run-${(status ?? sum.status).toLowerCase()}`}>
          {status ?? sum.status}
        </span>
        {" · "}
        {sum.mode === "SIMULATE" ? "simulated" : "executed"}
        {sum.preset_name && <> · preset {sum.preset_name}</>}
        {" · "}started {formatTime(sum.started_at)}
        {sum.duration_ms !== null && <> · {formatDuration(sum.duration_ms)}</>}
        <div className="muted">{sourceText(view.source)} Read-only: click a node for its run details.</div>
      </div>
      <button
        type="button"
        onClick={() => {
          editor.getState().closeRun();
          props.onBack();
        }}
      >
        Back to editing
      </button>
    </section>
  );
}
