import type { EventLogLevel, JobEvent, LogEvent } from "@flowork/protocol";

export type EventSink = (event: JobEvent) => void;

const LEVEL_RANK: Record<EventLogLevel, number> = { DEBUG: 0, INFO: 1, SUCCESS: 1, WARN: 2, ERROR: 3 };

/** Whether a log line at `level` passes the engine's `log_level` setting. */
export function passesLevel(level: EventLogLevel, threshold: "DEBUG" | "INFO" | "WARN" | "ERROR"): boolean {
  return LEVEL_RANK[level] >= LEVEL_RANK[threshold];
}

export function logEvent(
  jobId: string,
  level: EventLogLevel,
  source: string,
  message: string,
  nodeId?: string,
): LogEvent {
  const event: LogEvent = {
    type: "log",
    job_id: jobId,
    level,
    source,
    message,
    ts: new Date().toISOString(),
  };
  if (nodeId !== undefined) event.node_id = nodeId;
  return event;
}
