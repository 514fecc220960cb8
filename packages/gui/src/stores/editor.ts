import type { ExecutionDetail, ExecutionSummary, Manifest } from "@flowork/protocol";
import { createStore } from "zustand/vanilla";
import { defaultConfig } from "../lib/config-form.js";
import type { WorkflowSource } from "../lib/history.js";
import {
  applyControlStatus,
  EMPTY_RUN,
  type RunState,
  reduceRunEvent,
  runFromExecution,
} from "../lib/run-state.js";
import {
  type CanvasEdge,
  type CanvasNode,
  DEFAULT_LOOP_CONFIG,
  fromWorkflow,
  nextId,
  toWorkflow,
  type Workflow,
} from "../lib/workflow.js";

export type { LogLevel, LogLine, NodeRun, NodeRunStatus, RunState } from "../lib/run-state.js";
export { isRunning } from "../lib/run-state.js";

interface Snapshot {
  nodes: CanvasNode[];
  edges: CanvasEdge[];
}

/** A stored run shown on the canvas (read-only), with the editing state to return to. */
export interface RunView {
  jobId: string;
  summary: ExecutionSummary;
  source: WorkflowSource;
  saved: {
    nodes: CanvasNode[];
    edges: CanvasEdge[];
    loop: Record<string, unknown>;
    presetName: string;
    presetVersion: number | undefined;
    past: Snapshot[];
    future: Snapshot[];
  };
}

export interface EditorState {
  manifests: Record<string, Manifest>;
  nodes: CanvasNode[];
  edges: CanvasEdge[];
  loop: Record<string, unknown>;
  presetName: string;
  presetVersion: number | undefined;
  past: Snapshot[];
  future: Snapshot[];
  clipboard: CanvasNode[];
  /** The run started from this editor (live). */
  run: RunState;
  /** Set while a run from the history is shown; the canvas is read-only then. */
  view: RunView | undefined;
  /** The viewed run's state (stored, then live events if it still runs). */
  viewRun: RunState;
  /** The node whose run details are open. */
  debugNodeId: string | undefined;
  setManifests(list: Manifest[]): void;
  addNode(moduleId: string, position: { x: number; y: number }): string | undefined;
  /** Canvas changes (drag, select): no history entry unless `record`. */
  setCanvas(nodes: CanvasNode[], edges: CanvasEdge[], record?: boolean): void;
  connect(c: { source: string; target: string; sourceHandle: string; targetHandle: string }): void;
  updateNode(id: string, patch: { name?: string; config_values?: Record<string, unknown> }): void;
  removeSelected(): void;
  copySelected(): void;
  paste(): void;
  undo(): void;
  redo(): void;
  workflow(): Workflow;
  load(raw: unknown, preset?: { name: string; version?: number }): void;
  setPresetName(name: string): void;
  /** A save answered with this name and version: the editor now holds that version. */
  markSaved(name: string, version: number): void;
  startRun(jobId: string, mode: "EXECUTE" | "SIMULATE"): void;
  applyEngineEvent(name: string, data: unknown): void;
  /** The status a pause/resume/stop answer reported for a job. */
  applyControl(jobId: string, status: string): void;
  clearRun(): void;
  /** Shows a stored run: its workflow on the canvas, its node states and logs. Throws on an unreadable workflow. */
  openRun(detail: ExecutionDetail, workflow: unknown, source: WorkflowSource): void;
  /** Back to editing: the canvas, preset and history as they were before the first `openRun`. */
  closeRun(): void;
  openDebug(nodeId: string): void;
  closeDebug(): void;
}

const HISTORY = 100;

function summaryOf(d: ExecutionDetail): ExecutionSummary {
  return {
    job_id: d.job_id,
    preset_name: d.preset_name,
    mode: d.mode,
    status: d.status,
    started_by: d.started_by,
    started_at: d.started_at,
    ended_at: d.ended_at,
    duration_ms: d.duration_ms,
  };
}

