import type { ExecutionDetail, Manifest } from "@flowork/protocol";
import {
  applyEdgeChanges,
  applyNodeChanges,
  Background,
  type Connection,
  Controls,
  type Edge,
  type EdgeChange,
  MiniMap,
  type Node,
  type NodeChange,
  ReactFlow,
  ReactFlowProvider,
  useReactFlow,
} from "@xyflow/react";
import { type DragEvent, useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useEditor, useEngines, useStores } from "../app-context.js";
import { ComponentNode } from "../components/ComponentNode.js";
import { ConfigPanel } from "../components/ConfigPanel.js";
import { HistoryPanel } from "../components/HistoryPanel.js";
import { LogPanel } from "../components/LogPanel.js";
import { NodeDebugPanel } from "../components/NodeDebugPanel.js";
import { DRAG_TYPE, Palette } from "../components/Palette.js";
import { PresetControls, usePresets } from "../components/PresetControls.js";
import { RunBanner } from "../components/RunBanner.js";
import { RunControls } from "../components/RunControls.js";
import { ShortcutsHelp } from "../components/ShortcutsHelp.js";
import { useEditorShortcuts } from "../components/use-editor-shortcuts.js";
import { validateConfig } from "../lib/config-form.js";
import { errorText } from "../lib/errors.js";
import { type Rpc, resolveRunWorkflow } from "../lib/history.js";
import { RunRecords } from "../lib/run-records.js";
import type { CanvasEdge, CanvasNode } from "../lib/workflow.js";
import { shownRun } from "../stores/editor.js";
import { sortedEngines } from "../stores/engines.js";
import "../editor-runs.css";

const NODE_TYPES = { component: ComponentNode };
const DELETE_KEYS = ["Delete", "Backspace"];

export function EditorPage(props: { engineId: string | undefined; onEngineChange: (id: string) => void }) {
  return (
    <ReactFlowProvider>
      <Editor {...props} />
    </ReactFlowProvider>
  );
}

