import { useEditor, useStores } from "../app-context.js";
import type { Rpc } from "../lib/history.js";
import { isRunning } from "../lib/run-state.js";
import { shownRun } from "../stores/editor.js";

type Control = "stop_workflow" | "pause_workflow" | "resume_workflow";

/**
 * Execute / Simulate the edited workflow, and Stop / Pause / Resume the shown run (the editor's own, or the
 * viewed one while it still runs). Pausing lets running nodes finish and starts no new node until resumed.
 */
export function RunControls(props: {
  canRun: boolean;
  onStart: (mode: "EXECUTE" | "SIMULATE") => void;
  rpc: Rpc;
  attempt: (fn: () => Promise<void>) => void;
}) {
  const { editor } = useStores();
  const viewing = useEditor((s) => s.view !== undefined);
  const jobId = useEditor((s) => shownRun(s).jobId);
  const status = useEditor((s) => shownRun(s).status);
  const running = useEditor((s) => isRunning(shownRun(s)));

  const control = (type: Control) => () =>
    props.attempt(async () => {
      if (!jobId) return;
      const r = await props.rpc<{ job_id: string; status: string }>({ type, job_id: jobId });
      editor.getState().applyControl(r.job_id, r.status);
    });

  return (
    <>
      <button type="button" onClick={() => props.onStart("EXECUTE")} disabled={!props.canRun || viewing}>
        Execute
      </button>
      <button type="button" onClick={() => props.onStart("SIMULATE")} disabled={!props.canRun || viewing}>
        Simulate
      </button>
      <button type="button" onClick={control("stop_workflow")} disabled={!running}>
        Stop
      </button>
      <button type="button" onClick={control("pause_workflow")} disabled={status !== "RUNNING"}>
        Pause
      </button>
      <button type="button" onClick={control("resume_workflow")} disabled={status !== "PAUSED"}>
        Resume
      </button>
    </>
  );
}
