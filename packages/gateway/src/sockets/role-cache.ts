import type { Role } from "@flowork/protocol";

/**
 * A short-lived cache of `roleOf(engine, address)` for targeted relays (`forward_event_to_gui` with
 * `target_address`), which can come many times a second. The promise is cached, so events for one target stay
 * in order. `invalidate` is called on share changes; other replicas see the change after `ttlMs` at most.
 */
export class RoleCache {
  readonly #ttlMs: number;
  readonly #lookup: (engineId: string, address: string) => Promise<Role | undefined>;
  readonly #entries = new Map<string, { at: number; role: Promise<Role | undefined> }>();

  constructor(ttlMs: number, lookup: (engineId: string, address: string) => Promise<Role | undefined>) {
    this.#ttlMs = ttlMs;
    this.#lookup = lookup;
  }

  /** The role, from the cache when fresh; a failed lookup counts as no role and is not cached. */
  get(engineId: string, address: string): Promise<Role | undefined> {
    const key = `${engineId}\n${address}`;
    const now = Date.now();
    const hit = this.#entries.get(key);
    if (hit !== undefined && now - hit.at < this.#ttlMs) return hit.role;
    if (this.#entries.size > 10_000) this.#entries.clear();
    const role = this.#lookup(engineId, address).catch(() => {
      this.#entries.delete(key);
      return undefined;
    });
    this.#entries.set(key, { at: now, role });
    return role;
  }

  /** Forgets every cached role of the engine (and of one address when given). */
  invalidate(engineId: string, address?: string): void {
    if (address !== undefined) {
      this.#entries.delete(`${engineId}\n${address.toLowerCase()}`);
      return;
    }
    for (const key of this.#entries.keys()) if (key.startsWith(`${engineId}\n`)) this.#entries.delete(key);
  }
}
