import { type JobEvent, type JobStatus, TERMINAL_STATUSES } from "@flowork/protocol";
import type { Redis } from "ioredis";
import type { EventAppender } from "../service/job-types.js";
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

/**
 * The journal, with final statuses (row and event) written only by the worker that claimed the job, and no status
 * written once a job is final. Guarded writes wait for Redis; each job's writes stay in call order.
 */
export function guardedEvents(inner: EventAppender, guard: FinalGuard): EventAppender {
  const pending = new Set<Promise<void>>();
  /** Per job, the last guarded write still waiting: later writes of that job queue behind it. */
  const tails = new Map<string, Promise<void>>();
  const later = (jobId: string, write: () => Promise<void>) => {
    const p = (tails.get(jobId) ?? Promise.resolve()).then(write).catch(() => {});
    tails.set(jobId, p);
    pending.add(p);
    void p.finally(() => {
      pending.delete(p);
      if (tails.get(jobId) === p) tails.delete(jobId);
    });
  };
  const inOrder = (jobId: string, write: () => void) => {
    if (tails.has(jobId)) later(jobId, async () => write());
    else write();
  };
  return {
    create: (input) => inner.create(input),
    saveCheckpoint: (jobId, state) => inOrder(jobId, () => inner.saveCheckpoint(jobId, state)),
    deleteCheckpoint: (jobId) => inOrder(jobId, () => inner.deleteCheckpoint(jobId)),
    setStatus(jobId, status, fields) {
      later(jobId, async () => {
        const ok = isFinalStatus(status) ? await guard.claim(jobId) : !(await guard.claimed(jobId));
        if (ok) inner.setStatus(jobId, status, fields);
      });
    },
    append(jobId: string, event: JobEvent) {
      if (event.type !== "workflow_status_update" || !isFinalStatus(event.status_data.status)) {
        inOrder(jobId, () => inner.append(jobId, event));
        return;
      }
      later(jobId, async () => {
        if (await guard.claim(jobId)) inner.append(jobId, event);
      });
    },
    async flush() {
      while (pending.size > 0) await Promise.all(pending);
      await inner.flush();
    },
  };
}
