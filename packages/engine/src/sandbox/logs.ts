import type { EventLogLevel } from "@flowork/protocol";
import type { SandboxLogEntry, SandboxLogLimits } from "./protocol.js";

/** Defaults for {@link SandboxLogLimits}: 1,000 lines, 64 KiB a line, 1 MiB a run. */
export const DEFAULT_LOG_LIMITS: SandboxLogLimits = {
  maxLines: 1_000,
  maxLineBytes: 64 * 1024,
  maxTotalBytes: 1024 * 1024,
};

/** Sandbox console level numbers (see prelude.ts) to event levels. */
const LEVELS: readonly EventLogLevel[] = ["DEBUG", "INFO", "WARN", "ERROR"];

/** Cuts a string to at most `maxBytes` UTF-8 bytes (a split character at the end is dropped). */
function cutUtf8(text: string, maxBytes: number): string {
  // A UTF-16 code unit takes at most 3 UTF-8 bytes, so short strings need no measuring.
  if (text.length * 3 <= maxBytes || Buffer.byteLength(text) <= maxBytes) return text;
  return Buffer.from(text)
    .subarray(0, maxBytes)
    .toString()
    .replace(/\uFFFD$/, "");
}

/** Collects one run's console lines within the limits; {@link finish} appends a note about dropped lines. */
export class LogCollector {
  readonly #limits: SandboxLogLimits;
  readonly #entries: SandboxLogEntry[] = [];
  #bytes = 0;
  #dropped = 0;

  constructor(limits: SandboxLogLimits) {
    this.#limits = limits;
  }

  /** Records one line; `levelNumber` is the prelude's console level (0 DEBUG, 1 INFO, 2 WARN, 3 ERROR). */
  add(levelNumber: number, message: string): void {
    if (this.#entries.length >= this.#limits.maxLines || this.#bytes >= this.#limits.maxTotalBytes) {
      this.#dropped++;
      return;
    }
    const room = Math.min(this.#limits.maxLineBytes, this.#limits.maxTotalBytes - this.#bytes);
    let text = cutUtf8(message, room);
    if (text.length < message.length) text += " …[truncated]";
    this.#bytes += Buffer.byteLength(text);
    this.#entries.push({ level: LEVELS[levelNumber] ?? "INFO", message: text });
  }

  /** The lines kept, plus a WARN line counting any that were dropped. */
  finish(): SandboxLogEntry[] {
    if (this.#dropped > 0) {
      this.#entries.push({
        level: "WARN",
        message: `[sandbox] ${this.#dropped} more console line(s) dropped: over the limit of ${this.#limits.maxLines} lines or ${this.#limits.maxTotalBytes} bytes per run.`,
      });
      this.#dropped = 0;
    }
    return this.#entries;
  }
}
