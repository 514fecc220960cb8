import {
  connectionSourcePort,
  connectionTargetPort,
  type Workflow,
  type WorkflowConnection,
  type WorkflowNode,
} from "@flowork/protocol";
import type { ComponentDefinition } from "../components/types.js";

/** A connection with its ports resolved (defaults applied). */
export interface Edge {
  id: string;
  source: string;
  target: string;
  sourcePort: string;
  targetPort: string;
  /** Position among the target's incoming edges (merge order). */
  targetIndex: number;
}

export interface GraphNode {
  node: WorkflowNode;
  component: ComponentDefinition;
  config: Record<string, unknown>;
  /** Whether any config string holds a template (static configs are not re-rendered per payload). */
  templated: boolean;
  defaultPort: string;
  /** Outgoing edges by source port. */
  out: Map<string, Edge[]>;
  incoming: Edge[];
}

/** A validated workflow, indexed for the scheduler. Built once per workflow and reusable across runs. */
export interface Graph {
  nodes: Map<string, GraphNode>;
  entryIds: string[];
}

export function defaultOutputPort(component: ComponentDefinition): string {
  return (
    component.manifest.output_ports[0]?.name ?? (component.manifest.type === "TRIGGER" ? "output" : "success")
  );
}

export function edgeOf(
  c: WorkflowConnection,
  index: number,
  component: ComponentDefinition | undefined,
): Edge {
  return {
    id: c.id ?? `c${index}`,
    source: c.source,
    target: c.target,
    sourcePort: connectionSourcePort(c) ?? (component ? defaultOutputPort(component) : "success"),
    targetPort: connectionTargetPort(c),
    targetIndex: 0,
  };
}

/** Indexes an already validated workflow (see validate.ts). */
export function buildGraph(
  workflow: Workflow,
  components: (moduleId: string) => ComponentDefinition,
  containsTemplate: (v: unknown) => boolean,
): Graph {
  const nodes = new Map<string, GraphNode>();
  for (const node of workflow.nodes) {
    const component = components(node.module_id);
    const config = node.config_values ?? {};
    nodes.set(node.id, {
      node,
      component,
      config,
      templated: containsTemplate(config),
      defaultPort: defaultOutputPort(component),
      out: new Map(),
      incoming: [],
    });
  }
  workflow.connections.forEach((c, i) => {
    const source = nodes.get(c.source);
    const target = nodes.get(c.target);
    if (!source || !target) return;
    const edge = edgeOf(c, i, source.component);
    edge.targetIndex = target.incoming.length;
    target.incoming.push(edge);
    const list = source.out.get(edge.sourcePort);
    if (list) list.push(edge);
    else source.out.set(edge.sourcePort, [edge]);
  });
  const entryIds = [...nodes.values()].filter((n) => n.incoming.length === 0).map((n) => n.node.id);
  return { nodes, entryIds };
}
