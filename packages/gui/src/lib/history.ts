import type { ExecutionDetail, ExecutionSummary, PresetVersion } from "@flowork/protocol";
import type { RunRecords } from "./run-records.js";
import { DEFAULT_LOOP_CONFIG, type Workflow } from "./workflow.js";

/** Execution history (SPEC section 4 `request_execution_history` / `request_execution`): paging and loading. */

export const PAGE_SIZE = 20;

/** One request more than shown: the extra row says whether there is an older page. */
export function historyRequest(before: string | undefined): {
  type: "request_execution_history";
  limit: number;
  before?: string;
} {
  return { type: "request_execution_history", limit: PAGE_SIZE + 1, ...(before !== undefined && { before }) };
}

export interface HistoryPage {
  rows: ExecutionSummary[];
  /** `before` of the next older page, when there is one. */
  older: string | undefined;
}

export function toPage(executions: ExecutionSummary[]): HistoryPage {
  const rows = executions.slice(0, PAGE_SIZE);
  const last = rows.at(-1);
  return { rows, older: executions.length > PAGE_SIZE && last ? last.started_at : undefined };
}

/** "850 ms", "3.2 s", "2 min 5 s", "1 h 3 min"; "—" when unknown. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return "—";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

/** A local date and time, to the second: "2025-01-31 14:05:09"; "—" when absent or unreadable. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "—";
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** When a run ended: only the time when it ended the day it started, the full date and time otherwise. */
export function formatEnd(startedAt: string, endedAt: string | null | undefined): string {
  const end = formatTime(endedAt);
  const start = formatTime(startedAt);
  return end !== "—" && start.slice(0, 10) === end.slice(0, 10) ? end.slice(11) : end;
}

/** The version of a preset that was the latest when a run started: the newest saved at or before `startedAt`. */
export function versionAt(versions: readonly PresetVersion[], startedAt: string): number | undefined {
  const t = Date.parse(startedAt);
  let best: number | undefined;
  for (const v of versions) {
    if (Date.parse(v.updated_at) <= t && (best === undefined || v.version > best)) best = v.version;
  }
  return best;
}

/** Where the canvas of a viewed run came from. */
export type WorkflowSource =
  | { kind: "engine" }
  | { kind: "local" }
  | { kind: "preset"; name: string; version: number }
  | { kind: "unavailable" };

export type Rpc = <T>(payload: { type: string } & Record<string, unknown>) => Promise<T>;

/**
 * The workflow a stored run executed, from the best source there is: the execution itself when the engine
 * returns `workflow_data`; else what this browser sent for that job; else, for a preset run, the preset's version
 * that was current when it started; else none (the caller shows the run's nodes without their connections).
 */
export async function resolveRunWorkflow(
  detail: ExecutionDetail & { workflow_data?: unknown },
  deps: { engineId: string; rpc: Rpc; records: RunRecords },
): Promise<{ workflow: unknown; source: WorkflowSource }> {
  if (detail.workflow_data !== undefined && detail.workflow_data !== null) {
    return { workflow: detail.workflow_data, source: { kind: "engine" } };
  }
  const local = deps.records.get(deps.engineId, detail.job_id);
  if (local !== undefined) return { workflow: local, source: { kind: "local" } };
  if (detail.preset_name) {
    const name = detail.preset_name;
    try {
      const { versions } = await deps.rpc<{ versions: PresetVersion[] }>({
        type: "request_preset_versions",
        name,
      });
      const version = versionAt(versions, detail.started_at);
      if (version !== undefined) {
        const loaded = await deps.rpc<{ workflow_data: unknown }>({ type: "load_preset", name, version });
        return { workflow: loaded.workflow_data, source: { kind: "preset", name, version } };
      }
    } catch (err: unknown) {
      // A deleted preset is NOT_FOUND: the run is still shown, without its connections.
      if ((err as { code?: unknown } | undefined)?.code !== "NOT_FOUND") throw err;
    }
  }
  return { workflow: nodesOnly(detail), source: { kind: "unavailable" } };
}

/** The run's nodes in the order they ran, in rows of four, without connections or settings. */
export function nodesOnly(detail: ExecutionDetail): Workflow {
  return {
    nodes: detail.nodes.map((n, i) => ({
      id: n.node_id,
      name: n.node_id,
      x: 80 + (i % 4) * 240,
      y: 80 + Math.floor(i / 4) * 140,
      module_id: n.module_id ?? "unknown",
      config_values: {},
    })),
    connections: [],
    global_loop_config: { ...DEFAULT_LOOP_CONFIG },
  };
}

/** One sentence on where the viewed run's canvas came from. */
export function sourceText(source: WorkflowSource): string {
  switch (source.kind) {
    case "engine":
      return "The workflow as the engine ran it.";
    case "local":
      return "The workflow as this browser sent it.";
    case "preset":
      return `Preset ${source.name} version ${source.version}, the latest when the run started.`;
    case "unavailable":
      return "The engine does not return this run's workflow: its nodes are shown in the order they ran, without their connections or settings.";
  }
}
