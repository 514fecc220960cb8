import type { Workflow } from "@flowork/protocol";
import { logEvent } from "../dist/runtime/events.js";
import { newJobId } from "../dist/runtime/run.js";
import type { EventWriter } from "../dist/store/event-writer.js";

const EMPTY: Workflow = { nodes: [], connections: [] };

/** What {@link journalRuns} writes through: a store's journal (the built one's or the sources'). */
interface Journal {
  events: Pick<EventWriter, "create" | "append" | "setStatus">;
}

/**
 * Journals `n` short runs as a webhook engine does: a new row (with `text` as its payload's body), one log event
 * with `text`, SUCCEEDED. Nothing is awaited: the journal commits them in groups. Returns their ids.
 */
export function journalRuns(store: Journal, n: number, text = "hello"): string[] {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const jobId = newJobId();
    store.events.create({
      job_id: jobId,
      preset_name: null,
      mode: "EXECUTE",
      started_by: null,
      workflow_data: EMPTY,
      initial_payload: { body: text },
    });
    store.events.append(jobId, logEvent(jobId, "INFO", "test", text));
    store.events.setStatus(jobId, "SUCCEEDED", {
      ended_at: new Date().toISOString(),
      duration_ms: 1,
      result: {},
    });
    ids.push(jobId);
  }
  return ids;
}
