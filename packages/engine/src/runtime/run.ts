import {
  type EngineSettings,
  type EventLogLevel,
  type ExecutionMode,
  FloworkError,
  type JobStatus,
  type NodeExecutionMetric,
  type StatusData,
  settingsWith,
} from "@flowork/protocol";
import type { ComponentResult, ComponentServices, Emission, VariableAccess } from "../components/types.js";
import { createMemoryVariableAccess, sleepWithSignal } from "../testing/harness.js";
import type { CheckpointSequence, RunCheckpoint } from "./checkpoint.js";
import { errorPayload, RunAborted } from "./errors.js";
import { type EventSink, logEvent, passesLevel } from "./events.js";
import type { Edge, Graph, GraphNode } from "./graph.js";
import { SecretMasker } from "./mask.js";
import { executeNode, type NodeRunHost } from "./node-executor.js";
import { TaskScope } from "./scope.js";
import { renderDeep, type TemplateScope } from "./templates.js";

export interface RunOptions {
  jobId?: string;
  mode?: ExecutionMode;
  initialPayload?: unknown;
  startNodeId?: string;
  variables?: VariableAccess;
  settings?: Partial<EngineSettings>;
  services?: ComponentServices;
  onEvent?: EventSink;
  /** Aborting it stops the run (status STOPPED). */
  signal?: AbortSignal;
  /** The operator's kill switch. */
  isDisabled?: (moduleId: string) => boolean;
  /** The workflow's global loop (repeat the whole run). */
  globalLoop?: { iterations: number; delayMs: () => number };
  /** Resume an interrupted run from this picture instead of starting at the entry nodes. */
  resumeFrom?: RunCheckpoint;
  /** Called after every node step settles; call `snapshot()` from it to persist progress. */
  onStep?: () => void;
}

export interface RunOutcome {
  job_id: string;
  status: Extract<JobStatus, "SUCCEEDED" | "FAILED" | "STOPPED">;
  result: Record<string, unknown>;
  error?: { code: string; message: string };
  started_at: string;
  ended_at: string;
  steps: number;
}

