/**
 * Dotted-path lookups (`a.b.0.c`, `a[0].b`) over JSON values. Only own properties are read, so a path can never
 * reach `__proto__`, `constructor` or anything else a payload did not itself contain.
 */
const cache = new Map<string, readonly string[]>();

export function parsePath(path: string): readonly string[] {
  let segments = cache.get(path);
  if (segments === undefined) {
    segments = path
      .replace(/\[(\d+)\]/g, ".$1")
      .split(".")
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
    if (cache.size > 10_000) cache.clear();
    cache.set(path, segments);
  }
  return segments;
}

export function getPath(root: unknown, segments: readonly string[]): unknown {
  let current = root;
  for (const segment of segments) {
    if (current === null || typeof current !== "object") return undefined;
    if (!Object.hasOwn(current, segment)) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

export function lookup(root: unknown, path: string): unknown {
  return getPath(root, parsePath(path));
}

const FORBIDDEN = new Set(["__proto__", "constructor", "prototype"]);

/** Sets a value at a path inside a plain object, creating objects on the way; refuses prototype keys. */
export function setPath(target: Record<string, unknown>, segments: readonly string[], value: unknown): void {
  let current = target;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i] as string;
    if (FORBIDDEN.has(segment)) return;
    if (i === segments.length - 1) {
      current[segment] = value;
      return;
    }
    const next = Object.hasOwn(current, segment) ? current[segment] : undefined;
    if (next === null || typeof next !== "object" || Array.isArray(next)) {
      const created: Record<string, unknown> = {};
      current[segment] = created;
      current = created;
    } else {
      current = next as Record<string, unknown>;
    }
  }
}
