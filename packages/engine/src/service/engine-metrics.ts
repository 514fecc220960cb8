import type { JobEvent } from "@flowork/protocol";
import { MetricsRegistry } from "../http/metrics.js";

/** The engine's Prometheus metrics (SPEC issue: runs by status, node durations, queue depth, auth failures). */
export function createEngineMetrics(read: {
  active: () => number;
  queued: () => number;
  connections: () => number;
}) {
  const registry = new MetricsRegistry();
  const runs = registry.counter({
    name: "flowork_runs_total",
    help: "Finished runs by final status.",
    labelNames: ["status"],
  });
  const nodes = registry.histogram({
    name: "flowork_node_duration_seconds",
    help: "Node run durations by component and outcome.",
    labelNames: ["module_id", "status"],
  });
  const authFailures = registry.counter({
    name: "flowork_auth_failures_total",
    help: "Refused envelopes by error code.",
    labelNames: ["code"],
  });
  registry.gauge({
    name: "flowork_active_jobs",
    help: "Runs executing now.",
    collect: (g) => g.set(read.active()),
  });
  registry.gauge({
    name: "flowork_queue_depth",
    help: "Runs waiting for a slot.",
    collect: (g) => g.set(read.queued()),
  });
  registry.gauge({
    name: "flowork_ws_connections",
    help: "Open WebSocket connections.",
    collect: (g) => g.set(read.connections()),
  });
  return {
    render: () => registry.render(),
    authFailure: (code: string) => authFailures.labels({ code }).inc(),
    onEvent(event: JobEvent): void {
      if (event.type === "NODE_EXECUTION_METRIC" && event.duration_ms !== undefined) {
        nodes.labels({ module_id: event.module_id, status: event.status }).observe(event.duration_ms / 1000);
      } else if (event.type === "workflow_status_update" && event.status_data.end_time !== undefined) {
        runs.labels({ status: event.status_data.status }).inc();
      }
    },
  };
}
export type EngineMetrics = ReturnType<typeof createEngineMetrics>;
