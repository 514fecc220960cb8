import { type ComponentProperty, FloworkError, ManifestSchema } from "@flowork/protocol";
import { afterAll, describe, expect, it } from "vitest";
import { validateWorkflow } from "../runtime/validate.js";
import { createSandbox } from "../sandbox/index.js";
import { createComponentHarness } from "../testing/harness.js";
import { BUILTIN_COMPONENTS, createBuiltinRegistry } from "./builtin/index.js";
import type { ComponentServices } from "./types.js";

/**
 * One contract suite for every built-in component (STYLE: one suite per extension point): the manifest is valid,
 * config is validated against the property schema, SIMULATE is honoured, and failures are typed errors.
 */
const registry = createBuiltinRegistry();
const sandbox = createSandbox({ poolSize: 1 });
afterAll(() => sandbox.close());

function sampleValue(p: ComponentProperty): unknown {
  if (p.default !== undefined) return p.default;
  if (p.id.endsWith("url")) return "https://example.com/";
  const first = p.options?.[0];
  if (first !== undefined) return typeof first === "object" ? first.value : first;
  switch (p.type) {
    case "integer":
    case "float":
      return 1;
    case "boolean":
      return false;
    case "list":
      return [];
    case "key_value":
    case "json":
      return {};
    case "cron_editor":
      return "*/5 * * * *";
    case "variable":
      return "SAMPLE_VAR";
    default:
      return "sample";
  }
}

function badValue(p: ComponentProperty): unknown | undefined {
  switch (p.type) {
    case "integer":
      return "not a number";
    case "float":
      return "NaN-ish";
    case "boolean":
      return "maybe";
    case "list":
      return 42;
    case "key_value":
      return 42;
    case "enum":
      return "__not_an_option__";
    case "string":
    case "textarea":
    case "code":
    case "cron_editor":
    case "variable":
      return { not: "text" };
    default:
      return undefined;
  }
}

function sampleConfig(properties: ComponentProperty[]): Record<string, unknown> {
  return Object.fromEntries(properties.map((p) => [p.id, sampleValue(p)]));
}

function singleNode(moduleId: string, config: Record<string, unknown>) {
  return { nodes: [{ id: "n", module_id: moduleId, x: 0, y: 0, config_values: config }], connections: [] };
}

/** Services that record any use: in SIMULATE mode none may be touched. Network access always fails. */
function recordingServices(touched: string[]): ComponentServices {
  return {
    sandbox,
    fetch: (async () => {
      touched.push("fetch");
      throw new Error("network is not allowed in this test");
    }) as typeof fetch,
    lookup: async () => {
      touched.push("lookup");
      throw new Error("dns is not allowed in this test");
    },
    notify: async () => {
      touched.push("notify");
    },
    runSubWorkflow: async () => {
      touched.push("sub_workflow");
      return {};
    },
  };
}

const FUZZ_PAYLOADS: unknown[] = [
  null,
  0,
  -1.5,
  "",
  "text",
  true,
  [],
  [1, "a", null],
  {},
  { a: { b: [1, 2] } },
  { __proto__: { x: 1 } },
];

describe.each(BUILTIN_COMPONENTS.map((c) => [c.manifest.id, c] as const))(
  "component contract: %s",
  (id, component) => {
    const { manifest } = component;

    it("has a valid manifest with unique ports and property ids", () => {
      expect(ManifestSchema.safeParse(manifest).success).toBe(true);
      const ids = manifest.properties.map((p) => p.id);
      expect(new Set(ids).size).toBe(ids.length);
      const ports = manifest.output_ports.map((p) => p.name);
      expect(new Set(ports).size).toBe(ports.length);
      expect(ports).not.toContain("error");
      for (const p of manifest.properties.filter((p) => p.type === "enum"))
        expect(p.options?.length).toBeGreaterThan(0);
    });

    it("accepts its sample config and reports each badly typed property", () => {
      const ok = validateWorkflow(singleNode(id, sampleConfig(manifest.properties)), registry);
      expect(ok.ok, JSON.stringify(ok)).toBe(true);
      for (const p of manifest.properties) {
        const bad = badValue(p);
        if (bad === undefined) continue;
        const result = validateWorkflow(
          singleNode(id, { ...sampleConfig(manifest.properties), [p.id]: bad }),
          registry,
        );
        expect(result.ok, `${id}.${p.id} = ${JSON.stringify(bad)}`).toBe(false);
        if (!result.ok)
          expect(result.problems.some((x) => x.code === "BAD_CONFIG" && x.message.includes(p.id))).toBe(true);
      }
    });

    it("honours SIMULATE: a side-effecting component touches nothing", async () => {
      const touched: string[] = [];
      const h = createComponentHarness({
        mode: "SIMULATE",
        config: sampleConfig(manifest.properties),
        services: recordingServices(touched),
        skipSleep: true,
      });
      if (manifest.side_effects) {
        const out = await h.run(component, { a: 1 });
        expect("emits" in out ? out.emits.length : 1).toBeGreaterThan(0);
        expect(touched).toEqual([]);
      } else {
        expect(manifest.side_effects).toBe(false);
      }
    });

    it("fails only with typed errors, whatever the payload and config", async () => {
      const configs = [
        {},
        sampleConfig(manifest.properties),
        Object.fromEntries(manifest.properties.map((p) => [p.id, badValue(p) ?? null])),
      ];
      for (const config of configs) {
        for (const payload of FUZZ_PAYLOADS) {
          const h = createComponentHarness({
            config,
            services: recordingServices([]),
            skipSleep: true,
            settings: { node_timeout_seconds: 2 },
          });
          try {
            await h.run(component, payload);
          } catch (err) {
            expect(
              err,
              `${id} with ${JSON.stringify(config)} / ${JSON.stringify(payload)}: ${String(err)}`,
            ).toBeInstanceOf(FloworkError);
          }
        }
      }
    });
  },
);
