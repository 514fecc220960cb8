import { type EngineSettings, type EventLogLevel, type ExecutionMode, settingsWith } from "@flowork/protocol";
import type {
  ComponentContext,
  ComponentDefinition,
  ComponentResult,
  ComponentServices,
  VariableAccess,
} from "../components/types.js";

/**
 * Test harness for component authors: run one component on one payload without an engine, and read back the
 * logs and popups it produced. Timers can be skipped with `skipSleep`.
 *
 * @example
 * const h = createComponentHarness({ config: { fields: { a: 1 } } });
 * const out = await h.run(setData, { b: 2 });
 * expect(out).toEqual({ payload: { b: 2, a: 1 } });
 */
export interface HarnessOptions {
  config?: Record<string, unknown>;
  mode?: ExecutionMode;
  vars?: Record<string, unknown>;
  settings?: Partial<EngineSettings>;
  services?: ComponentServices;
  signal?: AbortSignal;
  attempt?: number;
  /** Resolve sleeps at once (time-skipping), recording the requested durations. */
  skipSleep?: boolean;
}

export interface ComponentHarness {
  readonly logs: { level: EventLogLevel; message: string }[];
  readonly popups: { title: string; content: unknown }[];
  readonly sleeps: number[];
  readonly varWrites: { name: string; value: unknown }[];
  stopped: string | undefined;
  context: ComponentContext;
  run(component: ComponentDefinition, payload?: unknown): Promise<ComponentResult>;
}

export function createMemoryVariableAccess(
  initial: Record<string, unknown> = {},
  onWrite?: (name: string, value: unknown) => void,
): VariableAccess {
  const values = new Map(Object.entries(initial));
  return {
    get: (name) => values.get(name),
    has: (name) => values.has(name),
    set: async (name, value) => {
      values.set(name, value);
      onWrite?.(name, value);
    },
    snapshot: () => Object.fromEntries(values),
  };
}

export function createComponentHarness(options: HarnessOptions = {}): ComponentHarness {
  const logs: ComponentHarness["logs"] = [];
  const popups: ComponentHarness["popups"] = [];
  const sleeps: number[] = [];
  const varWrites: ComponentHarness["varWrites"] = [];
  const signal = options.signal ?? new AbortController().signal;
  const harness: ComponentHarness = {
    logs,
    popups,
    sleeps,
    varWrites,
    stopped: undefined,
    context: undefined as unknown as ComponentContext,
    async run(component, payload = {}) {
      if (options.mode === "SIMULATE" && component.manifest.side_effects) {
        if (component.simulate) return component.simulate(payload, harness.context);
        return { payload: component.manifest.simulate_output ?? payload };
      }
      return component.execute(payload, harness.context);
    },
  };
  harness.context = {
    jobId: "job-test",
    nodeId: "node-test",
    mode: options.mode ?? "EXECUTE",
    config: options.config ?? {},
    attempt: options.attempt ?? 1,
    vars: createMemoryVariableAccess(options.vars, (name, value) => varWrites.push({ name, value })),
    settings: settingsWith(options.settings),
    services: options.services ?? {},
    signal,
    log: (level, message) => logs.push({ level, message }),
    debugPopup: (title, content) => popups.push({ title, content }),
    sleep: (ms) => {
      sleeps.push(ms);
      if (options.skipSleep) return Promise.resolve();
      return sleepWithSignal(ms, signal);
    },
    stopRun: (reason) => {
      harness.stopped = reason ?? "stopped";
    },
  };
  return harness;
}

/** Waits `ms`; rejects with the signal's reason when it aborts first. */
export function sleepWithSignal(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
