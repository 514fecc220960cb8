import { getPath, parsePath } from "./path.js";

/**
 * Templates in config strings (SPEC section 5): `{{vars.NAME}}`, `{{payload.a.b}}`, `{{nodes.<id>.payload.x}}`.
 * They are dotted-path lookups, never evaluated code. A string that is exactly one `{{...}}` yields the value
 * itself; otherwise each `{{...}}` is replaced by its text (objects as JSON, missing as empty).
 * Compiled templates are cached, so a config is parsed once however many payloads pass through it.
 */
export interface TemplateScope {
  payload: unknown;
  vars: (name: string) => unknown;
  nodes: (nodeId: string) => unknown;
}

type Part = string | { root: string; rest: readonly string[] };
type Compiled =
  | { kind: "literal" }
  | { kind: "single"; ref: Exclude<Part, string> }
  | { kind: "mixed"; parts: Part[] };

const TEMPLATE_RE = /\{\{\s*([^{}]*?)\s*\}\}/g;
const compiledCache = new Map<string, Compiled>();

function compile(text: string): Compiled {
  let compiled = compiledCache.get(text);
  if (compiled !== undefined) return compiled;
  if (!text.includes("{{")) {
    compiled = { kind: "literal" };
  } else {
    const parts: Part[] = [];
    let last = 0;
    for (const match of text.matchAll(TEMPLATE_RE)) {
      const index = match.index ?? 0;
      if (index > last) parts.push(text.slice(last, index));
      const [root = "", ...rest] = parsePath(match[1] ?? "");
      parts.push({ root, rest });
      last = index + match[0].length;
    }
    if (last < text.length) parts.push(text.slice(last));
    const only = parts[0];
    compiled =
      parts.length === 1 && only !== undefined && typeof only !== "string"
        ? { kind: "single", ref: only }
        : parts.length === 0
          ? { kind: "literal" }
          : { kind: "mixed", parts };
  }
  if (compiledCache.size > 50_000) compiledCache.clear();
  compiledCache.set(text, compiled);
  return compiled;
}

function resolveRef(ref: { root: string; rest: readonly string[] }, scope: TemplateScope): unknown {
  switch (ref.root) {
    case "payload":
      return getPath(scope.payload, ref.rest);
    case "vars": {
      const [name, ...rest] = ref.rest;
      return name === undefined ? undefined : getPath(scope.vars(name), rest);
    }
    case "nodes": {
      const [nodeId, ...rest] = ref.rest;
      return nodeId === undefined ? undefined : getPath(scope.nodes(nodeId), rest);
    }
    default:
      return undefined;
  }
}

function toText(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "string") return value;
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/** True when a string holds at least one template expression. */
export function hasTemplate(text: string): boolean {
  return compile(text).kind !== "literal";
}

export function renderString(text: string, scope: TemplateScope): unknown {
  const compiled = compile(text);
  switch (compiled.kind) {
    case "literal":
      return text;
    case "single":
      return resolveRef(compiled.ref, scope);
    case "mixed": {
      let out = "";
      for (const part of compiled.parts)
        out += typeof part === "string" ? part : toText(resolveRef(part, scope));
      return out;
    }
  }
}

/** Like renderString, but always a string (the `template` component). */
export function renderText(text: string, scope: TemplateScope): string {
  return toText(renderString(text, scope));
}

/** Resolves every string inside a config value (objects and arrays recursively); other values pass through. */
export function renderDeep(value: unknown, scope: TemplateScope): unknown {
  if (typeof value === "string") return renderString(value, scope);
  if (Array.isArray(value)) return value.map((v) => renderDeep(v, scope));
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = renderDeep(v, scope);
    return out;
  }
  return value;
}

/** Whether any string inside a config value holds a template (so a static config can skip rendering). */
export function containsTemplate(value: unknown): boolean {
  if (typeof value === "string") return hasTemplate(value);
  if (Array.isArray(value)) return value.some(containsTemplate);
  if (value !== null && typeof value === "object") return Object.values(value).some(containsTemplate);
  return false;
}
