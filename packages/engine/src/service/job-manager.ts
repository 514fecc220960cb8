import {
  type EngineSettings,
  FloworkError,
  type JobEvent,
  type JobStatus,
  TERMINAL_STATUSES,
} from "@flowork/protocol";
import type { ComponentRegistry } from "../components/registry.js";
import type { ComponentServices, VariableAccess } from "../components/types.js";
import { isRunCheckpoint, type RunCheckpoint } from "../runtime/checkpoint.js";
import { type CompiledWorkflow, compileWorkflow, createRun } from "../runtime/compile.js";
import { newJobId, type RunOutcome, type WorkflowRun } from "../runtime/run.js";
import { FairQueue } from "./fair-queue.js";
import type { EventAppender, JobRequest, JobStore } from "./job-types.js";

export type JobListener = (event: JobEvent) => void;

/**
 * Queue mode (SPEC section 8): where the engine hands its runs instead of running them (see `queue/producer.ts`).
 * Workers run them, store their events and publish them back; the engine relays them with {@link JobManager.relayRemote}.
 */
export interface RemoteRunner {
  enqueue(job: {
    jobId: string;
    request: JobRequest;
    workflow: unknown;
    disabledComponents: readonly string[];
  }): Promise<void>;
  /** Removes a run no worker has taken yet; false when a worker holds it (or it is gone). */
  cancelQueued(jobId: string): Promise<boolean>;
  /** Asks the worker that holds a job to stop, pause or resume it. */
  control(op: "stop" | "pause" | "resume", jobId: string): void;
}

export interface JobManagerOptions {
  store: JobStore;
  events: EventAppender;
  registry: ComponentRegistry;
  settings: () => EngineSettings;
  /** The variables; a plain value once loaded (no await, so no extra microtask per run). */
  variables: () => VariableAccess | Promise<VariableAccess>;
  /** Loads the latest version of a preset: its version number and workflow, or undefined (a plain value when cached). */
  loadPreset: (
    name: string,
  ) =>
    | { version: number; workflow_data: unknown }
    | undefined
    | Promise<{ version: number; workflow_data: unknown } | undefined>;
  services: Omit<ComponentServices, "runSubWorkflow">;
  /** Every event of every job (gateway relay, metrics). */
  onEvent?: (event: JobEvent, job: { jobId: string; startedBy: string | null }) => void;
  onError?: (err: unknown, context: string) => void;
  /** How long checkpoint writes are coalesced (ms). */
  checkpointDelayMs?: number;
  /** Queue mode: runs go to workers; this engine never runs them itself. */
  remote?: RemoteRunner;
}

interface Job {
  jobId: string;
  startedBy: string | null;
  /** What `onEvent` is told with each event: one object per job, not one per event. */
  meta: { jobId: string; startedBy: string | null };
  presetName: string | null;
  request: JobRequest;
  compiled: CompiledWorkflow;
  status: JobStatus;
  run?: WorkflowRun;
  resumeFrom?: RunCheckpoint;
  listeners: Set<JobListener>;
  /** Events emitted so far (count), in order; the store holds them with the same order. */
  emitted: number;
  done: Promise<RunOutcome>;
  resolveDone: (outcome: RunOutcome) => void;
  checkpointTimer?: ReturnType<typeof setTimeout>;
  /** A checkpoint was written for this job (so one must be deleted when it ends). */
  checkpointed?: boolean;
}

const MAX_SUB_WORKFLOW_DEPTH = 10;

/**
 * Owns every job of the engine: validation, the fair concurrency queue, persistence of status and events,
 * checkpoints for durable runs, subscriptions, stop/pause/resume, and recovery after a crash.
 */
export class JobManager {
  readonly #o: JobManagerOptions;
  readonly #jobs = new Map<string, Job>();
  readonly #queue = new FairQueue<Job>();
  readonly #compiled = new Map<string, CompiledWorkflow>();
  #active = 0;
  #closing = false;

  constructor(options: JobManagerOptions) {
    this.#o = options;
  }

