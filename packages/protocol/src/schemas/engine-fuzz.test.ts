import { afterAll, describe, expect, it } from "vitest";
import { FloworkError } from "../errors.js";
import { ENGINE_REQUEST_TYPES, parseEngineRequest } from "./engine.js";
import { WorkflowSchema } from "./workflow.js";

/** mulberry32: a small seeded PRNG, so a failing document can be reproduced from the seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NASTY_KEYS = [
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "hasOwnProperty",
  "type",
  "request_id",
  "",
];
const NASTY_STRINGS = [
  "",
  "\u0000",
  "../../etc/passwd",
  "\u202e",
  "%s%n",
  "{{vars.SECRET}}",
  "ping",
  "1e309",
  "🙂",
];
const FIELDS = [
  "job_id",
  "name",
  "mode",
  "limit",
  "before",
  "settings",
  "data",
  "workflow_data",
  "nodes",
  "value",
];

function randomValue(next: () => number, depth: number): unknown {
  const pick = Math.floor(next() * (depth > 4 ? 7 : 10));
  switch (pick) {
    case 0:
      return null;
    case 1:
      return next() < 0.5;
    case 2:
      return [0, -1, 1.5, 2 ** 53, -(2 ** 31), 1e308, 200, 201, 500, 501][Math.floor(next() * 10)];
    case 3:
      return NASTY_STRINGS[Math.floor(next() * NASTY_STRINGS.length)];
    case 4:
      return ENGINE_REQUEST_TYPES[Math.floor(next() * ENGINE_REQUEST_TYPES.length)];
    case 5:
      return "x".repeat(Math.floor(next() * 300));
    case 6:
      return String.fromCharCode(...Array.from({ length: 8 }, () => Math.floor(next() * 0xffff)));
    case 7:
    case 8: {
      const obj: Record<string, unknown> = {};
      const n = Math.floor(next() * 5);
      for (let i = 0; i < n; i++) {
        const pool = next() < 0.3 ? NASTY_KEYS : FIELDS;
        // defineProperty makes `__proto__` an own key, as JSON.parse does.
        Object.defineProperty(obj, pool[Math.floor(next() * pool.length)] ?? "k", {
          value: randomValue(next, depth + 1),
          enumerable: true,
          configurable: true,
          writable: true,
        });
      }
      return obj;
    }
    default:
      return Array.from({ length: Math.floor(next() * 4) }, () => randomValue(next, depth + 1));
  }
}

const VALID_SEEDS: Record<string, unknown>[] = [
  { type: "ping", request_id: "r" },
  {
    type: "execute_workflow",
    request_id: "r",
    mode: "EXECUTE",
    workflow_data: { nodes: [{ id: "a", module_id: "m" }] },
  },
  {
    type: "update_variable",
    request_id: "r",
    name: "A",
    data: { value: "v", mode: "single", is_secret: false, is_enabled: true },
  },
  { type: "save_settings", request_id: "r", settings: { log_level: "INFO" } },
  { type: "request_audit_log", request_id: "r", limit: 10, before: "2025-01-01T00:00:00Z" },
  { type: "save_preset", request_id: "r", name: "p", workflow_data: { nodes: [], connections: [] } },
];

/** Replaces, deletes or adds one field somewhere in a deep copy of `doc`. */
function mutate(doc: unknown, next: () => number): unknown {
  const copy: unknown = JSON.parse(JSON.stringify(doc));
  let target = copy;
  for (let hops = Math.floor(next() * 3); hops > 0; hops--) {
    if (typeof target !== "object" || target === null) break;
    const values = Object.values(target).filter((v) => typeof v === "object" && v !== null);
    if (values.length === 0) break;
    target = values[Math.floor(next() * values.length)];
  }
  if (typeof target === "object" && target !== null) {
    const record = target as Record<string, unknown>;
    const keys = Object.keys(record);
    const roll = next();
    const key =
      roll < 0.5
        ? (keys[Math.floor(next() * keys.length)] ?? "x")
        : NASTY_KEYS[Math.floor(next() * NASTY_KEYS.length)];
    if (key === undefined) return copy;
    if (roll < 0.2) delete record[key];
    else
      Object.defineProperty(record, key, {
        value: randomValue(next, 2),
        enumerable: true,
        configurable: true,
        writable: true,
      });
  }
  return copy;
}

function deepNest(levels: number, asObject: boolean): unknown {
  let v: unknown = "leaf";
  for (let i = 0; i < levels; i++) v = asObject ? { a: v } : [v];
  return v;
}

