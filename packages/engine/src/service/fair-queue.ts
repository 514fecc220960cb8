/**
 * A FIFO per owner; the next item comes from the owner served least recently (owners never served first, in
 * arrival order). A user who queues a hundred runs does not starve a user who queues one, and a user whose run
 * just started waits behind users who have not had a turn (SPEC issue: fair across users).
 */
export class FairQueue<T> {
  readonly #queues = new Map<string, T[]>();
  /** Serial of the last time each owner was served; survives an owner's queue emptying. */
  readonly #servedAt = new Map<string, number>();
  #serial = 0;
  #size = 0;

  get size(): number {
    return this.#size;
  }

  push(owner: string, item: T): void {
    let queue = this.#queues.get(owner);
    if (!queue) {
      queue = [];
      this.#queues.set(owner, queue);
    }
    queue.push(item);
    this.#size++;
  }

  shift(): T | undefined {
    let best: string | undefined;
    let bestServed = Number.POSITIVE_INFINITY;
    for (const owner of this.#queues.keys()) {
      const served = this.#servedAt.get(owner) ?? -1;
      if (served < bestServed) {
        best = owner;
        bestServed = served;
      }
    }
    if (best === undefined) return undefined;
    const queue = this.#queues.get(best) as T[];
    const item = queue.shift() as T;
    if (queue.length === 0) this.#queues.delete(best);
    this.#servedAt.set(best, ++this.#serial);
    if (this.#servedAt.size > 10_000) this.#forgetIdle();
    this.#size--;
    return item;
  }

  /** Removes the first item matching; returns it. */
  remove(predicate: (item: T) => boolean): T | undefined {
    for (const [owner, queue] of this.#queues) {
      const index = queue.findIndex(predicate);
      if (index < 0) continue;
      const [item] = queue.splice(index, 1);
      this.#size--;
      if (queue.length === 0) this.#queues.delete(owner);
      return item;
    }
    return undefined;
  }

  /** Bounded memory: owners with nothing queued lose their history (they count as never served again). */
  #forgetIdle(): void {
    for (const owner of this.#servedAt.keys()) if (!this.#queues.has(owner)) this.#servedAt.delete(owner);
  }
}
