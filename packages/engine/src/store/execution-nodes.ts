import type { ExecutionNode, JobEvent } from "@flowork/protocol";

/**
 * Each node's latest state, folded from a run's stored NODE_EXECUTION_METRIC events. Reading it back this way
 * keeps the hot path to one batched event write per step instead of an extra row update per node.
 */
export function nodesFromEvents(events: Iterable<JobEvent>): ExecutionNode[] {
  const nodes = new Map<string, ExecutionNode>();
  for (const e of events) {
    if (e.type !== "NODE_EXECUTION_METRIC") continue;
    const previous = nodes.get(e.node_id);
    const node: ExecutionNode = {
      node_id: e.node_id,
      module_id: e.module_id,
      status: e.status,
      attempts: Math.max(previous?.attempts ?? 0, e.status === "SKIPPED" ? 0 : e.attempt),
      duration_ms: e.duration_ms ?? null,
      output_port: e.output_port ?? null,
    };
    if (e.error !== undefined) node.error = { code: e.error.code, message: e.error.message };
    nodes.set(e.node_id, node);
  }
  return [...nodes.values()];
}
