import {
  newQuickJSWASMModuleFromVariant,
  newVariant,
  type QuickJSWASMModule,
  RELEASE_SYNC,
} from "quickjs-emscripten";
import { beforeAll, describe, expect, it } from "vitest";
import { CappedHeap } from "./heap.js";
import { DEFAULT_LOG_LIMITS } from "./logs.js";
import type { SandboxTask } from "./protocol.js";
import { QuickJSRunner } from "./quickjs-run.js";

// In-process: the runner itself, without a worker in between (the pool tests cover the thread).
let heap: CappedHeap;
let module: QuickJSWASMModule;
beforeAll(async () => {
  heap = new CappedHeap();
  module = await newQuickJSWASMModuleFromVariant(newVariant(RELEASE_SYNC, { wasmMemory: heap.memory }));
});

const task = (code: string, extra: Partial<SandboxTask> = {}): SandboxTask => ({
  kind: "function",
  code,
  payloadJson: '{"n":1}',
  varsJson: '{"k":2}',
  timeoutMs: 1_000,
  memoryBytes: 16 * 1024 * 1024,
  maxStackBytes: 512 * 1024,
  ...extra,
});

describe("QuickJSRunner", () => {
  it("runs many tasks, prepared ahead or not, without leaking QuickJS objects", () => {
    const runner = new QuickJSRunner(module, DEFAULT_LOG_LIMITS, heap);
    for (let i = 0; i < 200; i++) {
      if (i % 2 === 0) runner.prepare();
      const outcome = runner.run(
        task("console.log(i); return payload.n + vars.k + i;".replace(/i/g, String(i))),
      );
      expect(outcome).toEqual({
        ok: true,
        resultJson: String(3 + i),
        logs: [{ level: "INFO", message: String(i) }],
      });
    }
    // Disposing a runtime with leaked handles aborts the wasm module; one more run proves it is intact.
    runner.prepare();
    expect(runner.run(task("return 'still fine';"))).toMatchObject({ ok: true, resultJson: '"still fine"' });
  });

  it("encodes undefined as a missing resultJson (expression kind)", () => {
    const runner = new QuickJSRunner(module, DEFAULT_LOG_LIMITS, heap);
    expect(runner.run(task("payload.none", { kind: "expression" }))).toEqual({
      ok: true,
      resultJson: undefined,
      logs: [],
    });
  });

  it("stops when shouldAbort turns true", () => {
    const runner = new QuickJSRunner(module, DEFAULT_LOG_LIMITS, heap);
    const started = Date.now();
    const outcome = runner.run(
      task("while (true) {}", { timeoutMs: 10_000 }),
      () => Date.now() - started > 50,
    );
    expect(outcome).toMatchObject({ ok: false, failure: { code: "ABORTED" } });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("keeps console lines printed before a timeout", () => {
    const runner = new QuickJSRunner(module, DEFAULT_LOG_LIMITS, heap);
    const outcome = runner.run(task("console.warn('starting'); while (true) {}", { timeoutMs: 50 }));
    expect(outcome).toMatchObject({
      ok: false,
      failure: { code: "NODE_TIMEOUT" },
      logs: [{ level: "WARN", message: "starting" }],
    });
  });

  // Last: running out of memory leaves the module holding the abandoned runtime.
  it("caps the wasm heap's growth per run, then asks to be replaced", () => {
    const runner = new QuickJSRunner(module, DEFAULT_LOG_LIMITS, heap);
    const outcome = runner.run(
      task("const a = []; while (true) a.push([Math.random()]);", { timeoutMs: 20_000 }),
    );
    expect(outcome).toMatchObject({
      ok: false,
      failure: { code: "SANDBOX_VIOLATION", message: expect.stringMatching(/16 MiB/) },
    });
    expect(heap.refused).toBe(true);
    expect(heap.size).toBeLessThan(heap.baseline + 16 * 1024 * 1024 * 1.25);
    expect(runner.broken).toBe(true);
    expect(() => runner.run(task("return 1;"))).toThrow(/must be replaced/);
  });
});
