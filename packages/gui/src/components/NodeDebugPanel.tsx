import { useEditor, useStores } from "../app-context.js";
import { describeError } from "../lib/errors.js";
import { formatDuration, formatTime } from "../lib/history.js";
import { jsonPreview } from "../lib/json-preview.js";
import { nodeDetail } from "../lib/run-state.js";
import { shownRun } from "../stores/editor.js";

/**
 * The run details of the clicked node, for the shown run (live or viewed): status, attempts, duration, error,
 * the payloads the engine reported for it, and its log lines. Values are shown as the engine sent them, with
 * secrets already masked there.
 */
export function NodeDebugPanel() {
  const { editor } = useStores();
  const nodeId = useEditor((s) => s.debugNodeId);
  const run = useEditor(shownRun);
  const canvasNode = useEditor((s) => s.nodes.find((n) => n.id === s.debugNodeId));
  if (!nodeId) return null;
  const d = nodeDetail(run, nodeId);
  const name = canvasNode?.data.name ?? nodeId;
  const status = d.node?.status ?? (run.jobId ? "NOT RUN" : "IDLE");
  const err = d.node?.error;
  const shownErr = err ? describeError({ code: err.code, message: err.message }) : undefined;
  const close = () => editor.getState().closeDebug();
  return (
    <section className="node-debug" role="dialog" aria-label={`Run details of ${name}`}>
      <header>
        <h2>{name}</h2>
        <span
          className={`run-status run-${status.toLowerCase().replace(" ", "-")}`}
          data-testid="debug-status"
        >
          {status}
        </span>
        <span className="spacer" />
        <button type="button" aria-label="Close run details" onClick={close}>
          ×
        </button>
      </header>
      <dl>
        <dt>Node</dt>
        <dd>
          <code>{nodeId}</code> {canvasNode && <span className="muted">{canvasNode.data.module_id}</span>}
        </dd>
        <dt>Duration</dt>
        <dd data-testid="debug-duration">{formatDuration(d.node?.duration_ms)}</dd>
        <dt>Attempts</dt>
        <dd>{d.node?.attempt ?? "—"}</dd>
        <dt>Started</dt>
        <dd>{formatTime(d.node?.started_at)}</dd>
        <dt>Output port</dt>
        <dd>{d.node?.output_port ?? "—"}</dd>
      </dl>
      {err && shownErr && (
        <div className="node-debug-error" data-testid="node-error">
          <code>{err.code}</code> {shownErr.sentence}
          {err.message && err.message !== shownErr.sentence && <div className="mono">{err.message}</div>}
        </div>
      )}
      {!err && d.node?.status === "FAILED" && run.error && (
        <div className="node-debug-error" data-testid="node-error">
          {run.errorCode && <code>{run.errorCode}</code>} {run.error}
        </div>
      )}
      <h3>Input</h3>
      <p className="muted">The engine does not report the payload a node received.</p>
      <h3>Output</h3>
      {d.output ? (
        <pre className="payload" data-testid="debug-output">
          {jsonPreview(d.output.value)}
        </pre>
      ) : (
        <p className="muted">
          {d.node
            ? "Not reported: the engine reports the output of nodes whose port is not connected onward (the run's result)."
            : "This node has not run."}
        </p>
      )}
      {d.popups.map((p) => (
        <div key={p.seq}>
          <h3>Debug popup: {p.title}</h3>
          <pre className="payload" data-testid="debug-popup">
            {jsonPreview(p.content)}
          </pre>
        </div>
      ))}
      <h3>Logs</h3>
      {d.logs.length === 0 ? (
        <p className="muted">No log lines from this node.</p>
      ) : (
        <ol className="node-logs" aria-label="Node log lines">
          {d.logs.map((l) => (
            <li key={l.seq} className={`log-${l.level.toLowerCase()}`}>
              <time>{l.ts.slice(11, 23)}</time> <b>{l.level}</b> {l.message}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
