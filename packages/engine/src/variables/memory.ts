import type { VariableAccess } from "../components/types.js";
import type { VariableDefinition } from "./definition.js";

/**
 * Variables held in memory (the `flowork run` store, and the shape the engine's persistent store follows).
 * `random` picks any of `values` per read, `sequential` walks them in order and wraps around.
 */
export class MemoryVariables implements VariableAccess {
  readonly #defs: Map<string, VariableDefinition>;
  readonly #cursor = new Map<string, number>();
  readonly #onSet: ((name: string, def: VariableDefinition) => Promise<void> | void) | undefined;

  constructor(
    defs: Map<string, VariableDefinition> = new Map(),
    onSet?: (name: string, def: VariableDefinition) => Promise<void> | void,
  ) {
    this.#defs = defs;
    this.#onSet = onSet;
  }

  has(name: string): boolean {
    return this.#defs.get(name)?.is_enabled === true;
  }

  get(name: string): unknown {
    const def = this.#defs.get(name);
    if (!def?.is_enabled) return undefined;
    return currentValue(def, name, this.#cursor);
  }

  async set(name: string, value: unknown): Promise<void> {
    const text = typeof value === "string" ? value : JSON.stringify(value ?? "");
    const existing = this.#defs.get(name);
    const def: VariableDefinition = existing
      ? { ...existing, value: text, mode: "single" }
      : { value: text, values: [], mode: "single", is_secret: false, is_enabled: true };
    this.#defs.set(name, def);
    await this.#onSet?.(name, def);
  }

  snapshot(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [name, def] of this.#defs)
      if (def.is_enabled) out[name] = currentValue(def, name, this.#cursor, false);
    return out;
  }

  secretValues(): string[] {
    const out: string[] = [];
    for (const def of this.#defs.values()) {
      if (!def.is_secret) continue;
      if (def.value !== "") out.push(def.value);
      out.push(...def.values.filter((v) => v !== ""));
    }
    return out;
  }
}

function currentValue(
  def: VariableDefinition,
  name: string,
  cursor: Map<string, number>,
  advance = true,
): string {
  if (def.mode === "single" || def.values.length === 0) return def.value;
  if (def.mode === "random") return def.values[Math.floor(Math.random() * def.values.length)] ?? "";
  const index = cursor.get(name) ?? 0;
  if (advance) cursor.set(name, (index + 1) % def.values.length);
  return def.values[index % def.values.length] ?? "";
}
