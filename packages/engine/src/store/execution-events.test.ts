import type { JobEvent } from "@flowork/protocol";
import { describe, expect, it } from "vitest";
import { eventFromStored, storedEventText } from "./execution-events.js";

const JOB = "job-mx7wo7bc-9ess-00li8c";
const samples: JobEvent[] = [
  {
    type: "workflow_status_update",
    job_id: JOB,
    status_data: {
      status: "SUCCEEDED",
      mode: "EXECUTE",
      start_time: "2026-12-03T18:46:07.368Z",
      result: { a: 1 },
    },
  },
  {
    type: "NODE_EXECUTION_METRIC",
    job_id: JOB,
    node_id: "set",
    module_id: "set_data",
    status: "SUCCEEDED",
    attempt: 1,
    started_at: "2026-12-03T18:46:07.368Z",
    duration_ms: 0.004,
    output_port: "success",
  },
  {
    type: "log",
    job_id: JOB,
    level: "INFO",
    source: "Set",
    message: 'quote " and \\ and "job_id"',
    ts: "2026-12-03T18:46:07.368Z",
  },
];

describe("stored event text", () => {
  it("leaves type and job_id to the row's columns and reads every event back equal, keys in order", () => {
    for (const event of samples) {
      const text = storedEventText(JOB, event);
      expect(text).not.toContain(JOB);
      expect(text.startsWith('{"type"')).toBe(false);
      const back = eventFromStored(JOB, event.type, text);
      expect(back).toEqual(event);
      expect(JSON.stringify(back)).toBe(JSON.stringify(event));
    }
  });

  it("reads rows written whole (before this form, or by another writer) as they are", () => {
    for (const event of samples)
      expect(eventFromStored(JOB, event.type, JSON.stringify(event))).toEqual(event);
  });

  it("stores an event of another job id, or with its keys in another order, whole", () => {
    const event = samples[2] as JobEvent;
    expect(storedEventText("job-other-0000-000000", event)).toBe(JSON.stringify(event));
    const reordered = {
      job_id: JOB,
      type: "log",
      level: "INFO",
      source: "x",
      message: "m",
      ts: "t",
    } as JobEvent;
    expect(storedEventText(JOB, reordered)).toBe(JSON.stringify(reordered));
  });

  it("refuses what is not an event: broken JSON, arrays, a compact row carrying a job_id", () => {
    for (const data of ["{", "[]", "null", '"x"', '{"job_id":"job-a"}']) {
      expect(eventFromStored(JOB, "log", data)).toBeUndefined();
    }
  });
});
