/**
 * RFC 7396 JSON Merge Patch: objects merge recursively, `null` removes a key, anything else replaces.
 * @example mergePatch({a: 1, b: {c: 2}}, {b: {c: null, d: 3}}) // {a: 1, b: {d: 3}}
 */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return patch;
  const result: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (key === "__proto__") continue; // never let a stored object change its prototype
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
