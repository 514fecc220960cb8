import {
  type EngineRequest,
  type EngineRequestOf,
  type EngineRequestType,
  FloworkError,
  type JobEvent,
  roleAtLeast,
} from "@flowork/protocol";
import type { CommandContext, Handler, Handlers } from "./dispatcher.js";
import type { JobManager } from "./job-manager.js";
import type {
  AuditPort,
  ComponentsPort,
  ExecutionsPort,
  PresetsPort,
  SettingsPort,
  VariablesPort,
} from "./ports.js";

export interface HandlerDeps {
  engineId: () => string;
  version: string;
  jobs: JobManager;
  presets: PresetsPort;
  variables: VariablesPort;
  settings: SettingsPort;
  executions: ExecutionsPort;
  audit: AuditPort;
  components: ComponentsPort;
  /** Called after presets, variables or settings change (trigger schedules, caches). */
  onChange: (what: "presets" | "variables" | "settings") => void;
}

/** Narrows the dispatcher's request to the handler's own type. */
function on<T extends EngineRequestType>(
  fn: (request: EngineRequestOf<T>, ctx: CommandContext) => Promise<Record<string, unknown>>,
): Handler {
  return (request: EngineRequest, ctx: CommandContext) => fn(request as EngineRequestOf<T>, ctx);
}

/** Subscribes the caller's sink to a job's events and removes it when the connection closes. */
function attach(deps: HandlerDeps, ctx: CommandContext): ((event: JobEvent) => void) | undefined {
  const sink = ctx.sink;
  if (!sink) return undefined;
  ctx.onClose(() => deps.jobs.unsubscribeAll(sink));
  return sink;
}

const isAdmin = (ctx: CommandContext) => roleAtLeast(ctx.role, "admin");

/** Every request type of SPEC section 4, each a thin call into the job manager or a store. */
export function createHandlers(deps: HandlerDeps): Handlers {
  return {
    ping: on<"ping">(async () => ({
      engine_id: deps.engineId(),
      version: deps.version,
      ts: new Date().toISOString(),
    })),

    execute_workflow: on<"execute_workflow">(async (r, ctx) => {
      const { job_id } = await deps.jobs.submit(
        {
          ...(r.job_id !== undefined && { jobId: r.job_id }),
          ...(r.workflow_data !== undefined && { workflow: r.workflow_data }),
          ...(r.preset_name !== undefined && { presetName: r.preset_name }),
          ...(r.start_node_id !== undefined && { startNodeId: r.start_node_id }),
          mode: r.mode,
          initialPayload: r.initial_payload ?? {},
          startedBy: ctx.address,
        },
        attach(deps, ctx),
      );
      return { job_id, status: "QUEUED" };
    }),

    execute_standalone_node: on<"execute_standalone_node">(async (r, ctx) => {
      const workflow = {
        nodes: [
          {
            id: "node",
            name: r.node_data.module_id,
            x: 0,
            y: 0,
            module_id: r.node_data.module_id,
            config_values: r.node_data.config_values,
          },
        ],
        connections: [],
      };
      const { job_id } = await deps.jobs.submit(
        {
          ...(r.job_id !== undefined && { jobId: r.job_id }),
          workflow,
          mode: r.mode,
          initialPayload: r.initial_payload ?? {},
          startedBy: ctx.address,
        },
        attach(deps, ctx),
      );
      return { job_id, status: "QUEUED" };
    }),

    stop_workflow: on<"stop_workflow">(async (r, ctx) => deps.jobs.stop(r.job_id, ctx.address, isAdmin(ctx))),
    pause_workflow: on<"pause_workflow">(async (r, ctx) =>
      deps.jobs.pause(r.job_id, ctx.address, isAdmin(ctx)),
    ),
    resume_workflow: on<"resume_workflow">(async (r, ctx) =>
      deps.jobs.resume(r.job_id, ctx.address, isAdmin(ctx)),
    ),

    subscribe_job: on<"subscribe_job">(async (r, ctx) => {
      const sink = ctx.sink;
      if (!sink) throw new FloworkError("BAD_REQUEST", "this connection cannot receive events");
      // Events wait until the response frame has gone out: the response first, then the job's events in order.
      const held: JobEvent[] = [];
      let open = false;
      const listener = (event: JobEvent) => (open ? sink(event) : held.push(event));
      const { status, unsubscribe } = await deps.jobs.subscribe(r.job_id, listener);
      ctx.onClose(unsubscribe);
      // setImmediate runs after the microtask chain that sends the response frame.
      setImmediate(() => {
        open = true;
        for (const event of held.splice(0)) sink(event);
      });
      return { job_id: r.job_id, status };
    }),

    request_execution_history: on<"request_execution_history">(async (r) => ({
      executions: await deps.executions.history({
        ...(r.limit !== undefined && { limit: r.limit }),
        ...(r.before !== undefined && { before: r.before }),
      }),
    })),

    request_execution: on<"request_execution">(async (r) => {
      const execution = await deps.executions.get(r.job_id);
      if (!execution) throw new FloworkError("NOT_FOUND", `no execution ${r.job_id}`);
      return { execution };
    }),

    request_components_list: on<"request_components_list">(async (r) =>
      deps.components.list(r.component_type),
    ),

    request_presets_list: on<"request_presets_list">(async () => ({ presets: await deps.presets.list() })),

    load_preset: on<"load_preset">(async (r) => {
      const preset = await deps.presets.load(r.name, r.version);
      if (!preset)
        throw new FloworkError(
          "NOT_FOUND",
          `no preset "${r.name}"${r.version !== undefined ? ` version ${r.version}` : ""}`,
        );
      return preset;
    }),

    request_preset_versions: on<"request_preset_versions">(async (r) => {
      const versions = await deps.presets.versions(r.name);
      if (versions.length === 0) throw new FloworkError("NOT_FOUND", `no preset "${r.name}"`);
      return { name: r.name, versions };
    }),

    save_preset: on<"save_preset">(async (r, ctx) => {
      const saved = await deps.presets.save(r.name, r.workflow_data, {
        updated_by: ctx.address,
        message: ctx.signedMessage,
        signature: ctx.signature,
      });
      deps.onChange("presets");
      return saved;
    }),

    delete_preset: on<"delete_preset">(async (r) => {
      if (!(await deps.presets.delete(r.name))) throw new FloworkError("NOT_FOUND", `no preset "${r.name}"`);
      deps.onChange("presets");
      return { name: r.name };
    }),

    request_variables: on<"request_variables">(async () => ({ variables: await deps.variables.list() })),

    update_variable: on<"update_variable">(async (r) => {
      const variable = await deps.variables.upsert(r.name, r.data);
      deps.onChange("variables");
      return { variable };
    }),

    delete_variable: on<"delete_variable">(async (r) => {
      if (!(await deps.variables.delete(r.name)))
        throw new FloworkError("NOT_FOUND", `no variable ${r.name}`);
      deps.onChange("variables");
      return { name: r.name };
    }),

    request_audit_log: on<"request_audit_log">(async (r) => ({
      entries: await deps.audit.list({
        ...(r.limit !== undefined && { limit: r.limit }),
        ...(r.before !== undefined && { before: r.before }),
      }),
    })),

    request_settings: on<"request_settings">(async () => ({ settings: await deps.settings.get() })),

    save_settings: on<"save_settings">(async (r) => {
      const settings = await deps.settings.save(r.settings);
      deps.onChange("settings");
      return { settings };
    }),
  };
}
