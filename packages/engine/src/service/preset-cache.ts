/** A preset's latest version as the job manager runs it. */
export interface LatestPreset {
  version: number;
  workflow_data: unknown;
}

/** Most presets one engine keeps cached; the least recently used one goes first. */
const MAX_ENTRIES = 512;

/**
 * The latest version of each preset, read from the store once and kept until {@link clear} (called after every
 * save or delete). A load that is in flight when `clear` runs is not cached, so a stale read never outlives the
 * change that made it stale. Misses (no such preset) are not cached.
 */
export class LatestPresetCache {
  readonly #load: (name: string) => Promise<LatestPreset | undefined>;
  readonly #entries = new Map<string, LatestPreset>();
  #generation = 0;

  constructor(load: (name: string) => Promise<LatestPreset | undefined>) {
    this.#load = load;
  }

  /** The cached entry as a plain value (no microtask on the hot path), or a promise of the store's answer. */
  load(name: string): LatestPreset | Promise<LatestPreset | undefined> {
    const hit = this.#entries.get(name);
    if (hit !== undefined) {
      this.#entries.delete(name);
      this.#entries.set(name, hit);
      return hit;
    }
    return this.#read(name);
  }

  async #read(name: string): Promise<LatestPreset | undefined> {
    const generation = this.#generation;
    const loaded = await this.#load(name);
    if (loaded !== undefined && generation === this.#generation) {
      if (this.#entries.size >= MAX_ENTRIES) {
        const oldest = this.#entries.keys().next().value;
        if (oldest !== undefined) this.#entries.delete(oldest);
      }
      this.#entries.set(name, { version: loaded.version, workflow_data: loaded.workflow_data });
    }
    return loaded;
  }

  /** Forgets everything (a preset was saved or deleted). */
  clear(): void {
    this.#entries.clear();
    this.#generation++;
  }
}
