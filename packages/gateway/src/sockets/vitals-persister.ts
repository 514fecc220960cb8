import type { EngineVitals } from "@flowork/protocol";
import type { SocketLogger, VitalsRecord } from "./deps.js";

/** Options of {@link VitalsPersister}. */
export interface VitalsPersisterOptions {
  /** Writes one chunk of rows (one transaction). */
  save: (rows: VitalsRecord[]) => Promise<void>;
  /** Period of the background write, ms. */
  periodMs: number;
  /** Rows per `save` call; the loop yields between calls. */
  chunk: number;
  log: SocketLogger;
}

/**
 * Keeps each engine's latest vitals in memory and writes them to the database at most once per period, in chunks
 * (one transaction each), and at once when the engine disconnects. The live value a GUI needs is in the engine
 * socket's `data`; the database copy serves `GET /user/engines` and survives a restart, so it may lag by a period.
 *
 * Writes are serialised on one chain, so a disconnect's write lands after a periodic write already under way,
 * and the presence update that follows it is never overtaken by older vitals.
 */
export class VitalsPersister {
  readonly #options: VitalsPersisterOptions;
  readonly #dirty = new Map<string, { vitals: EngineVitals; at: number }>();
  readonly #timer: NodeJS.Timeout;
  #chain: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(options: VitalsPersisterOptions) {
    this.#options = options;
    this.#timer = setInterval(() => void this.persistAll(), options.periodMs);
    this.#timer.unref();
  }

  /** Remembers the engine's latest vitals for the next write. */
  note(engineId: string, vitals: EngineVitals, at = Date.now()): void {
    if (!this.#closed) this.#dirty.set(engineId, { vitals, at });
  }

  /** Number of engines with vitals not yet written. */
  get pending(): number {
    return this.#dirty.size;
  }

  /** Writes every pending engine, in chunks; resolves when they (and earlier writes) are done. */
  persistAll(): Promise<void> {
    if (this.#dirty.size === 0) return this.#chain;
    const rows = this.#take([...this.#dirty.keys()]);
    const { chunk } = this.#options;
    for (let i = 0; i < rows.length; i += chunk) {
      const part = rows.slice(i, i + chunk);
      // yield between chunks: a synchronous driver (better-sqlite3) blocks the loop for the length of a write
      this.#enqueue(part, i > 0);
    }
    return this.#chain;
  }

  /** Writes one engine's pending vitals (if any); resolves when that and every earlier write are done. */
  persistEngine(engineId: string): Promise<void> {
    const rows = this.#take([engineId]);
    if (rows.length > 0) this.#enqueue(rows, false);
    return this.#chain;
  }

  /** Stops the timer and writes what is pending. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.persistAll();
    this.#closed = true;
  }

  #take(engineIds: string[]): VitalsRecord[] {
    const rows: VitalsRecord[] = [];
    for (const engineId of engineIds) {
      const entry = this.#dirty.get(engineId);
      if (entry === undefined) continue;
      this.#dirty.delete(engineId);
      rows.push({ engine_id: engineId, vitals: entry.vitals, at: new Date(entry.at) });
    }
    return rows;
  }

  #enqueue(rows: VitalsRecord[], yieldFirst: boolean): void {
    this.#chain = this.#chain.then(async () => {
      if (yieldFirst) await new Promise<void>((resolve) => setImmediate(resolve));
      try {
        await this.#options.save(rows);
      } catch (err) {
        // Dropped, not retried: the next report of each engine is written next period anyway.
        this.#options.log.error("sockets: saving vitals failed", {
          rows: rows.length,
          err: err instanceof Error ? err.message : String(err),
        });
      }
    });
  }
}