function Editor({
  engineId,
  onEngineChange,
}: {
  engineId: string | undefined;
  onEngineChange: (id: string) => void;
}) {
  const { editor, session, toasts } = useStores();
  const engineMap = useEngines((s) => s.engines);
  const engines = useMemo(() => sortedEngines(engineMap), [engineMap]);
  const engine = engines.find((e) => e.id === engineId);
  const nodes = useEditor((s) => s.nodes);
  const edges = useEditor((s) => s.edges);
  const viewing = useEditor((s) => s.view !== undefined);
  const paused = useEditor((s) => shownRun(s).status === "PAUSED");
  const canUndo = useEditor((s) => s.past.length > 0 && s.view === undefined);
  const canRedo = useEditor((s) => s.future.length > 0 && s.view === undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [loading, setLoading] = useState(false);
  const [historyOpen, setHistoryOpen] = useState(false);
  const [helpOpen, setHelpOpen] = useState(false);
  const flow = useReactFlow();
  const wrapper = useRef<HTMLDivElement>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const records = useMemo(() => new RunRecords(window.localStorage), []);
  const online = engineId !== undefined && engine?.status === "online";
  const canRun = online && engine.role !== "reader";
  const canSave = online && (engine.role === "admin" || engine.role === "owner");

  const rpc: Rpc = useCallback(
    <T,>(payload: { type: string } & Record<string, unknown>) => {
      if (!engineId) return Promise.reject(new Error("Choose an engine first."));
      return session.getState().rpc<T>(engineId, payload);
    },
    [engineId, session],
  );
  const attempt = useCallback((fn: () => Promise<void>) => {
    setError(undefined);
    fn().catch((err: unknown) => setError(errorText(err)));
  }, []);
  const { presets, refresh: refreshPresets } = usePresets(rpc, online);
  const fit = useCallback(() => setTimeout(() => flow.fitView({ padding: 0.2 }), 0), [flow]);

  // Components and presets of the chosen engine, once it is online.
  useEffect(() => {
    if (!online) return;
    let cancelled = false;
    setLoading(true);
    setError(undefined);
    rpc<{ components: Manifest[] }>({ type: "request_components_list" })
      .then(async (r) => {
        if (cancelled) return;
        editor.getState().setManifests(r.components);
        await refreshPresets();
      })
      .catch((err: unknown) => !cancelled && setError(errorText(err)))
      .finally(() => !cancelled && setLoading(false));
    return () => {
      cancelled = true;
    };
  }, [online, rpc, editor, refreshPresets]);

  // A viewed run belongs to its engine: switching engines goes back to editing.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when the engine changes
  useEffect(() => {
    editor.getState().closeRun();
  }, [engineId, editor]);

  const start = useCallback(
    (mode: "EXECUTE" | "SIMULATE") =>
      attempt(async () => {
        const s = editor.getState();
        if (s.view) throw new Error("Go back to editing to run the workflow.");
        const problems: string[] = [];
        for (const n of s.nodes) {
          const m = s.manifests[n.data.module_id];
          if (!m) continue;
          for (const [, msg] of Object.entries(validateConfig(m.properties, n.data.config_values))) {
            problems.push(`${n.data.name}: ${msg}`);
          }
        }
        if (problems.length > 0) throw new Error(`Fix the node settings first: ${problems.join(" ")}`);
        if (s.nodes.length === 0) throw new Error("Add a node first.");
        if (!engineId) throw new Error("Choose an engine first.");
        const jobId = `gui-${crypto.randomUUID()}`;
        const workflow = s.workflow();
        s.startRun(jobId, mode); // before sending: events may arrive before the ack
        records.save(engineId, jobId, workflow);
        await rpc({ type: "execute_workflow", job_id: jobId, workflow_data: workflow, mode });
      }),
    [attempt, editor, engineId, records, rpc],
  );

  const savePreset = useCallback(
    () =>
      attempt(async () => {
        const s = editor.getState();
        if (s.view) throw new Error("Go back to editing to save the workflow.");
        const name = s.presetName.trim();
        if (!name) throw new Error("Give the preset a name.");
        const r = await rpc<{ name: string; version: number }>({
          type: "save_preset",
          name,
          workflow_data: s.workflow(),
        });
        editor.getState().markSaved(r.name, r.version);
        toasts
          .getState()
          .push({ level: "success", title: "Preset saved", text: `${r.name} version ${r.version}` });
        await refreshPresets();
      }),
    [attempt, editor, rpc, toasts, refreshPresets],
  );

  const openRun = useCallback(
    (jobId: string) =>
      attempt(async () => {
        if (!engineId) throw new Error("Choose an engine first.");
        const { execution } = await rpc<{ execution: ExecutionDetail }>({
          type: "request_execution",
          job_id: jobId,
        });
        const { workflow, source } = await resolveRunWorkflow(execution, { engineId, rpc, records });
        editor.getState().openRun(execution, workflow, source);
        fit();
        // Node errors and debug popups are kept only in the run's events: replay them (and follow a live run).
        await rpc({ type: "subscribe_job", job_id: jobId });
      }),
    [attempt, editor, engineId, records, rpc, fit],
  );

  const exportJson = () => {
    const blob = new Blob([JSON.stringify(editor.getState().workflow(), null, 2)], {
      type: "application/json",
    });
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = `${editor.getState().presetName || "workflow"}.json`;
    a.click();
    URL.revokeObjectURL(a.href);
  };

  const importJson = (file: File) => {
    file.text().then(
      (text) => editor.getState().load(JSON.parse(text)),
      (err: unknown) => setError(errorText(err)),
    );
  };

  const onNodesChange = useCallback(
    (changes: NodeChange[]) => {
      const s = editor.getState();
      const structural = changes.some((c) => c.type === "remove");
      s.setCanvas(applyNodeChanges(changes, s.nodes as Node[]) as CanvasNode[], s.edges, structural);
    },
    [editor],
  );
  const onEdgesChange = useCallback(
    (changes: EdgeChange[]) => {
      const s = editor.getState();
      const structural = changes.some((c) => c.type === "remove");
      s.setCanvas(s.nodes, applyEdgeChanges(changes, s.edges as Edge[]) as CanvasEdge[], structural);
    },
    [editor],
  );
  const onConnect = useCallback(
    (c: Connection) => {
      if (!c.sourceHandle || !c.targetHandle) return;
      editor.getState().connect({
        source: c.source,
        target: c.target,
        sourceHandle: c.sourceHandle,
        targetHandle: c.targetHandle,
      });
    },
    [editor],
  );
  // After (or during) a run, a click on a node opens its run details.
  const onNodeClick = useCallback(
    (_: unknown, node: Node) => {
      const s = editor.getState();
      if (shownRun(s).jobId !== undefined) s.openDebug(node.id);
    },
    [editor],
  );

  const addAt = (moduleId: string, clientX?: number, clientY?: number) => {
    const rect = wrapper.current?.getBoundingClientRect();
    const x = clientX ?? (rect ? rect.left + rect.width / 2 : 200);
    const y = clientY ?? (rect ? rect.top + rect.height / 2 : 200);
    editor.getState().addNode(moduleId, flow.screenToFlowPosition({ x, y }));
  };

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    const id = e.dataTransfer.getData(DRAG_TYPE);
    if (id) addAt(id, e.clientX, e.clientY);
  };

  useEditorShortcuts({
    editor,
    canRun,
    canSave,
    start,
    savePreset,
    help: [helpOpen, setHelpOpen],
    history: [historyOpen, setHistoryOpen],
  });

  return (
    <div className="editor">
      <div className="toolbar" role="toolbar" aria-label="Workflow">
        <label>
          Engine
          <select value={engineId ?? ""} onChange={(e) => onEngineChange(e.target.value)}>
            <option value="">Choose an engine</option>
            {engines.map((e) => (
              <option key={e.id} value={e.id}>
                {e.name} ({e.status})
              </option>
            ))}
          </select>
        </label>
        <RunControls canRun={canRun} onStart={start} rpc={rpc} attempt={attempt} />
        <button type="button" onClick={() => editor.getState().undo()} disabled={!canUndo}>
          Undo
        </button>
        <button type="button" onClick={() => editor.getState().redo()} disabled={!canRedo}>
          Redo
        </button>
        <span className="sep" />
        <PresetControls
          rpc={rpc}
          attempt={attempt}
          presets={presets}
          refreshPresets={refreshPresets}
          canSave={canSave}
          onSave={savePreset}
          onLoaded={fit}
        />
        <span className="sep" />
        <button type="button" onClick={exportJson}>
          Export JSON
        </button>
        <button type="button" onClick={() => fileInput.current?.click()} disabled={viewing}>
          Import JSON
        </button>
        <input
          ref={fileInput}
          type="file"
          accept="application/json,.json"
          hidden
          aria-label="Workflow file"
          onChange={(e) => {
            const f = e.target.files?.[0];
            if (f) importJson(f);
            e.target.value = "";
          }}
        />
        <span className="sep" />
        <button
          type="button"
          aria-pressed={historyOpen}
          onClick={() => setHistoryOpen((o) => !o)}
          disabled={!online}
        >
          History
        </button>
        <ShortcutsHelp open={helpOpen} onToggle={() => setHelpOpen((o) => !o)} />
      </div>
      <RunBanner onBack={fit} />
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {!engineId ? (
        <p className="empty">Choose an engine to edit and run workflows on it.</p>
      ) : engine?.status !== "online" ? (
        <p className="empty">This engine is offline: start it to load its components.</p>
      ) : null}
      {loading && <p className="muted">Loading components…</p>}
      <div className="editor-body">
        <Palette onAdd={(id) => addAt(id)} />
        {/* biome-ignore lint/a11y/noStaticElementInteractions: a drop target for palette drags; the palette's buttons are the keyboard path */}
        <div
          className={`canvas${viewing ? " viewing" : ""}`}
          ref={wrapper}
          data-testid="canvas"
          onDragOver={(e) => {
            e.preventDefault();
            e.dataTransfer.dropEffect = viewing ? "none" : "move";
          }}
          onDrop={onDrop}
        >
          <ReactFlow
            nodes={nodes as Node[]}
            edges={edges as Edge[]}
            nodeTypes={NODE_TYPES}
            onNodesChange={onNodesChange}
            onEdgesChange={onEdgesChange}
            onConnect={onConnect}
            onNodeClick={onNodeClick}
            onNodeDragStop={() =>
              editor.getState().setCanvas(editor.getState().nodes, editor.getState().edges)
            }
            nodesDraggable={!viewing}
            nodesConnectable={!viewing}
            deleteKeyCode={viewing ? null : DELETE_KEYS}
            defaultViewport={{ x: 0, y: 0, zoom: 1 }}
            maxZoom={2}
            proOptions={{ hideAttribution: true }}
          >
            <Background />
            <Controls />
            <MiniMap pannable zoomable />
          </ReactFlow>
          {paused && (
            <div className="paused-badge" aria-hidden="true">
              Paused: running nodes finish, no new node starts until you resume
            </div>
          )}
          <NodeDebugPanel />
        </div>
        {historyOpen && engineId && online ? (
          <HistoryPanel key={engineId} rpc={rpc} onOpen={openRun} onClose={() => setHistoryOpen(false)} />
        ) : (
          <ConfigPanel />
        )}
      </div>
      <LogPanel />
    </div>
  );
}