  get activeCount(): number {
    return this.#active;
  }

  get queuedCount(): number {
    return this.#queue.size;
  }

  /** Validates, records (QUEUED) and queues a run. @throws WORKFLOW_INVALID, NOT_FOUND (preset), CONFLICT (job id). */
  async submit(
    request: JobRequest,
    listener?: JobListener,
  ): Promise<{ job_id: string; done: Promise<RunOutcome> }> {
    if (this.#closing) throw new FloworkError("ENGINE_OFFLINE", "the engine is shutting down");
    const compiled = await this.#compile(request);
    const jobId = request.jobId ?? newJobId();
    const taken = () => this.#jobs.has(jobId);
    // Checked again after the store's answer: another submit of the same id may have arrived meanwhile.
    if (taken() || (request.jobId !== undefined && ((await this.#o.store.exists(jobId)) || taken()))) {
      throw new FloworkError("CONFLICT", `job ${jobId} already exists`);
    }
    const job = this.#newJob(jobId, request, compiled);
    if (listener) job.listeners.add(listener);
    this.#jobs.set(jobId, job);
    // Buffered in the journal: the row, its status changes and its events are written together (group commit).
    this.#o.events.create({
      job_id: jobId,
      preset_name: job.presetName,
      mode: request.mode,
      started_by: request.startedBy,
      workflow_data: compiled.workflow,
      initial_payload: request.initialPayload ?? {},
      start_node_id: request.startNodeId ?? null,
    });
    this.#enqueue(job);
    return { job_id: jobId, done: job.done };
  }

  /**
   * Validates and indexes the workflow. A saved preset's version never changes, so its compiled form is cached
   * by name, version and start node (webhooks and schedules run the same preset over and over). Components are
   * looked up live through the registry's definitions, so a reloaded plugin or the kill switch still applies.
   */
  async #compile(request: JobRequest): Promise<CompiledWorkflow> {
    const start = request.startNodeId !== undefined ? { startNodeId: request.startNodeId } : {};
    if (request.presetName === undefined) return compileWorkflow(request.workflow, this.#o.registry, start);
    const loading = this.#o.loadPreset(request.presetName);
    const preset = loading instanceof Promise ? await loading : loading;
    if (preset === undefined) throw new FloworkError("NOT_FOUND", `no preset named "${request.presetName}"`);
    const key = `${request.presetName}\u0000${preset.version}\u0000${request.startNodeId ?? ""}`;
    const cached = this.#compiled.get(key);
    if (cached) return cached;
    const compiled = compileWorkflow(preset.workflow_data, this.#o.registry, start);
    if (this.#compiled.size >= 256) this.#compiled.delete(this.#compiled.keys().next().value as string);
    this.#compiled.set(key, compiled);
    return compiled;
  }

  #newJob(jobId: string, request: JobRequest, compiled: CompiledWorkflow): Job {
    let resolveDone!: (o: RunOutcome) => void;
    const done = new Promise<RunOutcome>((resolve) => {
      resolveDone = resolve;
    });
    return {
      jobId,
      startedBy: request.startedBy,
      meta: { jobId, startedBy: request.startedBy },
      presetName: request.presetName ?? null,
      request,
      compiled,
      status: "QUEUED",
      listeners: new Set(),
      emitted: 0,
      done,
      resolveDone,
    };
  }

  #enqueue(job: Job): void {
    this.#emit(job, {
      type: "workflow_status_update",
      job_id: job.jobId,
      status_data: { status: "QUEUED", mode: job.request.mode, start_time: new Date().toISOString() },
    });
    if (this.#o.remote && !job.request.bypassQueue) {
      void this.#sendRemote(job, this.#o.remote);
      return;
    }
    if (job.request.bypassQueue) {
      this.#start(job);
      return;
    }
    this.#queue.push(job.startedBy ?? "(trigger)", job);
    this.#pump();
  }

