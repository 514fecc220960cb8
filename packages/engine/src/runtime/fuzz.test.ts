import { FloworkError } from "@flowork/protocol";
import { describe, expect, it } from "vitest";
import { BUILTIN_COMPONENTS, createBuiltinRegistry } from "../components/builtin/index.js";
import { compileWorkflow, createRun } from "./compile.js";

/** A small deterministic PRNG, so a failing case can be reproduced from its seed. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const SAFE_MODULES = BUILTIN_COMPONENTS.map((c) => c.manifest.id).filter(
  (id) =>
    ![
      "http_request",
      "llm_chat",
      "shell_command",
      "file_read",
      "file_write",
      "code_javascript",
      "expression",
      "sub_workflow",
    ].includes(id),
);
const WEIRD = [
  null,
  undefined,
  0,
  -1,
  1e308,
  Number.NaN,
  "",
  "{{payload}}",
  "{{vars.X}}",
  "{{nodes.a.payload}}",
  "{{",
  "}}",
  [],
  {},
  { __proto__: { polluted: true } },
  "a".repeat(5000),
  true,
];

function pick<T>(r: () => number, list: readonly T[]): T {
  return list[Math.floor(r() * list.length)] as T;
}

function randomWorkflow(r: () => number): unknown {
  const count = 1 + Math.floor(r() * 6);
  const nodes = Array.from({ length: count }, (_, i) => {
    const moduleId = pick(r, SAFE_MODULES);
    const config: Record<string, unknown> = {};
    for (let k = 0; k < Math.floor(r() * 4); k++) {
      config[
        pick(r, [
          "fields",
          "message",
          "left",
          "right",
          "operator",
          "items_path",
          "milliseconds",
          "cases",
          "value",
          "retry_attempts",
          "timeout_seconds",
          "x",
        ])
      ] = pick(r, WEIRD);
    }
    if (moduleId === "delay") config.milliseconds = Math.floor(r() * 3);
    return { id: `n${i}`, module_id: moduleId, x: 0, y: 0, config_values: config };
  });
  const connections = Array.from({ length: Math.floor(r() * count * 2) }, (_, i) => ({
    id: `c${i}`,
    source: `n${Math.floor(r() * count)}`,
    target: `n${Math.floor(r() * (count + 1))}`,
    source_port_name: pick(r, [
      "output",
      "success",
      "true",
      "false",
      "item",
      "done",
      "error",
      "case_0",
      "default",
      "nope",
    ]),
    target_port_name: "input",
  }));
  return { nodes, connections };
}

function mutate(r: () => number, doc: unknown): unknown {
  const json = JSON.stringify(doc);
  switch (Math.floor(r() * 5)) {
    case 0:
      return json.slice(0, Math.floor(r() * json.length));
    case 1: {
      const i = Math.floor(r() * json.length);
      return json.slice(0, i) + pick(r, ['"', "{", "]", ",", "null", "0"]) + json.slice(i + 1);
    }
    case 2:
      return { ...(doc as object), nodes: pick(r, WEIRD) };
    case 3:
      return { ...(doc as object), connections: [pick(r, WEIRD), { source: 1, target: null }] };
    default:
      return doc;
  }
}

describe("fuzz: random and mutated workflow documents", () => {
  it("compile and run thousands of them: only typed errors, every run ends with a status", async () => {
    const registry = createBuiltinRegistry();
    let compiled = 0;
    let ran = 0;
    for (let seed = 1; seed <= 3000; seed++) {
      const r = rng(seed);
      let doc: unknown = randomWorkflow(r);
      if (r() < 0.4) doc = mutate(r, doc);
      if (typeof doc === "string") {
        try {
          doc = JSON.parse(doc);
        } catch {
          continue;
        }
      }
      let workflow: ReturnType<typeof compileWorkflow>;
      try {
        workflow = compileWorkflow(doc, registry);
        compiled++;
      } catch (err) {
        expect(err, `seed ${seed}`).toBeInstanceOf(FloworkError);
        expect((err as FloworkError).code).toBe("WORKFLOW_INVALID");
        continue;
      }
      const run = createRun(workflow, {
        initialPayload: pick(r, [{}, { list: [1, 2] }, null, "x", [1]]),
        settings: { max_steps_per_execution: 200, node_timeout_seconds: 1 },
      });
      const outcome = await run.start();
      ran++;
      expect(["SUCCEEDED", "FAILED"], `seed ${seed}`).toContain(outcome.status);
      if (outcome.error) expect(outcome.error.code, `seed ${seed}`).not.toBe("INTERNAL");
    }
    expect(compiled).toBeGreaterThan(100);
    expect(ran).toBe(compiled);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  }, 120_000);
});