/** How often each outcome was seen. */
const outcomes = new Map<string, number>();
function expectWellFormed(payload: unknown): void {
  const r = parseEngineRequest(payload);
  const k = r.ok ? "ok" : r.error.code;
  outcomes.set(k, (outcomes.get(k) ?? 0) + 1);
  if (r.ok) {
    expect(ENGINE_REQUEST_TYPES).toContain(r.request.type);
  } else {
    expect(r.error).toBeInstanceOf(FloworkError);
    expect(["BAD_REQUEST", "UNKNOWN_MESSAGE_TYPE", "VALIDATION_FAILED"]).toContain(r.error.code);
    JSON.stringify(r.error.toBody());
  }
  const w = WorkflowSchema.safeParse(payload);
  expect(typeof w.success).toBe("boolean");
}

describe("fuzz: parseEngineRequest and WorkflowSchema never throw", () => {
  // The generator must reach every branch, or "never throws" proves little.
  afterAll(() => {
    for (const kind of ["ok", "BAD_REQUEST", "UNKNOWN_MESSAGE_TYPE", "VALIDATION_FAILED"]) {
      expect(outcomes.get(kind) ?? 0).toBeGreaterThan(100);
    }
  });
  it("on thousands of random documents", () => {
    const next = rng(0xf10e);
    for (let i = 0; i < 4000; i++) expectWellFormed(randomValue(next, 0));
  });

  it("on thousands of mutated valid requests", () => {
    const next = rng(42);
    for (let i = 0; i < 4000; i++) {
      const seed = VALID_SEEDS[i % VALID_SEEDS.length];
      let doc: unknown = seed;
      for (let m = 1 + Math.floor(next() * 3); m > 0; m--) doc = mutate(doc, next);
      expectWellFormed(doc);
      expectWellFormed(JSON.parse(JSON.stringify(doc)));
    }
  });

  it("on prototype-pollution keys, without polluting Object.prototype", () => {
    const docs = [
      '{"__proto__":{"type":"ping"},"request_id":"r"}',
      '{"type":"ping","request_id":"r","__proto__":{"isAdmin":true}}',
      '{"type":"save_settings","request_id":"r","settings":{"__proto__":{"polluted":1}}}',
      '{"type":"execute_workflow","request_id":"r","mode":"EXECUTE","workflow_data":{"nodes":[],"__proto__":{"polluted":1}},"initial_payload":{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}}}}',
      '{"nodes":[{"id":"a","module_id":"m","__proto__":{"polluted":1},"config_values":{"__proto__":{"polluted":1}}}]}',
      '{"type":"constructor","request_id":"r"}',
    ];
    for (const text of docs) expectWellFormed(JSON.parse(text));
    const r = parseEngineRequest(JSON.parse(docs[3] ?? "{}"));
    if (r.ok && r.request.type === "execute_workflow") {
      expect(Object.getPrototypeOf(r.request.initial_payload)).toBe(Object.prototype);
    }
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
    expect(({} as Record<string, unknown>)["isAdmin"]).toBeUndefined();
  });

  it("on deep nesting anywhere", () => {
    for (const asObject of [false, true]) {
      for (const levels of [63, 64, 65, 1000, 50_000]) {
        const deep = deepNest(levels, asObject);
        expectWellFormed(deep);
        expectWellFormed({ type: "ping", request_id: "r", x: deep });
        expectWellFormed({
          type: "execute_workflow",
          request_id: "r",
          mode: "EXECUTE",
          preset_name: "p",
          initial_payload: deep,
        });
        expectWellFormed({ nodes: [{ id: "a", module_id: "m", config_values: { deep } }], extra: deep });
      }
    }
  });

  it("on huge strings", () => {
    const huge = "A".repeat(1024 * 1024);
    expectWellFormed({ type: huge, request_id: huge });
    expectWellFormed({ type: "ping", request_id: huge });
    expectWellFormed({ type: "delete_variable", request_id: "r", name: huge });
    expectWellFormed({ type: "load_preset", request_id: "r", name: huge, [huge]: 1 });
    expectWellFormed({ nodes: [{ id: huge, module_id: huge }] });
    const r = parseEngineRequest({ type: "ping", request_id: "r", [huge]: 1 });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(JSON.stringify(r.error.toBody()).length).toBeLessThan(2000);
  });

  it("on wrong types for every field of every request", () => {
    const wrong: unknown[] = [null, 0, -1, 1.5, "", "x", true, [], {}, [null], { a: 1 }];
    for (const type of ENGINE_REQUEST_TYPES) {
      for (const field of [
        "request_id",
        "job_id",
        "name",
        "mode",
        "limit",
        "before",
        "data",
        "settings",
        "workflow_data",
      ]) {
        for (const value of wrong) expectWellFormed({ type, request_id: "r", [field]: value });
      }
    }
  });
});
