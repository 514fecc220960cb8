import type { EngineStore } from "../store/index.js";
import type { JobStore } from "./job-types.js";

/** The job manager's view of the engine store. */
export function jobStoreFrom(store: EngineStore): JobStore {
  return {
    create: async (input) => {
      await store.executions.create({ ...input, workflow_data: input.workflow_data as never });
    },
    setStatus: (jobId, status, fields = {}) =>
      store.executions.setStatus(jobId, status, {
        ...(fields.started_at !== undefined && { started_at: fields.started_at }),
        ...(fields.ended_at !== undefined && { ended_at: fields.ended_at }),
        ...(fields.duration_ms !== undefined && { duration_ms: fields.duration_ms }),
        ...(fields.error_code != null && { error_code: fields.error_code }),
        ...(fields.error_message != null && { error_message: fields.error_message }),
        ...(fields.result !== undefined && { result: fields.result as Record<string, unknown> }),
      }),
    exists: async (jobId) => (await store.executions.get(jobId)) !== undefined,
    events: async (jobId) => (await store.executions.events(jobId)).map((e) => e.event),
    saveCheckpoint: (jobId, state) => store.executions.saveCheckpoint(jobId, state),
    loadCheckpoint: (jobId) => store.executions.loadCheckpoint(jobId),
    deleteCheckpoint: async (jobId) => {
      await store.executions.deleteCheckpoint(jobId);
    },
    unfinished: async () =>
      (await store.executions.unfinished()).map((row) => ({
        ...row,
        initial_payload: row.initial_payload ?? {},
      })),
  };
}
