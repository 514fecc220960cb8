import type { EngineSettings, EventLogLevel, ExecutionMode, JsonValue, Manifest } from "@flowork/protocol";

/** One payload leaving a node on a port. */
export interface Emission {
  payload: unknown;
  output_name?: string;
}

/**
 * What a component returns: the new payload and the output port it leaves on (default: the manifest's first
 * output port), or several emissions in order. With `sequential`, each emission's downstream work finishes
 * before the next is sent (`loop`: the body runs once per item, then `done`).
 */
export type ComponentResult = Emission | { emits: Emission[]; sequential?: boolean };

/** Variables as a node sees them. Reads resolve `random`/`sequential` modes; writes are side effects. */
export interface VariableAccess {
  get(name: string): unknown;
  has(name: string): boolean;
  /** Persist a value (the store decides how). Secrets stay secret. */
  set(name: string, value: unknown): Promise<void>;
  /** A plain snapshot of every enabled variable's current value, for sandboxes and templates. */
  snapshot(): Record<string, unknown>;
  /** Every secret value in clear, so the runtime can mask them in logs and events. */
  secretValues?(): string[];
}

/** A sandbox for user code (`code_javascript`, `expression`): see src/sandbox. */
export interface SandboxRunner {
  run(request: SandboxRequest): Promise<SandboxResult>;
}
export interface SandboxRequest {
  /** `function`: a function body with `payload` and `vars` in scope, its return value is the result. `expression`: one expression. */
  kind: "function" | "expression";
  code: string;
  payload: unknown;
  vars: Record<string, unknown>;
  timeoutMs: number;
  memoryBytes?: number;
  signal?: AbortSignal;
}
export interface SandboxResult {
  value: unknown;
  logs: { level: EventLogLevel; message: string }[];
}

/** Services the host (CLI, engine, worker) gives components. Every field is optional: a component that needs a missing one fails with a typed error. */
export interface ComponentServices {
  sandbox?: SandboxRunner;
  /** Folder `file_read`/`file_write` are confined to. */
  workspaceDir?: string;
  /** Runs a saved preset with a payload and returns the run's result object (`sub_workflow`). */
  runSubWorkflow?: (
    presetName: string,
    payload: unknown,
    options: { wait: boolean; signal: AbortSignal; mode: ExecutionMode },
  ) => Promise<unknown>;
  /** Sends a notification to the user's GUIs (`notify_gui`). */
  notify?: (notification: {
    level: "info" | "success" | "warning" | "error";
    title: string;
    text: string;
  }) => Promise<void>;
  /** fetch implementation (tests may pass a recording one); defaults to global fetch. */
  fetch?: typeof fetch;
  /** DNS lookup used by the SSRF guard; defaults to node:dns. */
  lookup?: (hostname: string) => Promise<{ address: string; family: number }[]>;
}

/** Everything a component sees while it runs one payload. */
export interface ComponentContext {
  jobId: string;
  nodeId: string;
  mode: ExecutionMode;
  /** config_values with every template resolved (secrets included: never log them). */
  config: Record<string, unknown>;
  /** The 1-based attempt number (retries). */
  attempt: number;
  vars: VariableAccess;
  settings: EngineSettings;
  services: ComponentServices;
  /** Aborted when the run is stopped or the node times out. */
  signal: AbortSignal;
  /** Emits a `log` event for this node (secrets masked by the runtime). */
  log(level: EventLogLevel, message: string): void;
  /** Emits `SHOW_DEBUG_POPUP`. */
  debugPopup(title: string, content: unknown): void;
  /** Waits `ms`, rejecting with the abort reason if the signal fires. */
  sleep(ms: number): Promise<void>;
  /** Ends the whole run successfully after this node (`stop_workflow` component). */
  stopRun(reason?: string): void;
}

/**
 * A component: its manifest plus the code that runs one payload. Side-effecting components are never called
 * in SIMULATE mode unless `simulate` is given: the runtime logs `[SIMULATE]` and returns `simulate_output`.
 */
export interface ComponentDefinition {
  manifest: Manifest;
  /** Extra config checks beyond the property schema; return problems as strings. */
  validateConfig?(config: Record<string, unknown>): string[];
  /**
   * Join node (`merge`): the runtime waits for one payload on each connected input and calls `execute` once with
   * the array of those payloads, in connection order.
   */
  joinsInputs?: boolean;
  /** Output ports for a given config when they depend on it (switch). */
  outputPorts?(config: Record<string, unknown>): string[];
  execute(payload: unknown, ctx: ComponentContext): Promise<ComponentResult> | ComponentResult;
  /** Custom simulation for a side-effecting component (optional). */
  simulate?(payload: unknown, ctx: ComponentContext): Promise<ComponentResult> | ComponentResult;
}

export type { JsonValue };
