import type { JobEvent, LogEvent, NodeExecutionMetric } from "@flowork/protocol";
import { createBuiltinRegistry } from "../components/builtin/index.js";
import type { ComponentRegistry } from "../components/registry.js";
import { compileWorkflow, createRun } from "./compile.js";
import type { RunOptions, RunOutcome } from "./run.js";

/** Builds a workflow document from terse node and edge lists (test-only). */
export function wf(
  nodes: [id: string, moduleId: string, config?: Record<string, unknown>][],
  edges: (
    | [from: string, to: string]
    | [from: string, to: string, port: string]
    | [from: string, to: string, port: string, targetPort: string]
  )[] = [],
  extra: Record<string, unknown> = {},
) {
  return {
    nodes: nodes.map(([id, module_id, config_values], i) => ({
      id,
      name: id,
      x: i * 100,
      y: 0,
      module_id,
      config_values: config_values ?? {},
    })),
    connections: edges.map(([source, target, port, targetPort], i) => ({
      id: `c${i}`,
      source,
      target,
      ...(port !== undefined && { source_port_name: port }),
      target_port_name: targetPort ?? "input",
    })),
    ...extra,
  };
}

export interface Recorded extends RunOutcome {
  events: JobEvent[];
  logs: LogEvent[];
  metrics: NodeExecutionMetric[];
  /** node ids in the order they finished successfully */
  order: string[];
}

export async function runDoc(
  document: unknown,
  options: RunOptions & { registry?: ComponentRegistry } = {},
): Promise<Recorded> {
  const registry = options.registry ?? createBuiltinRegistry();
  const compiled = compileWorkflow(
    document,
    registry,
    options.startNodeId !== undefined ? { startNodeId: options.startNodeId } : {},
  );
  const events: JobEvent[] = [];
  const run = createRun(compiled, {
    ...options,
    isDisabled: options.isDisabled ?? ((id) => registry.isDisabled(id)),
    onEvent: (e) => {
      events.push(e);
      options.onEvent?.(e);
    },
  });
  const outcome = await run.start();
  const metrics = events.filter((e): e is NodeExecutionMetric => e.type === "NODE_EXECUTION_METRIC");
  return {
    ...outcome,
    events,
    logs: events.filter((e): e is LogEvent => e.type === "log"),
    metrics,
    order: metrics.filter((m) => m.status === "SUCCEEDED").map((m) => m.node_id),
  };
}
