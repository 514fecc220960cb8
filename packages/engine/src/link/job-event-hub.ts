import type { JobEvent } from "@flowork/protocol";

/** Which job an event belongs to, and who started it (`null`: a trigger or the CLI). */
export interface JobEventMeta {
  jobId: string;
  startedBy: string | null;
}

/** A listener of every job event of the engine. */
export type JobEventListener = (event: JobEvent, meta: JobEventMeta) => void;

/** Where the link hears every job event of the engine (see {@link JobEventHub}). */
export interface JobEventSource {
  /** Adds a listener; returns the function that removes it. */
  subscribe(listener: JobEventListener): () => void;
}

/**
 * Fans `JobManager`'s single `onEvent` callback out to several listeners (metrics, the gateway link).
 *
 * @example
 * const hub = new JobEventHub();
 * new JobManager({ ..., onEvent: (event, meta) => { metrics.onEvent(event); hub.emit(event, meta); } });
 * connectGatewayLink({ ..., jobEvents: hub });
 */
export class JobEventHub implements JobEventSource {
  readonly #listeners = new Set<JobEventListener>();

  subscribe(listener: JobEventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Delivers one event to every listener; a throwing listener does not stop the others. */
  emit(event: JobEvent, meta: JobEventMeta): void {
    for (const listener of this.#listeners) {
      try {
        listener(event, meta);
      } catch {
        // a listener's bug must not break the run that emitted the event
      }
    }
  }
}
