/**
 * Replaces every occurrence of a secret value with `***` in text and in JSON-like values. Secrets shorter than
 * 3 characters are not masked (masking "a" would destroy every log line and reveal more than it hides).
 */
export class SecretMasker {
  readonly #secrets: string[];
  readonly #pattern: RegExp | undefined;

  constructor(secrets: Iterable<string>) {
    this.#secrets = [...new Set([...secrets].filter((s) => typeof s === "string" && s.length >= 3))].sort(
      (a, b) => b.length - a.length,
    );
    this.#pattern =
      this.#secrets.length > 0
        ? new RegExp(this.#secrets.map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|"), "g")
        : undefined;
  }

  get active(): boolean {
    return this.#pattern !== undefined;
  }

  text(value: string): string {
    return this.#pattern === undefined ? value : value.replace(this.#pattern, "***");
  }

  /** Masks strings anywhere inside a value (keys too); returns the value itself when nothing needs masking. */
  deep<T>(value: T): T {
    if (this.#pattern === undefined) return value;
    return this.#deep(value, 0) as T;
  }

  #deep(value: unknown, depth: number): unknown {
    if (typeof value === "string") return this.text(value);
    if (depth > 200 || value === null || typeof value !== "object") return value;
    if (Array.isArray(value)) return value.map((v) => this.#deep(v, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[this.text(k)] = this.#deep(v, depth + 1);
    return out;
  }
}
