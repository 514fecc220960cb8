import type { Workflow } from "@flowork/protocol";
import type { EngineStore } from "../store/index.js";
import type { EventAppender, JobStore } from "./job-types.js";

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

/** The job manager's journal: the store's group-committing writer. */
export function journalFrom(store: EngineStore): EventAppender {
  const w = store.events;
  return {
    create: (input) => w.create({ ...input, workflow_data: input.workflow_data as Workflow }),
    setStatus: (jobId, status, fields) => w.setStatus(jobId, status, fields),
    append: (jobId, event) => w.append(jobId, event),
    saveCheckpoint: (jobId, state) => w.saveCheckpoint(jobId, state),
    deleteCheckpoint: (jobId) => w.deleteCheckpoint(jobId),
    flush: () => w.flush(),
  };
}
