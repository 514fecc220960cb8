/**
 * Holds replies and writes them together, once the event loop has run everything that was ready (a `setImmediate`).
 *
 * Why: on loopback, the `writev` of an answer also wakes the client that waits for it, and waking an idle CPU is
 * the most expensive part of that system call (~25 µs on the 2-vCPU VM of docs/performance.md, against ~5 µs when
 * the client is already running). When several requests arrived in the same poll, answering them back to back
 * pays that wake-up once instead of once per answer. Answers are never held longer than the current loop turn.
 */
export class ReplyBatch {
  #pending: (() => void)[] = [];
  #scheduled = false;
  readonly #flush = () => {
    this.#scheduled = false;
    const replies = this.#pending;
    this.#pending = [];
    for (const reply of replies) {
      try {
        reply();
      } catch (err) {
        this.#onError(err);
      }
    }
  };
  readonly #onError: (err: unknown) => void;

  constructor(onError: (err: unknown) => void) {
    this.#onError = onError;
  }

  /** Runs `reply` after the ready work of this loop turn, in the order replies were added. */
  add(reply: () => void): void {
    this.#pending.push(reply);
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(this.#flush);
    }
  }
}
