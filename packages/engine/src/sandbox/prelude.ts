/**
 * JavaScript evaluated inside each fresh QuickJS context before any user code. It is trusted code: it captures
 * the built-ins it needs before user code can replace them, installs `console`, traps the host names people
 * reach for (`process`, `require`, `fetch`) and returns the `run` function the worker calls once per context.
 *
 * `run(kind, code, payloadJson, varsJson)` always returns a promise of a tagged string, so one string crosses
 * back to the host: `"R" + json` (a value), `"U"` (undefined) or `"E" + json` (an error description
 * `{name, message, tag}` where `tag` is `"violation"`, `"not_json"` or `""`).
 *
 * Compiling this source is a large share of every run's cost (QuickJS compiles ~10 KB/ms here), so the core
 * is kept small and the helpers only some runs need (console formatting, error description, freezing) are
 * passed in as a string and compiled on first use. Console levels cross as numbers: 0 DEBUG, 1 INFO, 2 WARN,
 * 3 ERROR.
 */

/** Helpers compiled on demand. Parameters: `stringify, violations, notJson`; returns `{show, describe, freeze}`. */
const HELPERS_SOURCE = `
const show1 = (v) => {
  switch (typeof v) {
    case "string": return v;
    case "function": return "[Function " + (v.name || "anonymous") + "]";
    case "bigint": return String(v) + "n";
    case "object": break;
    default: return String(v);
  }
  if (v === null) return "null";
  try {
    if (v instanceof Error) return String(v.name) + ": " + String(v.message);
    const seen = new WeakSet();
    const text = stringify(v, (_key, x) => {
      if (typeof x === "bigint") return String(x) + "n";
      if (typeof x === "function") return "[Function " + (x.name || "anonymous") + "]";
      if (typeof x === "symbol") return String(x);
      if (x !== null && typeof x === "object") {
        if (seen.has(x)) return "[Circular]";
        seen.add(x);
      }
      return x;
    });
    return text === undefined ? String(v) : text;
  } catch {
    try { return String(v); } catch { return "[unprintable]"; }
  }
};
const show = (args) => {
  let line = "";
  for (let i = 0; i < args.length; i++) line += (i === 0 ? "" : " ") + show1(args[i]);
  return line;
};
const describe = (e, serializing) => {
  let tag = violations.has(e) ? "violation" : notJson.has(e) ? "not_json" : "";
  let name = "Error";
  let message = "";
  try {
    if (e !== null && typeof e === "object") {
      if (typeof e.name === "string") name = e.name;
      message = typeof e.message === "string" ? e.message : String(stringify(e));
    } else {
      name = "";
      message = String(e);
    }
  } catch {
    message = "[unprintable error]";
  }
  if (serializing && tag === "" && name === "TypeError" && /circular/i.test(message)) {
    tag = "not_json";
    message = "The result is not JSON: it contains a circular reference.";
  }
  return stringify({ name: name, message: message, tag: tag });
};
const freeze = (v) => {
  if (v !== null && typeof v === "object" && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const key in v) freeze(v[key]);
  }
};
return { show: show, describe: describe, freeze: freeze };`;

/** Passed to the prelude as its second argument. */
export const PRELUDE_HELPERS_SOURCE = HELPERS_SOURCE;

/** The prelude: a function expression `(hostLog, helpersSource) => run`. */
export const PRELUDE_SOURCE = String.raw`(function (hostLog, helpersSource) {
  "use strict";
  const G = globalThis, stringify = JSON.stringify, parse = JSON.parse, Fn = Function;
  const AsyncFn = (async function () {}).constructor, Err = Error, resolved = Promise.resolve();
  const violations = new WeakSet(), notJson = new WeakSet();
  let h;
  const helpers = () => (h ??= new Fn("stringify", "violations", "notJson", helpersSource)(stringify, violations, notJson));
  const tag = (set, message) => {
    const e = new Err(message);
    set.add(e);
    return e;
  };
  for (const name of ["process", "require", "fetch"]) {
    Object.defineProperty(G, name, { get() { throw tag(violations, name + " is not available in the sandbox"); } });
  }
  const method = (level) => function () { hostLog(level, helpers().show(arguments)); };
  G.console = { debug: method(0), trace: method(0), log: method(1), info: method(1), dir: method(1), warn: method(2), error: method(3) };
  G.queueMicrotask = (callback) => { resolved.then(() => callback()); };
  const replacer = (key, x) => {
    const t = typeof x;
    if (t === "function" || t === "symbol" || t === "bigint") {
      throw tag(notJson, "The result is not JSON: it contains a " + t + (key === "" ? "" : " at key " + stringify(key)) + ".");
    }
    return x;
  };
  return (kind, code, payloadJson, varsJson) => (async () => {
    let serializing = false;
    try {
      const payload = parse(payloadJson), vars = parse(varsJson);
      let fn;
      if (kind === "expression") {
        helpers().freeze(payload);
        helpers().freeze(vars);
        fn = new Fn("payload", "vars", '"use strict";\nreturn (' + code + "\n);");
      } else {
        fn = new AsyncFn("payload", "vars", code);
      }
      let value = await fn.call(undefined, payload, vars);
      if (value === undefined && kind === "function") value = payload;
      if (value === undefined) return "U";
      serializing = true;
      const text = stringify(value, replacer);
      if (text === undefined) throw tag(notJson, "The result is not JSON: it is " + typeof value + ".");
      return "R" + text;
    } catch (e) {
      return "E" + helpers().describe(e, serializing);
    }
  })();
})`;
