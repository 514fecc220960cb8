import type { Manifest } from "@flowork/protocol";
import { createStore } from "zustand/vanilla";
import { defaultConfig } from "../lib/config-form.js";
import {
  type CanvasEdge,
  type CanvasNode,
  DEFAULT_LOOP_CONFIG,
  fromWorkflow,
  nextId,
  toWorkflow,
  type Workflow,
} from "../lib/workflow.js";

export type NodeRunStatus = "RUNNING" | "SUCCEEDED" | "FAILED" | "SKIPPED";
export type LogLevel = "DEBUG" | "INFO" | "WARN" | "ERROR" | "SUCCESS";

export interface LogLine {
  seq: number;
  job_id: string;
  node_id?: string;
  level: LogLevel;
  source: string;
  message: string;
  ts: string;
}

export interface RunState {
  jobId: string | undefined;
  mode: "EXECUTE" | "SIMULATE" | undefined;
  status: string | undefined;
  error: string | undefined;
  nodes: Record<string, { status: NodeRunStatus; duration_ms?: number; attempt?: number }>;
  logs: LogLine[];
}

interface Snapshot {
  nodes: CanvasNode[];
  edges: CanvasEdge[];
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
  run: RunState;
  setManifests(list: Manifest[]): void;
  addNode(moduleId: string, position: { x: number; y: number }): string;
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
  startRun(jobId: string, mode: "EXECUTE" | "SIMULATE"): void;
  applyEngineEvent(name: string, data: unknown): void;
  clearRun(): void;
}

const HISTORY = 100;
const MAX_LOGS = 2000;
const EMPTY_RUN: RunState = {
  jobId: undefined,
  mode: undefined,
  status: undefined,
  error: undefined,
  nodes: {},
  logs: [],
};
let logSeq = 0;

/** The workflow being edited, its undo history, and the live state of its current run. */
export function createEditorStore() {
  return createStore<EditorState>()((set, get) => {
    const record = () => {
      const { nodes, edges, past } = get();
      set({ past: [...past, { nodes, edges }].slice(-HISTORY), future: [] });
    };
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
      setManifests: (list) => set({ manifests: Object.fromEntries(list.map((m) => [m.id, m])) }),
      addNode: (moduleId, position) => {
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
        if (doRecord) record();
        set({ nodes, edges });
      },
      connect: (c) => {
        const { edges } = get();
        if (c.source === c.target) return;
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
        record();
        set((s) => ({
          nodes: s.nodes.map((n) => (n.id === id ? { ...n, data: { ...n.data, ...patch } } : n)),
        }));
      },
      removeSelected: () => {
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
        if (clipboard.length === 0) return;
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
        if (!prev) return;
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
        if (!next) return;
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
        record();
        set({
          nodes,
          edges,
          loop,
          run: EMPTY_RUN,
          ...(preset && { presetName: preset.name, presetVersion: preset.version }),
        });
      },
      setPresetName: (name) => set({ presetName: name }),
      startRun: (jobId, mode) =>
        set((s) => ({
          // Events can beat the ack: keep what already arrived for this job.
          run: s.run.jobId === jobId ? { ...s.run, mode } : { ...EMPTY_RUN, jobId, mode, status: "QUEUED" },
        })),
      applyEngineEvent: (name, data) => {
        const d = (data ?? {}) as Record<string, unknown>;
        const jobId = typeof d.job_id === "string" ? d.job_id : undefined;
        if (!jobId) return;
        const run = get().run;
        // Events of a job we did not start here are ignored; a job id we do not know yet is adopted (pending ack).
        if (run.jobId !== undefined && run.jobId !== jobId) return;
        const base: RunState = run.jobId === undefined ? { ...EMPTY_RUN, jobId } : run;
        if (name === "NODE_EXECUTION_METRIC" && typeof d.node_id === "string") {
          const entry = {
            status: d.status as NodeRunStatus,
            ...(typeof d.duration_ms === "number" && { duration_ms: d.duration_ms }),
            ...(typeof d.attempt === "number" && { attempt: d.attempt }),
          };
          set({ run: { ...base, nodes: { ...base.nodes, [d.node_id]: entry } } });
        } else if (name === "log") {
          const line: LogLine = {
            seq: ++logSeq,
            job_id: jobId,
            ...(typeof d.node_id === "string" && { node_id: d.node_id }),
            level: (d.level as LogLevel) ?? "INFO",
            source: String(d.source ?? ""),
            message: String(d.message ?? ""),
            ts: String(d.ts ?? new Date().toISOString()),
          };
          set({ run: { ...base, logs: [...base.logs, line].slice(-MAX_LOGS) } });
        } else if (name === "workflow_status_update") {
          const sd = (d.status_data ?? {}) as { status?: string; error_message?: string };
          set({
            run: {
              ...base,
              status: sd.status ?? base.status,
              error: typeof sd.error_message === "string" ? sd.error_message : base.error,
            },
          });
        }
      },
      clearRun: () => set({ run: EMPTY_RUN }),
    };
  });
}

export type EditorStore = ReturnType<typeof createEditorStore>;

/** True while a run is active. */
export function isRunning(run: RunState): boolean {
  return (
    run.jobId !== undefined &&
    (run.status === "QUEUED" || run.status === "RUNNING" || run.status === "PAUSED")
  );
}
