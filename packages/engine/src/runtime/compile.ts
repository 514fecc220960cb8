import { FloworkError, type GlobalLoopConfig, type Workflow } from "@flowork/protocol";
import type { ComponentRegistry } from "../components/registry.js";
import { buildGraph, type Graph } from "./graph.js";
import { type RunOptions, WorkflowRun } from "./run.js";
import { containsTemplate } from "./templates.js";
import { validateWorkflow } from "./validate.js";

/** A workflow validated and indexed once, runnable many times (the engine caches these per preset version). */
export interface CompiledWorkflow {
  workflow: Workflow;
  graph: Graph;
  globalLoop: RunOptions["globalLoop"];
}

/**
 * Validates a workflow document against a registry and indexes it for the scheduler.
 * @throws FloworkError `WORKFLOW_INVALID` with `details.problems` listing every problem.
 */
export function compileWorkflow(
  document: unknown,
  registry: ComponentRegistry,
  options: { startNodeId?: string } = {},
): CompiledWorkflow {
  const checked = validateWorkflow(document, registry, options);
  if (!checked.ok) {
    throw new FloworkError("WORKFLOW_INVALID", `the workflow has ${checked.problems.length} problem(s)`, {
      details: { problems: checked.problems },
    });
  }
  const graph = buildGraph(
    checked.workflow,
    (id) => registry.get(id) as NonNullable<ReturnType<ComponentRegistry["get"]>>,
    containsTemplate,
  );
  return { workflow: checked.workflow, graph, globalLoop: globalLoopOf(checked.workflow.global_loop_config) };
}

/** `global_loop_config`: iterations, with a static or random delay in seconds between them. */
function globalLoopOf(config: GlobalLoopConfig | undefined): RunOptions["globalLoop"] {
  if (!config?.isEnabled || config.iterations <= 1) return undefined;
  const delayMs = (): number => {
    if (!config.isDelayEnabled) return 0;
    if (config.delayType === "random") {
      const min = Math.min(config.delayRandomMin, config.delayRandomMax);
      const max = Math.max(config.delayRandomMin, config.delayRandomMax);
      return (min + Math.random() * (max - min)) * 1000;
    }
    return config.delayStatic * 1000;
  };
  return { iterations: config.iterations, delayMs };
}

/** Creates a run of a compiled workflow (call `start()` to run it). */
export function createRun(compiled: CompiledWorkflow, options: RunOptions = {}): WorkflowRun {
  return new WorkflowRun(compiled.graph, { globalLoop: compiled.globalLoop, ...options });
}
