/**
 * A FIFO per owner, served round-robin: a user who queues a hundred runs does not starve a user who queues one
 * (SPEC issue: `max_concurrent_executions` with a queue, fair across users).
 */
export class FairQueue<T> {
  readonly #queues = new Map<string, T[]>();
  #order: string[] = [];
  #cursor = 0;
  #size = 0;

  get size(): number {
    return this.#size;
  }

  push(owner: string, item: T): void {
    let queue = this.#queues.get(owner);
    if (!queue) {
      queue = [];
      this.#queues.set(owner, queue);
      this.#order.push(owner);
    }
    queue.push(item);
    this.#size++;
  }

  /** The next item, taking owners in turn. */
  shift(): T | undefined {
    for (let tries = 0; tries < this.#order.length; tries++) {
      if (this.#cursor >= this.#order.length) this.#cursor = 0;
      const owner = this.#order[this.#cursor] as string;
      const queue = this.#queues.get(owner);
      const item = queue?.shift();
      if (queue && queue.length === 0) {
        this.#queues.delete(owner);
        this.#order.splice(this.#cursor, 1);
      } else {
        this.#cursor++;
      }
      if (item !== undefined) {
        this.#size--;
        return item;
      }
    }
    return undefined;
  }

  /** Removes the first item matching; returns it. */
  remove(predicate: (item: T) => boolean): T | undefined {
    for (const [owner, queue] of this.#queues) {
      const index = queue.findIndex(predicate);
      if (index < 0) continue;
      const [item] = queue.splice(index, 1);
      this.#size--;
      if (queue.length === 0) {
        this.#queues.delete(owner);
        const at = this.#order.indexOf(owner);
        this.#order.splice(at, 1);
        if (at < this.#cursor) this.#cursor--;
      }
      return item;
    }
    return undefined;
  }
}
