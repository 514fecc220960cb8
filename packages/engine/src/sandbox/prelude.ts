/**
 * JavaScript evaluated inside each fresh QuickJS context before any user code. It is trusted code: it captures
 * the built-ins it needs before user code can replace them, installs `console`, traps the host names people
 * reach for (`process`, `require`, `fetch`) and returns the `run` function the worker calls once per context.
 *
 * `run(kind, code, payloadJson, varsJson)` always returns a promise of a tagged string, so one string crosses
 * back to the host: `"R" + json` (a value), `"U"` (undefined) or `"E" + json` (an error description
 * `{name, message, tag}` where `tag` is `"violation"`, `"not_json"` or `""`).
 *
 * Compiling this source is part of every run's cost, so the core is small and the helpers only some runs need
 * (console formatting, error description) are compiled on first use.
 * Console levels cross as numbers: 0 DEBUG, 1 INFO, 2 WARN, 3 ERROR.
 */

/** Formats console arguments like a terse `util.format`. Parameters: see `lazy` in the core. */
const SHOW_SOURCE = String.raw`
const show = (v) => {
  switch (typeof v) {
    case "string": return v;
    case "function": return "[Function " + (v.name || "anonymous") + "]";
    case "bigint": return String(v) + "n";
    case "object": break;
    default: return String(v);
  }
  if (v === null) return "null";
  try {
    if (v instanceof ErrorCtor) return String(v.name) + ": " + String(v.message);
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
return (args) => {
  let line = "";
  for (let i = 0; i < args.length; i++) line += (i === 0 ? "" : " ") + show(args[i]);
  return line;
};`;

/** Describes a caught error as JSON `{name, message, tag}`. */
const DESCRIBE_SOURCE = String.raw`
return (e) => {
  const tag = violations.has(e) ? "violation" : notJson.has(e) ? "not_json" : "";
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
  return stringify({ name: name, message: message, tag: tag });
};`;

/**
 * The prelude: a function expression `(hostLog, showSource, describeSource) => run`. The helper sources are
 * passed in as strings ({@link PRELUDE_HELPER_SOURCES}) rather than embedded, because QuickJS tokenizes string
 * literals slowly enough to matter at this rate.
 */
export const PRELUDE_SOURCE = String.raw`(function (hostLog, showSource, describeSource) {
  "use strict";
  const G = globalThis;
  const defineProperty = Object.defineProperty;
  const freeze = Object.freeze;
  const isFrozen = Object.isFrozen;
  const stringify = JSON.stringify;
  const parse = JSON.parse;
  const FunctionCtor = Function;
  const AsyncFunctionCtor = (async function () {}).constructor;
  const ErrorCtor = Error;
  const TypeErrorCtor = TypeError;
  const resolved = Promise.resolve();
  const violations = new WeakSet();
  const notJson = new WeakSet();
  const tag = (set, message) => {
    const e = new ErrorCtor(message);
    set.add(e);
    return e;
  };
  const lazy = (source) =>
    new FunctionCtor("stringify", "ErrorCtor", "violations", "notJson", source)(stringify, ErrorCtor, violations, notJson);
  let show;
  let describe;

  for (const name of ["process", "require", "fetch"]) {
    defineProperty(G, name, {
      get() {
        throw tag(violations, name + " is not available in the sandbox");
      },
    });
  }
  const method = (level) =>
    function () {
      show ??= lazy(showSource);
      hostLog(level, show(arguments));
    };
  G.console = {
    debug: method(0), trace: method(0), log: method(1), info: method(1), dir: method(1), warn: method(2), error: method(3),
  };
  G.queueMicrotask = (callback) => {
    resolved.then(() => callback());
  };

  const replacer = (key, x) => {
    const t = typeof x;
    if (t === "function" || t === "symbol" || t === "bigint") {
      throw tag(notJson, "The result is not JSON: it contains a " + t + (key === "" ? "" : " at key " + stringify(key)) + ".");
    }
    return x;
  };
  const serialize = (value) => {
    let text;
    try {
      text = stringify(value, replacer);
    } catch (e) {
      if (e instanceof TypeErrorCtor && /circular/i.test(e.message)) {
        throw tag(notJson, "The result is not JSON: it contains a circular reference.");
      }
      throw e;
    }
    if (text === undefined) throw tag(notJson, "The result is not JSON: it is " + typeof value + ".");
    return text;
  };
  const deepFreeze = (v) => {
    if (v !== null && typeof v === "object" && !isFrozen(v)) {
      freeze(v);
      for (const key in v) deepFreeze(v[key]);
    }
  };

  return function run(kind, code, payloadJson, varsJson) {
    return (async () => {
      try {
        const payload = parse(payloadJson);
        const vars = parse(varsJson);
        let fn;
        if (kind === "expression") {
          deepFreeze(payload);
          deepFreeze(vars);
          fn = new FunctionCtor("payload", "vars", '"use strict";\nreturn (' + code + "\n);");
        } else {
          fn = new AsyncFunctionCtor("payload", "vars", code);
        }
        let value = await fn.call(undefined, payload, vars);
        if (value === undefined && kind === "function") value = payload;
        return value === undefined ? "U" : "R" + serialize(value);
      } catch (e) {
        describe ??= lazy(describeSource);
        return "E" + describe(e);
      }
    })();
  };
})`;

/** Sources compiled inside the sandbox on first use, in the order the prelude takes them. */
export const PRELUDE_HELPER_SOURCES: readonly [show: string, describe: string] = [SHOW_SOURCE, DESCRIBE_SOURCE];