/** The run the canvas and log panel show: the viewed one, else the editor's own. */
export function shownRun(s: Pick<EditorState, "view" | "run" | "viewRun">): RunState {
  return s.view ? s.viewRun : s.run;
}

/** The workflow being edited, its undo history, the live state of its current run, and a viewed past run. */
export function createEditorStore() {
  return createStore<EditorState>()((set, get) => {
    const record = () => {
      const { nodes, edges, past } = get();
      set({ past: [...past, { nodes, edges }].slice(-HISTORY), future: [] });
    };
    const viewing = () => get().view !== undefined;
    return {
      manifests: {},
      nodes: [],
      edges: [],
      loop: { ...DEFAULT_LOOP_CONFIG },
      presetName: "",
      presetVersion: undefined,
      past: [],
      future: [],
      clipboard: [],
      run: EMPTY_RUN,
      view: undefined,
      viewRun: EMPTY_RUN,
      debugNodeId: undefined,
      setManifests: (list) => set({ manifests: Object.fromEntries(list.map((m) => [m.id, m])) }),
      addNode: (moduleId, position) => {
        if (viewing()) return undefined;
        const m = get().manifests[moduleId];
        const id = nextId(
          "n",
          get().nodes.map((n) => n.id),
        );
        record();
        const node: CanvasNode = {
          id,
          type: "component",
          position,
          data: {
            module_id: moduleId,
            name: m?.name ?? moduleId,
            config_values: m ? defaultConfig(m.properties) : {},
          },
        };
        set((s) => ({
          nodes: [...s.nodes.map((n) => ({ ...n, selected: false })), { ...node, selected: true }],
        }));
        return id;
      },
      setCanvas: (nodes, edges, doRecord = false) => {
        if (doRecord) {
          if (viewing()) return; // a viewed run is read-only: selection may change, nothing else
          record();
        }
        set({ nodes, edges });
      },
      connect: (c) => {
        const { edges } = get();
        if (viewing() || c.source === c.target) return;
        if (
          edges.some(
            (e) =>
              e.source === c.source &&
              e.target === c.target &&
              e.sourceHandle === c.sourceHandle &&
              e.targetHandle === c.targetHandle,
          )
        ) {
          return;
        }
        record();
        const id = nextId(
          "c",
          edges.map((e) => e.id),
        );
        set({ edges: [...edges, { id, ...c }] });
      },
      updateNode: (id, patch) => {
        if (viewing()) return;
        record();
        set((s) => ({
          nodes: s.nodes.map((n) => (n.id === id ? { ...n, data: { ...n.data, ...patch } } : n)),
        }));
      },
      removeSelected: () => {
        if (viewing()) return;
        const { nodes, edges } = get();
        const gone = new Set(nodes.filter((n) => n.selected).map((n) => n.id));
        const edgesLeft = edges.filter((e) => !e.selected && !gone.has(e.source) && !gone.has(e.target));
        if (gone.size === 0 && edgesLeft.length === edges.length) return;
        record();
        set({ nodes: nodes.filter((n) => !gone.has(n.id)), edges: edgesLeft });
      },
      copySelected: () =>
        set((s) => ({ clipboard: s.nodes.filter((n) => n.selected).map((n) => structuredClone(n)) })),
      paste: () => {
        const { clipboard } = get();
        if (viewing() || clipboard.length === 0) return;
        record();
        set((s) => {
          const used = s.nodes.map((n) => n.id);
          const copies = clipboard.map((n) => {
            const id = nextId("n", used);
            used.push(id);
            return {
              ...structuredClone(n),
              id,
              selected: true,
              position: { x: n.position.x + 40, y: n.position.y + 40 },
            };
          });
          return { nodes: [...s.nodes.map((n) => ({ ...n, selected: false })), ...copies] };
        });
      },
      undo: () => {
        const { past, future, nodes, edges } = get();
        const prev = past.at(-1);
        if (!prev || viewing()) return;
        set({
          past: past.slice(0, -1),
          future: [{ nodes, edges }, ...future],
          nodes: prev.nodes,
          edges: prev.edges,
        });
      },
      redo: () => {
        const { past, future, nodes, edges } = get();
        const next = future[0];
        if (!next || viewing()) return;
        set({
          future: future.slice(1),
          past: [...past, { nodes, edges }],
          nodes: next.nodes,
          edges: next.edges,
        });
      },
      workflow: () => toWorkflow(get().nodes, get().edges, get().loop),
      load: (raw, preset) => {
        const { nodes, edges, loop } = fromWorkflow(raw);
        if (viewing()) get().closeRun();
        record();
        set({
          nodes,
          edges,
          loop,
          run: EMPTY_RUN,
          debugNodeId: undefined,
          ...(preset && { presetName: preset.name, presetVersion: preset.version }),
        });
      },
      setPresetName: (name) => set({ presetName: name }),
      markSaved: (name, version) => set({ presetName: name, presetVersion: version }),
      startRun: (jobId, mode) =>
        set((s) => ({
          // Events can beat the ack: keep what already arrived for this job.
          run:
            s.run.jobId === jobId
              ? { ...s.run, mode }
              : { ...EMPTY_RUN, jobId, mode, status: "QUEUED", startTime: new Date().toISOString() },
        })),
      applyEngineEvent: (name, data) => {
        const jobId = (data as { job_id?: unknown } | null | undefined)?.job_id;
        if (typeof jobId !== "string") return;
        const { run, view, viewRun } = get();
        // Only the viewed run and the editor's own run take events: other jobs (triggers, other users) do not.
        // The viewed run first: when it is the editor's own run, its replayed events must not be added twice to
        // the live state (closeRun hands the viewed state back).
        if (view && viewRun.jobId === jobId) {
          const next = reduceRunEvent(viewRun, name, data);
          if (next) set({ viewRun: next });
        } else if (run.jobId === jobId) {
          const next = reduceRunEvent(run, name, data);
          if (!next) return;
          // A debug_popup node of the live run asks the GUI to show its payload: open that node's details.
          const popupNode = name === "SHOW_DEBUG_POPUP" ? next.popups.at(-1)?.node_id : undefined;
          set({ run: next, ...(popupNode !== undefined && { debugNodeId: popupNode }) });
        }
      },
      applyControl: (jobId, status) => {
        const { run, view, viewRun } = get();
        if (run.jobId === jobId) set({ run: applyControlStatus(run, status) });
        if (view && viewRun.jobId === jobId) set({ viewRun: applyControlStatus(viewRun, status) });
      },
      clearRun: () => set({ run: EMPTY_RUN, debugNodeId: undefined }),
      openRun: (detail, workflow, source) => {
        const { nodes, edges, loop } = fromWorkflow(workflow);
        const s = get();
        const saved = s.view?.saved ?? {
          nodes: s.nodes,
          edges: s.edges,
          loop: s.loop,
          presetName: s.presetName,
          presetVersion: s.presetVersion,
          past: s.past,
          future: s.future,
        };
        set({
          view: { jobId: detail.job_id, summary: summaryOf(detail), source, saved },
          viewRun: runFromExecution(detail),
          nodes,
          edges,
          loop,
          past: [],
          future: [],
          debugNodeId: undefined,
        });
      },
      closeRun: () => {
        const { view, run, viewRun } = get();
        if (!view) return;
        set({
          ...view.saved,
          // The editor's own run was viewed: what it received meanwhile went to the view.
          ...(run.jobId === view.jobId && { run: { ...viewRun, dedupeLogs: false } }),
          view: undefined,
          viewRun: EMPTY_RUN,
          debugNodeId: undefined,
        });
      },
      openDebug: (nodeId) => set({ debugNodeId: nodeId }),
      closeDebug: () => set({ debugNodeId: undefined }),
    };
  });
}

export type EditorStore = ReturnType<typeof createEditorStore>;
