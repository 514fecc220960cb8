/**
 * Counts the tasks spawned inside a scope so a caller can wait until all of them, and everything they spawned in
 * turn, have finished. The run has a root scope; a `sequential` emission (loop) opens a child scope per item.
 */
export class TaskScope {
  readonly id: number;
  #pending = 0;

  constructor(id = 0) {
    this.id = id;
  }

  #waiters: (() => void)[] = [];

  enter(): void {
    this.#pending++;
  }

  leave(): void {
    this.#pending--;
    if (this.#pending === 0 && this.#waiters.length > 0) {
      const waiters = this.#waiters;
      this.#waiters = [];
      for (const w of waiters) w();
    }
  }

  get pending(): number {
    return this.#pending;
  }

  drained(): Promise<void> {
    if (this.#pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }
}
