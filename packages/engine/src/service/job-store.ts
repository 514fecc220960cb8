import type { EngineStore } from "../store/index.js";
import type { JobStore } from "./job-types.js";

/** The job manager's read view of the engine store; reads flush the journal first so they see buffered writes. */
export function jobStoreFrom(store: EngineStore): JobStore {
  return {
    exists: async (jobId) => {
      await store.events.flush();
      return store.executions.exists(jobId);
    },
    events: async (jobId) => {
      await store.events.flush();
      return (await store.executions.events(jobId)).map((e) => e.event);
    },
    loadCheckpoint: async (jobId) => {
      await store.events.flush();
      return store.executions.loadCheckpoint(jobId);
    },
    unfinished: async () =>
      (await store.executions.unfinished()).map((row) => ({
        ...row,
        initial_payload: row.initial_payload ?? {},
      })),
  };
}
