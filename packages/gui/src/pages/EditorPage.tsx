import type { Manifest } from "@flowork/protocol";
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
import { LogPanel } from "../components/LogPanel.js";
import { DRAG_TYPE, Palette } from "../components/Palette.js";
import { validateConfig } from "../lib/config-form.js";
import { errorText } from "../lib/errors.js";
import type { CanvasEdge, CanvasNode } from "../lib/workflow.js";
import { isRunning } from "../stores/editor.js";
import { sortedEngines } from "../stores/engines.js";

const NODE_TYPES = { component: ComponentNode };

interface PresetRow {
  name: string;
  version: number;
  updated_at: string;
}

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
  const run = useEditor((s) => s.run);
  const presetName = useEditor((s) => s.presetName);
  const canUndo = useEditor((s) => s.past.length > 0);
  const canRedo = useEditor((s) => s.future.length > 0);
  const [presets, setPresets] = useState<PresetRow[]>([]);
  const [chosenPreset, setChosenPreset] = useState("");
  const [error, setError] = useState<string | undefined>(undefined);
  const [loading, setLoading] = useState(false);
  const flow = useReactFlow();
  const wrapper = useRef<HTMLDivElement>(null);
  const fileInput = useRef<HTMLInputElement>(null);

  const rpc = useCallback(
    <T,>(payload: { type: string } & Record<string, unknown>) => {
      if (!engineId) return Promise.reject(new Error("Choose an engine first."));
      return session.getState().rpc<T>(engineId, payload);
    },
    [engineId, session],
  );

  const refreshPresets = useCallback(async () => {
    const r = await rpc<{ presets: PresetRow[] }>({ type: "request_presets_list" });
    setPresets(r.presets);
  }, [rpc]);

  // Components and presets of the chosen engine, once it is online.
  useEffect(() => {
    if (!engineId || engine?.status !== "online") return;
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
  }, [engineId, engine?.status, rpc, editor, refreshPresets]);

  const guard = (fn: () => Promise<void>) => () => {
    setError(undefined);
    fn().catch((err: unknown) => setError(errorText(err)));
  };

  const start = (mode: "EXECUTE" | "SIMULATE") =>
    guard(async () => {
      const s = editor.getState();
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
      const jobId = `gui-${crypto.randomUUID()}`;
      s.startRun(jobId, mode); // before sending: events may arrive before the ack
      await rpc({ type: "execute_workflow", job_id: jobId, workflow_data: s.workflow(), mode });
    });

  const stop = guard(async () => {
    const jobId = editor.getState().run.jobId;
    if (jobId) await rpc({ type: "stop_workflow", job_id: jobId });
  });

  const savePreset = guard(async () => {
    const name = editor.getState().presetName.trim();
    if (!name) throw new Error("Give the preset a name.");
    const r = await rpc<{ name: string; version: number }>({
      type: "save_preset",
      name,
      workflow_data: editor.getState().workflow(),
    });
    toasts
      .getState()
      .push({ level: "success", title: "Preset saved", text: `${r.name} version ${r.version}` });
    await refreshPresets();
  });

  const loadPreset = guard(async () => {
    if (!chosenPreset) throw new Error("Choose a preset to load.");
    const r = await rpc<{ name: string; version: number; workflow_data: unknown }>({
      type: "load_preset",
      name: chosenPreset,
    });
    editor.getState().load(r.workflow_data, { name: r.name, version: r.version });
    setTimeout(() => flow.fitView({ padding: 0.2 }), 0);
  });

  const deletePreset = guard(async () => {
    if (!chosenPreset || !window.confirm(`Delete the preset ${chosenPreset} and all its versions?`)) return;
    await rpc({ type: "delete_preset", name: chosenPreset });
    setChosenPreset("");
    await refreshPresets();
  });

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

  // Undo/redo, copy/paste; not while typing in a field.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement | null;
      if (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT")) return;
      if (!(e.ctrlKey || e.metaKey)) return;
      const s = editor.getState();
      const k = e.key.toLowerCase();
      if (k === "z" && !e.shiftKey) s.undo();
      else if (k === "y" || (k === "z" && e.shiftKey)) s.redo();
      else if (k === "c") s.copySelected();
      else if (k === "v") s.paste();
      else return;
      e.preventDefault();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [editor]);

  const running = isRunning(run);
  const canRun = engine?.status === "online" && engine.role !== "reader";

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
        <button type="button" onClick={start("EXECUTE")} disabled={!canRun}>
          Execute
        </button>
        <button type="button" onClick={start("SIMULATE")} disabled={!canRun}>
          Simulate
        </button>
        <button type="button" onClick={stop} disabled={!running}>
          Stop
        </button>
        <button type="button" onClick={() => editor.getState().undo()} disabled={!canUndo}>
          Undo
        </button>
        <button type="button" onClick={() => editor.getState().redo()} disabled={!canRedo}>
          Redo
        </button>
        <span className="sep" />
        <label>
          Preset name
          <input value={presetName} onChange={(e) => editor.getState().setPresetName(e.target.value)} />
        </label>
        <button type="button" onClick={savePreset} disabled={!canRun}>
          Save preset
        </button>
        <label>
          Presets
          <select value={chosenPreset} onChange={(e) => setChosenPreset(e.target.value)}>
            <option value="">Choose a preset</option>
            {presets.map((p) => (
              <option key={p.name} value={p.name}>
                {p.name} (v{p.version})
              </option>
            ))}
          </select>
        </label>
        <button type="button" onClick={loadPreset} disabled={!chosenPreset}>
          Load preset
        </button>
        <button type="button" onClick={deletePreset} disabled={!chosenPreset}>
          Delete preset
        </button>
        <span className="sep" />
        <button type="button" onClick={exportJson}>
          Export JSON
        </button>
        <button type="button" onClick={() => fileInput.current?.click()}>
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
      </div>
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
          className="canvas"
          ref={wrapper}
          data-testid="canvas"
          onDragOver={(e) => {
            e.preventDefault();
            e.dataTransfer.dropEffect = "move";
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
            onNodeDragStop={() =>
              editor.getState().setCanvas(editor.getState().nodes, editor.getState().edges)
            }
            deleteKeyCode={["Delete", "Backspace"]}
            defaultViewport={{ x: 0, y: 0, zoom: 1 }}
            maxZoom={2}
            proOptions={{ hideAttribution: true }}
          >
            <Background />
            <Controls />
            <MiniMap pannable zoomable />
          </ReactFlow>
        </div>
        <ConfigPanel />
      </div>
      <LogPanel />
    </div>
  );
}
