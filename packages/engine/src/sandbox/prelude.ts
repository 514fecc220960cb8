/**
 * JavaScript evaluated inside each fresh QuickJS context before any user code. It is trusted code: it captures
 * the built-ins it needs before user code can replace them, installs `console`, traps the host names people
 * reach for (`process`, `require`, `fetch`) and returns the `run` function the worker calls once per context.
 *
 * `run(kind, code, payloadJson, varsJson)` always returns a promise of a tagged string, so one string crosses
 * back to the host: `"R" + json` (a value), `"U"` (undefined) or `"E" + json` (an error description
 * `{name, message, tag}` where `tag` is `"violation"`, `"not_json"` or `""`).
 *
 * Console levels cross as numbers: 0 DEBUG, 1 INFO, 2 WARN, 3 ERROR.
 */
export const PRELUDE_SOURCE = String.raw`(function (hostLog) {
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
  const StringCtor = String;
  const WeakSetCtor = WeakSet;
  const violations = new WeakSetCtor();
  const notJson = new WeakSetCtor();

  const tagged = (set, message) => {
    const e = new ErrorCtor(message);
    set.add(e);
    return e;
  };
  for (const name of ["process", "require", "fetch"]) {
    defineProperty(G, name, {
      get() {
        throw tagged(violations, name + " is not available in the sandbox");
      },
      configurable: false,
      enumerable: false,
    });
  }

  const show = (v) => {
    switch (typeof v) {
      case "string":
        return v;
      case "function":
        return "[Function " + (v.name || "anonymous") + "]";
      case "bigint":
        return StringCtor(v) + "n";
      case "object":
        break;
      default:
        return StringCtor(v);
    }
    if (v === null) return "null";
    try {
      if (v instanceof ErrorCtor) return StringCtor(v.name) + ": " + StringCtor(v.message);
      const seen = new WeakSetCtor();
      const text = stringify(v, (_key, x) => {
        if (typeof x === "bigint") return StringCtor(x) + "n";
        if (typeof x === "function") return "[Function " + (x.name || "anonymous") + "]";
        if (typeof x === "symbol") return StringCtor(x);
        if (x !== null && typeof x === "object") {
          if (seen.has(x)) return "[Circular]";
          seen.add(x);
        }
        return x;
      });
      return text === undefined ? StringCtor(v) : text;
    } catch {
      try {
        return StringCtor(v);
      } catch {
        return "[unprintable]";
      }
    }
  };
  const method = (level) =>
    function () {
      let line = "";
      for (let i = 0; i < arguments.length; i++) line += (i === 0 ? "" : " ") + show(arguments[i]);
      hostLog(level, line);
    };
  G.console = {
    debug: method(0),
    trace: method(0),
    log: method(1),
    info: method(1),
    dir: method(1),
    warn: method(2),
    error: method(3),
  };
  G.queueMicrotask = (callback) => {
    Promise.resolve().then(() => callback());
  };

  const deepFreeze = (v) => {
    if (v !== null && typeof v === "object" && !isFrozen(v)) {
      freeze(v);
      for (const key in v) deepFreeze(v[key]);
    }
    return v;
  };
  const serialize = (value) => {
    let text;
    try {
      text = stringify(value, (key, x) => {
        const t = typeof x;
        if (t === "function" || t === "symbol" || t === "bigint") {
          const where = key === "" ? "" : " at key " + stringify(StringCtor(key));
          throw tagged(notJson, "The result is not JSON: it contains a " + t + where + ".");
        }
        return x;
      });
    } catch (e) {
      if (notJson.has(e)) throw e;
      if (e instanceof TypeError && /circular/i.test(StringCtor(e.message))) {
        throw tagged(notJson, "The result is not JSON: it contains a circular reference.");
      }
      throw e;
    }
    if (text === undefined) throw tagged(notJson, "The result is not JSON: it is a " + typeof value + ".");
    return text;
  };
  const describe = (e) => {
    const tag = violations.has(e) ? "violation" : notJson.has(e) ? "not_json" : "";
    let name = "Error";
    let message = "";
    try {
      if (e !== null && typeof e === "object") {
        if (typeof e.name === "string") name = e.name;
        message = typeof e.message === "string" ? e.message : show(e);
      } else {
        name = "";
        message = show(e);
      }
    } catch {
      message = "[unprintable error]";
    }
    return stringify({ name: name, message: message, tag: tag });
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
        return "E" + describe(e);
      }
    })();
  };
})`;
