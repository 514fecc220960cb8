import { describe, expect, it } from "vitest";
import { createBuiltinRegistry } from "../components/builtin/index.js";
import { builtinManifest } from "../components/define.js";
import type { ComponentDefinition } from "../components/types.js";
import { isRunCheckpoint, type RunCheckpoint } from "./checkpoint.js";
import { compileWorkflow, createRun } from "./compile.js";
import { wf } from "./test-helpers.js";

/** A component that counts how often each payload passed through it, so re-runs are visible. */
function counting(seen: string[]): ComponentDefinition {
  return {
    manifest: builtinManifest({
      id: "count",
      name: "Count",
      type: "ACTION",
      category: "Test",
      description: "counts",
    }),
    execute: async (payload, ctx) => {
      seen.push(`${ctx.nodeId}:${JSON.stringify((payload as { item?: unknown }).item ?? null)}`);
      await ctx.sleep(5);
      return { payload };
    },
  };
}

async function crashAndResume(doc: unknown, crashAfterSteps: number, initialPayload: unknown) {
  const seen: string[] = [];
  const registry = createBuiltinRegistry();
  registry.register(counting(seen));
  const compiled = compileWorkflow(doc, registry);
  let saved: string | undefined;
  let steps = 0;
  const first = createRun(compiled, {
    initialPayload,
    onStep: () => {
      steps++;
      saved = JSON.stringify(first.snapshot());
      if (steps === crashAfterSteps) first.stop(); // the "crash": nothing after this checkpoint counts
    },
  });
  await first.start();
  const beforeCrash = [...seen];
  const checkpoint = JSON.parse(saved ?? "null") as RunCheckpoint;
  expect(isRunCheckpoint(checkpoint)).toBe(true);
  const second = createRun(compiled, { initialPayload, resumeFrom: checkpoint });
  const outcome = await second.start();
  return { outcome, beforeCrash, all: seen, checkpoint };
}

describe("durable runs: resume from a checkpoint", () => {
  it("resumes a linear run without re-running completed steps", async () => {
    const doc = wf(
      [
        ["s", "manual_trigger"],
        ["a", "count"],
        ["b", "count"],
        ["c", "count"],
        ["d", "set_data", { fields: { done: "{{nodes.a.payload.x}}" } }],
      ],
      [
        ["s", "a"],
        ["a", "b"],
        ["b", "c"],
        ["c", "d"],
      ],
    );
    const { outcome, all } = await crashAndResume(doc, 2, { x: 7 });
    expect(outcome.status).toBe("SUCCEEDED");
    expect(outcome.result).toEqual({ d: { x: 7, done: 7 } });
    expect(all.filter((s) => s === "a:null")).toHaveLength(1);
    expect(all.filter((s) => s === "c:null")).toHaveLength(1);
  });

  it("resumes in the middle of a loop: earlier items are not repeated, later ones run once", async () => {
    const doc = wf(
      [
        ["s", "manual_trigger"],
        ["loop", "loop", { items_path: "list" }],
        ["body", "count"],
        ["after", "set_data", { fields: { finished: true } }],
      ],
      [
        ["s", "loop"],
        ["loop", "body", "item"],
        ["loop", "after", "done"],
      ],
    );
    const { outcome, all, beforeCrash, checkpoint } = await crashAndResume(doc, 4, { list: [1, 2, 3, 4, 5] });
    expect(checkpoint.sequences.length).toBe(1);
    expect(outcome.status).toBe("SUCCEEDED");
    expect(outcome.result.after).toEqual({ list: [1, 2, 3, 4, 5], finished: true });
    expect(outcome.result.body).toMatchObject({ item: 5, index: 4 });
    const bodyRuns = all.filter((s) => s.startsWith("body:"));
    expect(new Set(bodyRuns)).toEqual(new Set(["body:1", "body:2", "body:3", "body:4", "body:5"]));
    // at-least-once: only the step in flight at the crash may run twice
    expect(bodyRuns.length).toBeLessThanOrEqual(6);
    expect(beforeCrash.length).toBeGreaterThan(0);
  });

  it("keeps merge inputs that arrived before the crash", async () => {
    const doc = wf(
      [
        ["s", "manual_trigger"],
        ["fast", "set_data", { fields: { fast: 1 } }],
        ["slow", "delay", { milliseconds: 30 }],
        ["m", "merge"],
      ],
      [
        ["s", "fast"],
        ["s", "slow"],
        ["fast", "m"],
        ["slow", "m"],
      ],
    );
    const { outcome, checkpoint } = await crashAndResume(doc, 2, { v: 1 });
    expect(checkpoint.joins.length).toBe(1);
    expect(outcome.result).toEqual({ m: { inputs: [{ v: 1, fast: 1 }, { v: 1 }] } });
  });
});
