import { type JobEvent, type JobStatus, TERMINAL_STATUSES } from "@flowork/protocol";
import type { Redis } from "ioredis";
import type { EventAppender, JobStore } from "../service/job-types.js";
import { finalKeyFor } from "./payload.js";

const CLAIM_TTL_S = 7 * 86_400;

export interface FinalGuardOptions {
  redis: Redis;
  engineId: string;
  workerId: string;
  /** True when the store already holds a final status for the job. */
  isFinal: (jobId: string) => Promise<boolean>;
  /** How long a claim whose holder has written nothing is trusted before it is taken over (ms). */
  takeoverAfterMs?: number;
}

/**
 * Makes a job's final status a one-time write across workers. A job handed to a second worker (its first worker
 * stalled, or only looked stalled) may finish twice; before writing its final status event and row, a worker
 * claims `flowork:<queue>:final:<job_id>` with `SET NX`. A loser whose rival's final status is stored is a late
 * duplicate and writes nothing; a claim whose holder died before writing is taken over after a short wait.
 */
export class FinalGuard {
  readonly #o: FinalGuardOptions;
  readonly #claims = new Map<string, Promise<boolean>>();

  constructor(options: FinalGuardOptions) {
    this.#o = options;
  }

  /** Whether this worker may write the job's final status (memoised per job until {@link forget}). */
  claim(jobId: string): Promise<boolean> {
    let claim = this.#claims.get(jobId);
    if (!claim) {
      claim = this.#tryClaim(jobId);
      this.#claims.set(jobId, claim);
    }
    return claim;
  }

  /** True once any worker claimed the job's final status. */
  async claimed(jobId: string): Promise<boolean> {
    return (await this.#o.redis.exists(finalKeyFor(this.#o.engineId, jobId))) === 1;
  }

  forget(jobId: string): void {
    this.#claims.delete(jobId);
  }

  async #tryClaim(jobId: string): Promise<boolean> {
    const { redis, workerId } = this.#o;
    const key = finalKeyFor(this.#o.engineId, jobId);
    if ((await redis.set(key, workerId, "EX", CLAIM_TTL_S, "NX")) === "OK") return true;
    if (await this.#o.isFinal(jobId)) return false;
    if ((await redis.get(key)) === workerId) return true;
    await new Promise((r) => setTimeout(r, this.#o.takeoverAfterMs ?? 2_000));
    if (await this.#o.isFinal(jobId)) return false;
    await redis.set(key, workerId, "EX", CLAIM_TTL_S);
    return true;
  }
}

const isFinalStatus = (status: JobStatus) => TERMINAL_STATUSES.has(status);

/** The job store, with final statuses written under the guard and no status written after a job is final. */
export function guardedJobStore(inner: JobStore, guard: FinalGuard): JobStore {
  return {
    ...inner,
    setStatus: async (jobId, status, fields) => {
      if (isFinalStatus(status) ? !(await guard.claim(jobId)) : await guard.claimed(jobId)) return;
      await inner.setStatus(jobId, status, fields);
    },
  };
}

/** The event appender, with final status events appended only by the worker that claimed the job. */
export function guardedEvents(inner: EventAppender, guard: FinalGuard): EventAppender {
  const pending = new Set<Promise<void>>();
  return {
    append(jobId: string, event: JobEvent) {
      if (event.type !== "workflow_status_update" || !isFinalStatus(event.status_data.status)) {
        inner.append(jobId, event);
        return;
      }
      const p = guard.claim(jobId).then(
        (ok) => {
          if (ok) inner.append(jobId, event);
        },
        () => {},
      );
      pending.add(p);
      void p.finally(() => pending.delete(p));
    },
    async flush() {
      await Promise.all(pending);
      await inner.flush();
    },
  };
}
