import type { JobEvent } from "@flowork/protocol";

/** One job event a worker publishes on the engine's event channel. */
export interface RelayMessage {
  job_id: string;
  started_by: string | null;
  event: JobEvent;
}

/** Parses a relay message; undefined for anything else (the channel is not trusted to be well-formed). */
export function parseRelayMessage(text: string): RelayMessage | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (value === null || typeof value !== "object") return undefined;
  const v = value as Record<string, unknown>;
  const event = v["event"];
  if (typeof v["job_id"] !== "string" || !(v["started_by"] === null || typeof v["started_by"] === "string"))
    return undefined;
  if (event === null || typeof event !== "object" || typeof (event as { type?: unknown }).type !== "string")
    return undefined;
  return { job_id: v["job_id"], started_by: v["started_by"], event: event as JobEvent };
}

/** A control message (stop/pause/resume) the engine publishes to its workers. */
export interface ControlMessage {
  op: "stop" | "pause" | "resume";
  job_id: string;
}

export function parseControlMessage(text: string): ControlMessage | undefined {
  try {
    const v = JSON.parse(text) as Record<string, unknown>;
    const op = v["op"];
    if ((op === "stop" || op === "pause" || op === "resume") && typeof v["job_id"] === "string")
      return { op, job_id: v["job_id"] };
  } catch {
    // not JSON
  }
  return undefined;
}
