import { type EngineSettings, type EventLogLevel, type ExecutionMode, FloworkError } from "@flowork/protocol";
import type {
  ComponentContext,
  ComponentResult,
  ComponentServices,
  VariableAccess,
} from "../components/types.js";
import { sleepWithSignal } from "../testing/harness.js";
import { isRetryable, nodeError, RunAborted } from "./errors.js";
import type { GraphNode } from "./graph.js";

/** What the executor needs from the run it belongs to. */
export interface NodeRunHost {
  jobId: string;
  mode: ExecutionMode;
  settings: EngineSettings;
  services: ComponentServices;
  vars: VariableAccess;
  /** The run's signal: aborted on stop, failure or a stop_workflow node. */
  signal: AbortSignal;
  isDisabled(moduleId: string): boolean;
  log(level: EventLogLevel, message: string, node: GraphNode): void;
  debugPopup(node: GraphNode, title: string, content: unknown): void;
  stopRun(node: GraphNode, reason?: string): void;
}

const num = (v: unknown, fallback: number) => {
  const n = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : Number.NaN;
  return Number.isFinite(n) ? n : fallback;
};

/**
 * Runs one payload through one node: SIMULATE handling, the kill switch, retries with exponential backoff and
 * the per-attempt timeout. Returns the component's result with the number of attempts it took, or throws a
 * FloworkError (after the retries) / RunAborted (the run was stopped meanwhile).
 */
export async function executeNode(
  host: NodeRunHost,
  node: GraphNode,
  payload: unknown,
  config: Record<string, unknown>,
  onAttempt: (attempt: number) => void,
): Promise<{ result: ComponentResult; attempts: number }> {
  const retries = Math.max(0, Math.min(100, Math.trunc(num(config.retry_attempts, 0))));
  const baseDelayMs = Math.max(0, num(config.retry_delay_seconds, 1)) * 1000;
  const timeoutMs = Math.max(1, num(config.timeout_seconds, host.settings.node_timeout_seconds) * 1000);
  for (let attempt = 1; ; attempt++) {
    onAttempt(attempt);
    try {
      const result = await attemptOnce(host, node, payload, config, attempt, timeoutMs);
      return { result, attempts: attempt };
    } catch (err) {
      if (host.signal.aborted)
        throw host.signal.reason instanceof RunAborted ? host.signal.reason : RunAborted.stopped;
      const error = nodeError(err);
      if (attempt > retries || !isRetryable(error)) throw Object.assign(error, { attempts: attempt });
      const delay = baseDelayMs * 2 ** (attempt - 1);
      host.log(
        "WARN",
        `attempt ${attempt} failed (${error.code}: ${error.message}); retrying in ${delay / 1000}s`,
        node,
      );
      await sleepWithSignal(delay, host.signal).catch(() => {
        throw host.signal.reason instanceof RunAborted ? host.signal.reason : RunAborted.stopped;
      });
    }
  }
}

async function attemptOnce(
  host: NodeRunHost,
  node: GraphNode,
  payload: unknown,
  config: Record<string, unknown>,
  attempt: number,
  timeoutMs: number,
): Promise<ComponentResult> {
  const { component } = node;
  const manifest = component.manifest;
  if (host.isDisabled(manifest.id)) {
    throw new FloworkError("COMPONENT_DISABLED", `component ${manifest.id} is disabled by the operator`);
  }
  // Created on first use: most pure components never look at their signal, and an AbortController per node was
  // the largest single cost of a pure node (29% of CPU in --cpu-prof).
  let controller: AbortController | undefined;
  const controllerOf = (): AbortController => {
    if (controller === undefined) {
      controller = new AbortController();
      if (host.signal.aborted) controller.abort(host.signal.reason);
    }
    return controller;
  };
  const ctx: ComponentContext = {
    jobId: host.jobId,
    nodeId: node.node.id,
    mode: host.mode,
    config,
    attempt,
    vars: host.vars,
    settings: host.settings,
    services: host.services,
    get signal() {
      return controllerOf().signal;
    },
    log: (level, message) => host.log(level, message, node),
    debugPopup: (title, content) => host.debugPopup(node, title, content),
    sleep: (ms) => sleepWithSignal(ms, controllerOf().signal),
    stopRun: (reason) => host.stopRun(node, reason),
  };
  let work: Promise<ComponentResult> | ComponentResult;
  if (host.mode === "SIMULATE" && manifest.side_effects) {
    host.log("INFO", `[SIMULATE] ${manifest.name} did not act`, node);
    const configured = config.simulate_output;
    work = component.simulate
      ? component.simulate(payload, ctx)
      : { payload: configured ?? manifest.simulate_output ?? payload };
  } else {
    work = component.execute(payload, ctx);
  }
  // Synchronous components finish here: nothing to time out or cancel (the fast path of pure nodes).
  if (!(work instanceof Promise)) return work;
  return raceWithDeadline(work, controllerOf(), host.signal, timeoutMs, node.node.id);
}

/** Waits for an async attempt, failing it with NODE_TIMEOUT at the deadline or at once when the run aborts. */
async function raceWithDeadline(
  work: Promise<ComponentResult>,
  controller: AbortController,
  runSignal: AbortSignal,
  timeoutMs: number,
  nodeId: string,
): Promise<ComponentResult> {
  const onRunAbort = () => controller.abort(runSignal.reason);
  if (runSignal.aborted) onRunAbort();
  else runSignal.addEventListener("abort", onRunAbort, { once: true });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort(
        new FloworkError("NODE_TIMEOUT", `node "${nodeId}" ran past ${timeoutMs / 1000}s`, {
          retryable: true,
        }),
      );
    }, timeoutMs);
    if (controller.signal.aborted) reject(controller.signal.reason);
    controller.signal.addEventListener("abort", () => reject(controller.signal.reason), { once: true });
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
    runSignal.removeEventListener("abort", onRunAbort);
    work.catch(() => {});
  }
}