let jobCounter = 0;
export function newJobId(): string {
  jobCounter = (jobCounter + 1) % 1_000_000;
  return `job-${Date.now().toString(36)}-${jobCounter.toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

/**
 * One execution of a compiled workflow: message passing from the entry nodes, parallel branches, joins, loops,
 * error ports, retries, pause/resume/stop, the step guard and the event stream of SPEC section 4.
 */
export class WorkflowRun implements NodeRunHost {
  readonly jobId: string;
  readonly mode: ExecutionMode;
  readonly settings: EngineSettings;
  readonly services: ComponentServices;
  readonly vars: VariableAccess;
  readonly #graph: Graph;
  readonly #options: RunOptions;
  readonly #emit: EventSink;
  readonly #masker: SecretMasker;
  /** Why the run was aborted (stopped, failed, ended by a node); undefined while it goes on. */
  #abortReason: RunAborted | undefined;
  /** Created only when something asks for {@link signal}: most runs never need one, and it costs an allocation and
   * an event dispatch per run on the webhook path. */
  #abortController: AbortController | undefined;
  #status: JobStatus = "QUEUED";
  #startTime = "";
  #steps = 0;
  #failure: FloworkError | undefined;
  #endedBy: string | undefined;
  #pauseGate: { promise: Promise<void>; release: () => void } | undefined;
  #outputs = new Map<string, unknown>();
  #result: Record<string, unknown> = {};
  #joins = new Map<string, Map<number, unknown>>();
  #ran = new Set<string>();
  #iteration = 0;
  #nextId = 1;
  #tasks = new Map<number, { node: GraphNode; payload: unknown; edge: Edge | undefined; scope: TaskScope }>();
  #sequences = new Map<
    number,
    { node: GraphNode; parent: TaskScope; current: TaskScope; remaining: Emission[] }
  >();
  #scopes = new Map<number, TaskScope>();

  constructor(graph: Graph, options: RunOptions = {}) {
    this.#graph = graph;
    this.#options = options;
    this.jobId = options.jobId ?? newJobId();
    this.mode = options.mode ?? "EXECUTE";
    this.settings = settingsWith(options.settings);
    this.services = options.services ?? {};
    this.vars = options.variables ?? createMemoryVariableAccess();
    this.#emit = options.onEvent ?? (() => {});
    this.#masker = new SecretMasker(this.vars.secretValues?.() ?? []);
    const external = options.signal;
    if (external) {
      if (external.aborted) this.stop();
      else external.addEventListener("abort", () => this.stop(), { once: true });
    }
  }

  get signal(): AbortSignal {
    if (this.#abortController === undefined) {
      this.#abortController = new AbortController();
      if (this.#abortReason !== undefined) this.#abortController.abort(this.#abortReason);
    }
    return this.#abortController.signal;
  }

  /** Aborts once: the first reason wins. */
  #abortWith(reason: RunAborted): void {
    if (this.#abortReason !== undefined) return;
    this.#abortReason = reason;
    this.#abortController?.abort(reason);
  }

  get status(): JobStatus {
    return this.#status;
  }

  isDisabled(moduleId: string): boolean {
    return this.#options.isDisabled?.(moduleId) ?? false;
  }

  /** Stops the run: running nodes are cancelled, nothing new starts, the final status is STOPPED. */
  stop(): void {
    this.#abortWith(RunAborted.stopped);
    this.#pauseGate?.release();
  }

  /** Pauses: running nodes finish, no new node starts until resume(). */
  pause(): boolean {
    if (this.#status !== "RUNNING" || this.#pauseGate) return false;
    let release!: () => void;
    const promise = new Promise<void>((resolve) => {
      release = resolve;
    });
    this.#pauseGate = { promise, release };
    this.#setStatus("PAUSED");
    return true;
  }

  resume(): boolean {
    const gate = this.#pauseGate;
    if (!gate) return false;
    this.#pauseGate = undefined;
    gate.release();
    if (this.#abortReason === undefined) this.#setStatus("RUNNING");
    return true;
  }

  log(level: EventLogLevel, message: string, node?: GraphNode): void {
    if (!passesLevel(level, this.settings.log_level)) return;
    const source = node ? (node.node.name ?? node.node.module_id) : "workflow";
    this.#emit(logEvent(this.jobId, level, source, this.#masker.text(message), node?.node.id));
  }

  debugPopup(node: GraphNode, title: string, content: unknown): void {
    this.#emit({
      type: "SHOW_DEBUG_POPUP",
      job_id: this.jobId,
      node_id: node.node.id,
      title: this.#masker.text(title),
      content: this.#masker.deep(content),
    });
  }

  stopRun(node: GraphNode, reason?: string): void {
    this.#endedBy = reason ?? `ended by node "${node.node.id}"`;
    this.#abortWith(RunAborted.ended);
  }

  /** Runs to the end and returns the outcome; never throws. */
  async start(): Promise<RunOutcome> {
    this.#startTime = new Date().toISOString();
    if (this.#abortReason !== undefined) return this.#finish();
    this.#setStatus("RUNNING");
    const loop = this.#options.globalLoop;
    const iterations = loop ? Math.max(1, loop.iterations) : 1;
    const resume = this.#options.resumeFrom;
    if (resume) this.log("INFO", `resuming from a checkpoint (${resume.tasks.length} pending step(s))`);
    for (let i = resume?.iteration ?? 0; i < iterations; i++) {
      this.#iteration = i;
      if (i > (resume?.iteration ?? 0)) {
        this.#resetPass();
        const delay = loop?.delayMs() ?? 0;
        if (delay > 0) await sleepWithSignal(delay, this.signal).catch(() => {});
        if (this.#abortReason !== undefined) break;
        this.log("INFO", `iteration ${i + 1} of ${iterations}`);
      }
      await this.#pass(i === resume?.iteration ? resume : undefined);
      if (this.#abortReason !== undefined) break;
    }
    return this.#finish();
  }

  /** A JSON picture of the run's progress, from which `resumeFrom` continues it (see checkpoint.ts). */
  snapshot(): RunCheckpoint {
    const sequences: CheckpointSequence[] = [];
    for (const [id, seq] of this.#sequences) {
      sequences.push({
        id,
        node_id: seq.node.node.id,
        parent_scope: seq.parent.id,
        current_scope: seq.current.id,
        remaining: seq.remaining.map((e) =>
          e.output_name === undefined
            ? { payload: e.payload }
            : { payload: e.payload, output_name: e.output_name },
        ),
      });
    }
    return {
      version: 1,
      iteration: this.#iteration,
      steps: this.#steps,
      tasks: [...this.#tasks.values()].map((t) => ({
        node_id: t.node.node.id,
        payload: t.payload,
        edge_id: t.edge?.id ?? null,
        scope: t.scope.id,
      })),
      sequences,
      joins: [...this.#joins].map(([nodeId, inputs]) => [nodeId, [...inputs]]),
      outputs: [...this.#outputs],
      result: { ...this.#result },
      ran: [...this.#ran],
    };
  }

  async #pass(resume?: RunCheckpoint): Promise<void> {
    const root = this.#newScope(0);
    if (resume) {
      this.#restore(resume, root);
      await root.drained();
      return;
    }
    const start = this.#options.startNodeId;
    const entries = start !== undefined ? [start] : this.#graph.entryIds;
    const payload = this.#options.initialPayload ?? {};
    for (const id of entries) {
      const node = this.#graph.nodes.get(id);
      if (node) this.#spawn(node, payload, undefined, root);
    }
    await root.drained();
  }

  #resetPass(): void {
    this.#steps = 0;
    this.#outputs.clear();
    this.#result = {};
    this.#joins.clear();
    this.#scopes.clear();
  }

  #newScope(id = this.#nextId++): TaskScope {
    const scope = new TaskScope(id);
    this.#scopes.set(id, scope);
    return scope;
  }

  /** Rebuilds scopes, pending tasks, join buffers and part-done sequences from a checkpoint. */
  #restore(cp: RunCheckpoint, root: TaskScope): void {
    this.#steps = cp.steps;
    this.#outputs = new Map(cp.outputs);
    this.#result = { ...cp.result };
    this.#joins = new Map(cp.joins.map(([id, inputs]) => [id, new Map(inputs)]));
    this.#ran = new Set(cp.ran);
    const ids = [
      0,
      ...cp.tasks.map((t) => t.scope),
      ...cp.sequences.flatMap((s) => [s.id, s.parent_scope, s.current_scope]),
    ];
    this.#nextId = Math.max(...ids) + 1;
    const scopeOf = (id: number) => (id === 0 ? root : (this.#scopes.get(id) ?? this.#newScope(id)));
    const edges = new Map<string, Edge>();
    for (const node of this.#graph.nodes.values()) for (const e of node.incoming) edges.set(e.id, e);
    // Tasks first, so each sequence waits for the restored tasks of its current emission.
    for (const task of cp.tasks) {
      const node = this.#graph.nodes.get(task.node_id);
      const edge = task.edge_id === null ? undefined : edges.get(task.edge_id);
      if (node) this.#spawn(node, task.payload, edge, scopeOf(task.scope));
    }
    for (const seq of [...cp.sequences].sort((a, b) => a.id - b.id)) {
      const node = this.#graph.nodes.get(seq.node_id);
      if (node)
        this.#startSequence(
          seq.id,
          node,
          scopeOf(seq.parent_scope),
          scopeOf(seq.current_scope),
          seq.remaining,
        );
    }
  }

  #spawn(node: GraphNode, payload: unknown, edge: Edge | undefined, scope: TaskScope): void {
    const id = this.#nextId++;
    this.#tasks.set(id, { node, payload, edge, scope });
    scope.enter();
    this.#runTask(node, payload, edge, scope).then(
      () => this.#settle(id, scope),
      (err: unknown) => {
        this.#fail(
          err instanceof FloworkError ? err : new FloworkError("INTERNAL", "scheduler error", { cause: err }),
        );
        this.#settle(id, scope);
      },
    );
  }

  #settle(taskId: number, scope: TaskScope): void {
    this.#tasks.delete(taskId);
    if (this.#abortReason === undefined) this.#options.onStep?.();
    scope.leave();
  }

  #startSequence(
    id: number,
    node: GraphNode,
    parent: TaskScope,
    current: TaskScope | undefined,
    remaining: Emission[],
  ): void {
    this.#continueSequence(id, node, parent, current, remaining).catch((err: unknown) =>
      this.#fail(
        err instanceof FloworkError ? err : new FloworkError("INTERNAL", "scheduler error", { cause: err }),
      ),
    );
  }

  /**
   * Sends a sequential emitter's emissions one after another, each once the previous one's downstream work is
   * done. `current` is the scope of an emission already in flight (after a resume), if any.
   */
  async #continueSequence(
    id: number,
    node: GraphNode,
    parent: TaskScope,
    current: TaskScope | undefined,
    remaining: Emission[],
  ): Promise<void> {
    parent.enter();
    const seq = { node, parent, current: current ?? this.#newScope(), remaining: [...remaining] };
    this.#sequences.set(id, seq);
    try {
      if (current) await current.drained();
      while (seq.remaining.length > 0) {
        if (this.#abortReason !== undefined) return;
        const emission = seq.remaining.shift() as Emission;
        this.#scopes.delete(seq.current.id);
        seq.current = this.#newScope();
        this.#route(node, emission, seq.current);
        await seq.current.drained();
      }
    } finally {
      this.#scopes.delete(seq.current.id);
      this.#sequences.delete(id);
      parent.leave();
    }
  }

  async #runTask(node: GraphNode, input: unknown, edge: Edge | undefined, scope: TaskScope): Promise<void> {
    if (this.#abortReason !== undefined) return;
    let payload = input;
    if (node.component.joinsInputs && node.incoming.length > 0) {
      const joined = this.#join(node, input, edge);
      if (joined === undefined) return;
      payload = joined;
    }
    if (this.#pauseGate) await this.#pauseGate.promise;
    if (this.#abortReason !== undefined) return;
    if (++this.#steps > this.settings.max_steps_per_execution) {
      this.#fail(
        new FloworkError(
          "LOOP_LIMIT",
          `more than ${this.settings.max_steps_per_execution} node runs (max_steps_per_execution)`,
        ),
      );
      return;
    }
    this.#ran.add(node.node.id);
    const startedAt = new Date().toISOString();
    const t0 = performance.now();
    const config = node.templated
      ? (renderDeep(node.config, this.#templateScope(payload)) as Record<string, unknown>)
      : node.config;
    let attempt = 1;
    let outcome: { result: ComponentResult; attempts: number };
    try {
      outcome = await executeNode(this, node, payload, config, (a) => {
        attempt = a;
        this.#metric(node, "RUNNING", a, startedAt);
      });
    } catch (err) {
      if (err instanceof RunAborted || this.#abortReason !== undefined) return;
      const error =
        err instanceof FloworkError ? err : new FloworkError("INTERNAL", undefined, { cause: err });
      const message = this.#masker.text(error.message);
      this.#metric(node, "FAILED", attempt, startedAt, performance.now() - t0, undefined, {
        code: error.code,
        message,
      });
      this.log("ERROR", `${error.code}: ${message}`, node);
      if ((node.out.get("error")?.length ?? 0) > 0) {
        this.#route(
          node,
          { payload: errorPayload(payload, new FloworkError(error.code, message)), output_name: "error" },
          scope,
        );
      } else {
        this.#fail(
          new FloworkError(error.code, `node "${node.node.id}" failed: ${message}`, {
            details: { node_id: node.node.id },
          }),
        );
      }
      return;
    }
    const { result } = outcome;
    const emissions = "emits" in result ? result.emits : [result];
    const lastPort = emissions.at(-1)?.output_name ?? node.defaultPort;
    this.#metric(node, "SUCCEEDED", outcome.attempts, startedAt, performance.now() - t0, lastPort);
    if ("emits" in result && result.sequential) {
      // The sequence holds this scope open by itself, so the emitter's own step is done (and not re-run on resume).
      this.#startSequence(this.#nextId++, node, scope, undefined, result.emits);
    } else {
      for (const emission of emissions) this.#route(node, emission, scope);
    }
  }

  /** Buffers a payload for a join node; returns the inputs array once every connected input has one. */
  #join(node: GraphNode, payload: unknown, edge: Edge | undefined): unknown[] | undefined {
    const index = edge?.targetIndex ?? 0;
    let buffer = this.#joins.get(node.node.id);
    if (!buffer) {
      buffer = new Map();
      this.#joins.set(node.node.id, buffer);
    }
    if (!buffer.has(index)) buffer.set(index, payload);
    if (buffer.size < node.incoming.length) return undefined;
    this.#joins.delete(node.node.id);
    return node.incoming.map((e) => buffer.get(e.targetIndex));
  }

  #route(node: GraphNode, emission: Emission, scope: TaskScope): void {
    const port = emission.output_name ?? node.defaultPort;
    const payload = emission.payload;
    this.#outputs.set(node.node.id, payload);
    const edges = node.out.get(port);
    if (!edges || edges.length === 0) {
      this.#result[node.node.id] = payload;
      return;
    }
    for (let i = 0; i < edges.length; i++) {
      const edge = edges[i] as Edge;
      const target = this.#graph.nodes.get(edge.target);
      // Each branch gets its own copy, so a component that changes its input cannot reach a sibling branch.
      if (target) this.#spawn(target, i === 0 ? payload : structuredClone(payload), edge, scope);
    }
  }

  #templateScope(payload: unknown): TemplateScope {
    return {
      payload,
      vars: (name) => this.vars.get(name),
      nodes: (id) => (this.#outputs.has(id) ? { payload: this.#outputs.get(id) } : undefined),
    };
  }

  #metric(
    node: GraphNode,
    status: "RUNNING" | "SUCCEEDED" | "FAILED" | "SKIPPED",
    attempt: number,
    startedAt: string,
    durationMs?: number,
    outputPort?: string,
    error?: { code: string; message: string },
  ): void {
    const event: NodeExecutionMetric = {
      type: "NODE_EXECUTION_METRIC",
      job_id: this.jobId,
      node_id: node.node.id,
      module_id: node.node.module_id,
      status,
      attempt,
      started_at: startedAt,
    };
    // Assigned, not spread: one object per event on the per-node hot path.
    if (durationMs !== undefined) event.duration_ms = Math.round(durationMs * 1000) / 1000;
    if (outputPort !== undefined) event.output_port = outputPort;
    if (error !== undefined) event.error = error;
    this.#emit(event);
  }

  #fail(error: FloworkError): void {
    if (this.#abortReason !== undefined) return;
    this.#failure = error;
    this.#abortWith(RunAborted.failed);
  }

  #setStatus(status: JobStatus, extra: Partial<StatusData> = {}): void {
    this.#status = status;
    this.#emit({
      type: "workflow_status_update",
      job_id: this.jobId,
      status_data: {
        status,
        mode: this.mode,
        start_time: this.#startTime || new Date().toISOString(),
        ...extra,
      },
    });
  }

  #finish(): RunOutcome {
    const reason = this.#abortReason;
    const status: RunOutcome["status"] = this.#failure
      ? "FAILED"
      : reason instanceof RunAborted && reason.kind === "stopped"
        ? "STOPPED"
        : "SUCCEEDED";
    const endedAt = new Date().toISOString();
    const result = this.#masker.deep(this.#result);
    if (status === "SUCCEEDED" || status === "FAILED") {
      const skippedAt = endedAt;
      for (const node of this.#graph.nodes.values()) {
        if (!this.#ran.has(node.node.id)) this.#metric(node, "SKIPPED", 1, skippedAt);
      }
    }
    if (this.#endedBy) this.log("INFO", this.#endedBy);
    const outcome: RunOutcome = {
      job_id: this.jobId,
      status,
      result,
      started_at: this.#startTime,
      ended_at: endedAt,
      steps: this.#steps,
    };
    const extra: Partial<StatusData> = { end_time: endedAt, result };
    if (this.#failure) {
      outcome.error = { code: this.#failure.code, message: this.#masker.text(this.#failure.message) };
      extra.error_message = outcome.error.message;
      extra.error_code = outcome.error.code;
    }
    this.#setStatus(status, extra);
    this.#abortWith(RunAborted.ended);
    return outcome;
  }
}
