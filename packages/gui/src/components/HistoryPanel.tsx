import type { ExecutionSummary } from "@flowork/protocol";
import { useEffect, useState } from "react";
import { useEditor } from "../app-context.js";
import { errorText } from "../lib/errors.js";
import {
  formatDuration,
  formatEnd,
  formatTime,
  type HistoryPage,
  historyRequest,
  type Rpc,
  toPage,
} from "../lib/history.js";

/**
 * The engine's past executions, newest first, a page at a time (`request_execution_history` with `before`).
 * Opening one shows it on the canvas. Mount it with `key={engineId}` so another engine starts at page one.
 */
export function HistoryPanel(props: { rpc: Rpc; onOpen: (jobId: string) => void; onClose: () => void }) {
  const { rpc } = props;
  // `before` of each page after the first, so "Newer" can go back.
  const [cursors, setCursors] = useState<string[]>([]);
  const [page, setPage] = useState<HistoryPage | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [loading, setLoading] = useState(false);
  const [reload, setReload] = useState(0);
  const viewedJob = useEditor((s) => s.view?.jobId);
  // A run of this editor that ends shows up without pressing Refresh.
  const ownStatus = useEditor((s) => s.run.status);
  const before = cursors.at(-1);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `reload` and `ownStatus` are refetch triggers
  useEffect(() => {
    let cancelled = false;
    setLoading(true);
    setError(undefined);
    rpc<{ executions: ExecutionSummary[] }>(historyRequest(before))
      .then((r) => !cancelled && setPage(toPage(r.executions)))
      .catch((err: unknown) => !cancelled && setError(errorText(err)))
      .finally(() => !cancelled && setLoading(false));
    return () => {
      cancelled = true;
    };
  }, [rpc, before, reload, ownStatus]);

  return (
    <aside className="history" aria-label="Execution history">
      <div className="history-head">
        <h2>Execution history</h2>
        <span className="spacer" />
        <button type="button" onClick={() => setReload((n) => n + 1)} disabled={loading}>
          Refresh
        </button>
        <button type="button" aria-label="Close history" onClick={props.onClose}>
          ×
        </button>
      </div>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {page && page.rows.length === 0 && (
        <p className="muted">{cursors.length > 0 ? "No older runs." : "No runs yet on this engine."}</p>
      )}
      {page && page.rows.length > 0 && (
        <table className="history-table">
          <thead>
            <tr>
              <th>Status</th>
              <th>Mode</th>
              <th>Preset</th>
              <th>Started</th>
              <th>Finished</th>
              <th>Duration</th>
              <th>
                <span className="visually-hidden">Open</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {page.rows.map((r) => (
              <tr key={r.job_id} data-job-id={r.job_id} aria-current={r.job_id === viewedJob}>
                <td>
                  <span className={`run-status run-${r.status.toLowerCase()}`}>{r.status}</span>
                </td>
                <td>{r.mode === "SIMULATE" ? "Simulate" : "Execute"}</td>
                <td>{r.preset_name ?? <span className="muted">inline</span>}</td>
                <td className="when">{formatTime(r.started_at)}</td>
                <td className="when">{formatEnd(r.started_at, r.ended_at)}</td>
                <td>{formatDuration(r.duration_ms)}</td>
                <td>
                  <button
                    type="button"
                    aria-label={`Open run ${r.job_id}`}
                    title={r.job_id}
                    onClick={() => props.onOpen(r.job_id)}
                  >
                    Open
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div className="history-pager">
        <button
          type="button"
          onClick={() => setCursors((c) => c.slice(0, -1))}
          disabled={cursors.length === 0 || loading}
        >
          Newer
        </button>
        <span className="muted">Page {cursors.length + 1}</span>
        <button
          type="button"
          onClick={() => {
            const older = page?.older;
            if (older) setCursors((c) => [...c, older]);
          }}
          disabled={!page?.older || loading}
        >
          Older
        </button>
      </div>
    </aside>
  );
}
