/** The workflow file format of SPEC section 5, and the canvas shapes it maps to. */

export interface WorkflowNode {
  id: string;
  name: string;
  x: number;
  y: number;
  module_id: string;
  config_values: Record<string, unknown>;
}

export interface WorkflowConnection {
  id: string;
  source: string;
  target: string;
  source_port_name: string;
  target_port_name: string;
}

export interface Workflow {
  nodes: WorkflowNode[];
  connections: WorkflowConnection[];
  global_loop_config: Record<string, unknown>;
}

export const DEFAULT_LOOP_CONFIG = {
  isEnabled: false,
  iterations: 1,
  isDelayEnabled: false,
  delayType: "static",
  delayStatic: 0,
  delayRandomMin: 0,
  delayRandomMax: 0,
} as const;

/** What a canvas node carries (structurally an @xyflow/react `Node`). */
export interface CanvasNodeData extends Record<string, unknown> {
  module_id: string;
  name: string;
  config_values: Record<string, unknown>;
}

export interface CanvasNode {
  id: string;
  type: "component";
  position: { x: number; y: number };
  data: CanvasNodeData;
  selected?: boolean;
}

export interface CanvasEdge {
  id: string;
  source: string;
  target: string;
  sourceHandle: string;
  targetHandle: string;
  selected?: boolean;
}

export function toWorkflow(
  nodes: readonly CanvasNode[],
  edges: readonly CanvasEdge[],
  loop: Record<string, unknown> = { ...DEFAULT_LOOP_CONFIG },
): Workflow {
  return {
    nodes: nodes.map((n) => ({
      id: n.id,
      name: n.data.name,
      x: Math.round(n.position.x),
      y: Math.round(n.position.y),
      module_id: n.data.module_id,
      config_values: n.data.config_values,
    })),
    connections: edges.map((e) => ({
      id: e.id,
      source: e.source,
      target: e.target,
      source_port_name: e.sourceHandle,
      target_port_name: e.targetHandle,
    })),
    global_loop_config: loop,
  };
}

/** Reads a workflow (also the `sourceHandle`/`targetHandle` spelling) into canvas nodes and edges. */
export function fromWorkflow(raw: unknown): {
  nodes: CanvasNode[];
  edges: CanvasEdge[];
  loop: Record<string, unknown>;
} {
  const wf = raw as Omit<Partial<Workflow>, "connections"> & {
    connections?: (Partial<WorkflowConnection> & { sourceHandle?: string; targetHandle?: string })[];
  };
  if (!wf || !Array.isArray(wf.nodes)) throw new Error("This is not a workflow: it has no nodes list.");
  const nodes: CanvasNode[] = wf.nodes.map((n, i) => ({
    id: String(n.id),
    type: "component",
    position: { x: Number(n.x ?? i * 220), y: Number(n.y ?? 100) },
    data: {
      module_id: String(n.module_id),
      name: String(n.name ?? n.module_id),
      config_values: { ...(n.config_values ?? {}) },
    },
  }));
  const edges: CanvasEdge[] = (wf.connections ?? []).map((c, i) => ({
    id: String(c.id ?? `c${i + 1}`),
    source: String(c.source),
    target: String(c.target),
    sourceHandle: String(c.source_port_name ?? c.sourceHandle ?? "success"),
    targetHandle: String(c.target_port_name ?? c.targetHandle ?? "input"),
  }));
  const loop = (wf.global_loop_config as Record<string, unknown> | undefined) ?? { ...DEFAULT_LOOP_CONFIG };
  return { nodes, edges, loop };
}

/** The next free id with a prefix: `n1`, `n2`, ... after the highest in use. */
export function nextId(prefix: string, used: Iterable<string>): string {
  let max = 0;
  for (const id of used) {
    const m = new RegExp(`^${prefix}(\\d+)$`).exec(id);
    if (m) max = Math.max(max, Number(m[1]));
  }
  return `${prefix}${max + 1}`;
}
