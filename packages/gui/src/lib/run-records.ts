/**
 * The workflows this browser sent to each engine, by job id, so a run picked from the execution history can be
 * drawn as it ran. The engine stores each run's workflow but `request_execution` does not return it (SPEC
 * section 4); this is the GUI's own record of what it sent, never a guess.
 */

/** The part of `Storage` used (localStorage in the app, a Map-backed fake in tests). */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

interface Entry {
  job_id: string;
  workflow: unknown;
}

const PREFIX = "flowork.runs.v1.";
/** Newest runs kept per engine. */
export const MAX_RECORDS = 30;
/** A workflow larger than this (as JSON) is not kept: localStorage is small. */
export const MAX_WORKFLOW_CHARS = 256 * 1024;

export class RunRecords {
  readonly #storage: KeyValueStorage;

  constructor(storage: KeyValueStorage) {
    this.#storage = storage;
  }

  /** Remembers the workflow sent for a job; a full or failing storage drops the oldest entries, never throws. */
  save(engineId: string, jobId: string, workflow: unknown): void {
    const json = JSON.stringify(workflow);
    if (json === undefined || json.length > MAX_WORKFLOW_CHARS) return;
    let entries = [
      { job_id: jobId, workflow },
      ...this.#read(engineId).filter((e) => e.job_id !== jobId),
    ].slice(0, MAX_RECORDS);
    while (entries.length > 0) {
      try {
        this.#storage.setItem(PREFIX + engineId, JSON.stringify(entries));
        return;
      } catch {
        // Quota exceeded: keep fewer old runs and try again.
        entries = entries.slice(0, Math.floor(entries.length / 2));
      }
    }
  }

  /** The workflow sent for a job, if this browser started it and still has it. */
  get(engineId: string, jobId: string): unknown {
    return this.#read(engineId).find((e) => e.job_id === jobId)?.workflow;
  }

  #read(engineId: string): Entry[] {
    let raw: string | null;
    try {
      raw = this.#storage.getItem(PREFIX + engineId);
    } catch {
      return [];
    }
    if (raw === null) return [];
    try {
      const parsed: unknown = JSON.parse(raw);
      if (!Array.isArray(parsed)) return [];
      return parsed.filter(
        (e): e is Entry =>
          typeof e === "object" && e !== null && typeof (e as Entry).job_id === "string" && "workflow" in e,
      );
    } catch {
      this.#storage.removeItem(PREFIX + engineId);
      return [];
    }
  }
}