  #pump(): void {
    while (!this.#closing && this.#active < this.#o.settings().max_concurrent_executions) {
      const next = this.#queue.shift();
      if (!next) return;
      this.#start(next);
    }
  }

  #start(job: Job): void {
    this.#active++;
    void this.#execute(job)
      .catch((err: unknown) => this.#o.onError?.(err, `job ${job.jobId}`))
      .finally(() => {
        this.#active--;
        this.#pump();
      });
  }

  /** Queue mode: the QUEUED event is stored before a worker can append after it; a failed enqueue fails the run. */
  async #sendRemote(job: Job, remote: RemoteRunner): Promise<void> {
    try {
      await this.#o.events.flush();
      await remote.enqueue({
        jobId: job.jobId,
        request: job.request,
        workflow: job.compiled.workflow,
        disabledComponents: this.#o.registry.disabledIds(),
      });
    } catch (err) {
      this.#o.onError?.(err, `enqueue ${job.jobId}`);
      const message = `the job could not be queued: ${err instanceof Error ? err.message : String(err)}`;
      await this.#finishHere(job, "FAILED", message).catch((e: unknown) => this.#o.onError?.(e, "enqueue"));
    }
  }

  /**
   * Queue mode, engine side: an event a worker published for one of this engine's jobs (the worker stored it).
   * It reaches the job's listeners and `onEvent` (gateway relay); a final status settles the job here.
   */
  relayRemote(event: JobEvent, meta: { jobId: string; startedBy: string | null }): void {
    const job = this.#jobs.get(meta.jobId);
    if (!job) {
      this.#o.onEvent?.(event, meta);
      return;
    }
    if (event.type === "workflow_status_update") job.status = event.status_data.status;
    job.emitted++;
    this.#deliver(job, event);
    if (event.type === "workflow_status_update" && TERMINAL_STATUSES.has(event.status_data.status)) {
      this.#jobs.delete(job.jobId);
      const d = event.status_data;
      job.resolveDone({
        job_id: job.jobId,
        status: d.status as RunOutcome["status"],
        result: (d.result ?? {}) as Record<string, unknown>,
        ...(d.error_message !== undefined && { error: { code: "USER_ERROR", message: d.error_message } }),
        started_at: d.start_time,
        ended_at: d.end_time ?? new Date().toISOString(),
        steps: 0,
      });
    }
  }

  /**
   * Queue mode, worker side: runs a job whose row the engine already wrote (no QUEUED event, no fair queue: the
   * queue's concurrency limits the worker), from `resumeFrom` when a previous worker left a checkpoint.
   * @throws WORKFLOW_INVALID, or whatever the store throws.
   */
  async runQueued(request: JobRequest & { jobId: string }, resumeFrom?: RunCheckpoint): Promise<RunOutcome> {
    const start = request.startNodeId !== undefined ? { startNodeId: request.startNodeId } : {};
    const compiled = compileWorkflow(request.workflow, this.#o.registry, start);
    const job = this.#newJob(request.jobId, request, compiled);
    if (resumeFrom) job.resumeFrom = resumeFrom;
    this.#jobs.set(job.jobId, job);
    this.#active++;
    try {
      await this.#execute(job);
      // A worker acknowledges the queue job next: its history must be stored before that.
      await this.#o.events.flush();
    } finally {
      this.#active--;
      this.#jobs.delete(job.jobId);
    }
    return job.done;
  }

  async #execute(job: Job): Promise<void> {
    const loading = this.#o.variables();
    const variables = loading instanceof Promise ? await loading : loading;
    const depth = job.request.depth ?? 0;
    const run = createRun(job.compiled, {
      jobId: job.jobId,
      mode: job.request.mode,
      initialPayload: job.request.initialPayload ?? {},
      ...(job.request.startNodeId !== undefined && { startNodeId: job.request.startNodeId }),
      ...(job.resumeFrom && { resumeFrom: job.resumeFrom }),
      variables,
      settings: this.#o.settings(),
      isDisabled: disabledCheck(this.#o.registry, job.request.disabledComponents),
      services: {
        ...this.#o.services,
        runSubWorkflow: (name, payload, opts) => this.#subWorkflow(job, depth, name, payload, opts),
      },
      onEvent: (event) => this.#emit(job, event),
      onStep: () => this.#scheduleCheckpoint(job),
    });
    job.run = run;
    // Status rows, events and checkpoints go through the journal: a short run's whole history is one INSERT of
    // its row and one of its events, in a transaction shared with every run that ends in the same tick.
    this.#o.events.setStatus(job.jobId, "RUNNING", { started_at: new Date().toISOString() });
    const outcome = await run.start();
    clearTimeout(job.checkpointTimer);
    job.status = outcome.status;
    const durationMs = Date.parse(outcome.ended_at) - Date.parse(outcome.started_at);
    this.#o.events.setStatus(job.jobId, outcome.status, {
      ended_at: outcome.ended_at,
      duration_ms: Number.isFinite(durationMs) ? durationMs : 0,
      ...(outcome.error && { error_code: outcome.error.code, error_message: outcome.error.message }),
      result: outcome.result,
    });
    // Only runs that lived long enough to write a checkpoint have one to delete (short runs skip a write).
    if (job.checkpointed || job.resumeFrom !== undefined) this.#o.events.deleteCheckpoint(job.jobId);
    this.#jobs.delete(job.jobId);
    // The caller (a webhook's reply, a waiting parent) goes on at once; the journal commits this run with the
    // others of its window (at most `intervalMs` later, or when a reader flushes). A crash before that commit loses
    // this run's history (docs/decisions/0004-execution-journal.md); a worker flushes before it acknowledges.
    job.resolveDone(outcome);
  }

  async #subWorkflow(
    parent: Job,
    depth: number,
    presetName: string,
    payload: unknown,
    opts: { wait: boolean; signal: AbortSignal; mode: "EXECUTE" | "SIMULATE" },
  ): Promise<unknown> {
    if (depth + 1 > MAX_SUB_WORKFLOW_DEPTH) {
      throw new FloworkError("LOOP_LIMIT", `sub-workflows nest deeper than ${MAX_SUB_WORKFLOW_DEPTH}`);
    }
    const { job_id, done } = await this.submit({
      presetName,
      mode: opts.mode,
      initialPayload: payload,
      startedBy: parent.startedBy,
      bypassQueue: opts.wait,
      depth: depth + 1,
    });
    if (!opts.wait) return { job_id };
    const onAbort = () => this.#jobs.get(job_id)?.run?.stop();
    opts.signal.addEventListener("abort", onAbort, { once: true });
    try {
      const outcome = await done;
      if (outcome.status !== "SUCCEEDED") {
        throw new FloworkError(
          (outcome.error?.code as "USER_ERROR" | undefined) ?? "USER_ERROR",
          `sub-workflow ${presetName} ${outcome.status.toLowerCase()}: ${outcome.error?.message ?? ""}`.trim(),
        );
      }
      return outcome.result;
    } finally {
      opts.signal.removeEventListener("abort", onAbort);
    }
  }

  #emit(job: Job, event: JobEvent): void {
    if (event.type === "workflow_status_update") job.status = event.status_data.status;
    job.emitted++;
    this.#o.events.append(job.jobId, event);
    this.#deliver(job, event);
  }

  #deliver(job: Job, event: JobEvent): void {
    for (const listener of job.listeners) {
      try {
        listener(event);
      } catch (err) {
        this.#o.onError?.(err, "job listener");
      }
    }
    this.#o.onEvent?.(event, job.meta);
  }

  #scheduleCheckpoint(job: Job): void {
    if (job.checkpointTimer !== undefined || !job.run) return;
    job.checkpointTimer = setTimeout(() => {
      job.checkpointTimer = undefined;
      const run = job.run;
      if (!run || TERMINAL_STATUSES.has(run.status)) return;
      job.checkpointed = true;
      this.#o.events.saveCheckpoint(job.jobId, JSON.stringify(run.snapshot()));
    }, this.#o.checkpointDelayMs ?? 10);
  }

  /** The role check for stop/pause/resume: a runner acts on its own jobs, an admin on any. */
  #controllable(jobId: string, address: string, isAdmin: boolean): Job {
    const job = this.#jobs.get(jobId);
    if (!job) throw new FloworkError("NOT_FOUND", `job ${jobId} is not running`);
    if (!isAdmin && job.startedBy !== address) {
      throw new FloworkError("AUTH_FORBIDDEN_ROLE", "a runner may only control the jobs it started", {
        details: { required: "admin" },
      });
    }
    return job;
  }

  stop(jobId: string, address: string, isAdmin: boolean): { job_id: string; status: JobStatus } {
    const job = this.#controllable(jobId, address, isAdmin);
    if (this.#o.remote && !job.run) {
      void this.#stopRemote(job, this.#o.remote);
      return { job_id: jobId, status: "STOPPED" };
    }
    if (job.run) {
      job.run.stop();
      return { job_id: jobId, status: "STOPPED" };
    }
    if (this.#queue.remove((j) => j === job)) void this.#cancelQueued(job);
    return { job_id: jobId, status: "STOPPED" };
  }

  /** Queue mode: a run still waiting in the queue is taken out and ends here; one a worker holds is told to stop. */
  async #stopRemote(job: Job, remote: RemoteRunner): Promise<void> {
    try {
      if (await remote.cancelQueued(job.jobId)) {
        await this.#finishHere(job, "STOPPED");
        return;
      }
    } catch (err) {
      this.#o.onError?.(err, `cancel ${job.jobId}`);
    }
    remote.control("stop", job.jobId);
  }

  async #cancelQueued(job: Job): Promise<void> {
    await this.#finishHere(job, "STOPPED");
  }

  /** Ends a job that never ran here (stopped while queued, or not queued at all). */
  async #finishHere(job: Job, status: "STOPPED" | "FAILED", errorMessage?: string): Promise<void> {
    const now = new Date().toISOString();
    const outcome: RunOutcome = {
      job_id: job.jobId,
      status,
      result: {},
      started_at: now,
      ended_at: now,
      steps: 0,
    };
    this.#emit(job, {
      type: "workflow_status_update",
      job_id: job.jobId,
      status_data: {
        status,
        mode: job.request.mode,
        start_time: now,
        end_time: now,
        result: {},
        ...(errorMessage !== undefined && { error_message: errorMessage }),
      },
    });
    this.#o.events.setStatus(job.jobId, status, {
      ended_at: now,
      duration_ms: 0,
      ...(errorMessage !== undefined && { error_message: errorMessage }),
    });
    this.#jobs.delete(job.jobId);
    job.resolveDone(outcome);
  }

  pause(jobId: string, address: string, isAdmin: boolean): { job_id: string; status: JobStatus } {
    const job = this.#controllable(jobId, address, isAdmin);
    if (this.#o.remote && !job.run) this.#o.remote.control("pause", jobId);
    job.run?.pause();
    return { job_id: jobId, status: job.run?.status ?? job.status };
  }

  resume(jobId: string, address: string, isAdmin: boolean): { job_id: string; status: JobStatus } {
    const job = this.#controllable(jobId, address, isAdmin);
    if (this.#o.remote && !job.run) this.#o.remote.control("resume", jobId);
    job.run?.resume();
    return { job_id: jobId, status: job.run?.status ?? job.status };
  }

  /**
   * Sends a job's events so far (stored ones first, in order), then its live events, to `listener`.
   * Returns the job's current status and an unsubscribe function.
   */
  async subscribe(
    jobId: string,
    listener: JobListener,
  ): Promise<{ status: JobStatus; unsubscribe: () => void }> {
    const live = this.#jobs.get(jobId);
    if (!live && !(await this.#o.store.exists(jobId))) throw new FloworkError("NOT_FOUND", `no job ${jobId}`);
    const buffered: JobEvent[] = [];
    let replaying = true;
    const relay: JobListener = (event) => {
      if (replaying) buffered.push(event);
      else listener(event);
    };
    live?.listeners.add(relay);
    const emittedBefore = live?.emitted ?? 0;
    // The store's read flushes the journal first, so it returns every event emitted before this point.
    const stored = await this.#o.store.events(jobId);
    for (const event of stored) listener(event);
    // Live events the store did not have yet: those emitted after the ones it returned.
    const skip = Math.max(0, stored.length - emittedBefore);
    for (const event of buffered.slice(skip)) listener(event);
    replaying = false;
    const status = live?.status ?? lastStatus(stored) ?? "QUEUED";
    return { status, unsubscribe: () => live?.listeners.delete(relay) };
  }

  /** Removes a listener from every job (a connection closed). */
  unsubscribeAll(listener: JobListener): void {
    for (const job of this.#jobs.values()) job.listeners.delete(listener);
  }

  /**
   * After a crash: every run the store still shows as unfinished is marked INTERRUPTED; with
   * `resume_interrupted`, it is then resumed from its last checkpoint (or from the start if none was written).
   */
  async recover(): Promise<{ interrupted: number; resumed: number }> {
    const unfinished = await this.#o.store.unfinished();
    let resumed = 0;
    for (const row of unfinished) {
      const now = new Date().toISOString();
      this.#o.events.append(row.job_id, {
        type: "workflow_status_update",
        job_id: row.job_id,
        status_data: {
          status: "INTERRUPTED",
          mode: row.mode,
          start_time: now,
          end_time: now,
          error_message: "the engine stopped while this run was in progress",
        },
      });
      this.#o.events.setStatus(row.job_id, "INTERRUPTED", {
        ended_at: now,
        error_message: "the engine stopped while this run was in progress",
      });
      if (!this.#o.settings().resume_interrupted) {
        this.#o.events.deleteCheckpoint(row.job_id);
        continue;
      }
      try {
        const compiled = compileWorkflow(
          row.workflow_data,
          this.#o.registry,
          row.start_node_id ? { startNodeId: row.start_node_id } : {},
        );
        const request: JobRequest = {
          jobId: row.job_id,
          mode: row.mode,
          initialPayload: row.initial_payload,
          startedBy: row.started_by,
          ...(row.start_node_id && { startNodeId: row.start_node_id }),
          ...(row.preset_name && { presetName: row.preset_name }),
        };
        const job = this.#newJob(row.job_id, request, compiled);
        const saved = await this.#o.store.loadCheckpoint(row.job_id);
        const parsed: unknown = saved === undefined ? undefined : JSON.parse(saved);
        if (isRunCheckpoint(parsed)) job.resumeFrom = parsed;
        this.#jobs.set(row.job_id, job);
        this.#enqueue(job);
        resumed++;
      } catch (err) {
        this.#o.onError?.(err, `resume ${row.job_id}`);
      }
    }
    await this.#o.events.flush();
    return { interrupted: unfinished.length, resumed };
  }

  /** Stops accepting work; running jobs are checkpointed and left for the next start to resume. */
  async close(): Promise<void> {
    this.#closing = true;
    for (const job of this.#jobs.values()) {
      if (job.run) {
        clearTimeout(job.checkpointTimer);
        this.#o.events.saveCheckpoint(job.jobId, JSON.stringify(job.run.snapshot()));
      }
    }
    await this.#o.events.flush();
  }
}

/** The kill switch for one run: the registry's, plus the engine's when a worker runs a queued job. */
function disabledCheck(
  registry: ComponentRegistry,
  extra: readonly string[] | undefined,
): (moduleId: string) => boolean {
  if (extra === undefined || extra.length === 0) return (id) => registry.isDisabled(id);
  const set = new Set(extra);
  return (id) => set.has(id) || registry.isDisabled(id);
}

function lastStatus(events: JobEvent[]): JobStatus | undefined {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i];
    if (e?.type === "workflow_status_update") return e.status_data.status;
  }
  return undefined;
}
