import { FloworkError } from "@flowork/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SandboxRequest } from "../components/types.js";
import { createSandbox, type Sandbox } from "./index.js";

// One worker, so every "next run succeeds" check really reuses the worker (or its replacement) that failed.
let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = createSandbox({ poolSize: 1 });
  await sandbox.warmUp();
});
afterAll(() => sandbox.close());

const fn = (code: string, timeoutMs = 2_000): SandboxRequest => ({
  kind: "function",
  code,
  payload: {},
  vars: {},
  timeoutMs,
});

async function failure(request: SandboxRequest): Promise<FloworkError> {
  const err = await sandbox.run(request).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(FloworkError);
  return err as FloworkError;
}

async function expectHealthy(): Promise<void> {
  await expect(sandbox.run(fn("return { ok: payload };"))).resolves.toEqual({ value: { ok: {} }, logs: [] });
}

describe("host objects are out of reach", () => {
  it.each([
    ["process", "return process.env;", /^process is not available in the sandbox/],
    ["require", "return require('fs').readFileSync('/etc/passwd', 'utf8');", /^require is not available/],
    [
      "the constructor escape",
      "return this.constructor.constructor('return process')().env;",
      /^process is not available/,
    ],
    ["fetch", "return await fetch('http://example.com');", /^fetch is not available/],
    ["globalThis.process", "return globalThis.process.mainModule;", /^process is not available/],
    ["import('fs')", "return await import('fs');", /^import\(\) is not available.*'fs'/],
    ["import() unawaited", "return import('node:child_process');", /^import\(\) is not available/],
    ["setTimeout", "setTimeout(() => {}, 10);", /^setTimeout is not available.*no timers/],
    ["Buffer", "return Buffer.from('x');", /^Buffer is not available/],
    ["module.exports", "module.exports = 1;", /^module is not available/],
  ])("%s fails with SANDBOX_VIOLATION", async (_name, code, message) => {
    const err = await failure(fn(code));
    expect(err.code).toBe("SANDBOX_VIOLATION");
    expect(err.message).toMatch(message);
    await expectHealthy();
  });

  it("a static import is a syntax error", async () => {
    const err = await failure(fn("import fs from 'fs'; return 1;"));
    expect(err.code).toBe("USER_ERROR");
    await expectHealthy();
  });

  it("the global object holds only language built-ins and the sandbox's console", async () => {
    const { value } = await sandbox.run(fn("return Object.getOwnPropertyNames(globalThis).sort();"));
    const names = value as string[];
    for (const forbidden of ["setTimeout", "setInterval", "Buffer", "global", "os", "std", "WebAssembly"]) {
      expect(names).not.toContain(forbidden);
    }
    expect(names).toContain("console");
  });

  it("state does not leak between runs", async () => {
    await sandbox.run(fn("globalThis.leak = 'secret'; Object.prototype.polluted = true;"));
    await expect(sandbox.run(fn("return [typeof leak, ({}).polluted ?? null];"))).resolves.toMatchObject({
      value: ["undefined", null],
    });
  });
});

describe("limits", () => {
  it("stops while(true){} at timeoutMs with NODE_TIMEOUT", async () => {
    const started = performance.now();
    const err = await failure(fn("while (true) {}", 200));
    expect(err.code).toBe("NODE_TIMEOUT");
    expect(err.message).toMatch(/200 ms/);
    expect(performance.now() - started).toBeLessThan(2_000);
    await expectHealthy();
  });

  it("stops an endless async loop and a runaway promise job", async () => {
    expect((await failure(fn("while (true) { await null; }", 150))).code).toBe("NODE_TIMEOUT");
    expect(
      (await failure(fn("Promise.resolve().then(() => { while (true) {} }); return 1;", 150))).code,
    ).toBe("NODE_TIMEOUT");
    await expectHealthy();
  });

  it("stops an allocation bomb with SANDBOX_VIOLATION, and the next run succeeds", async () => {
    const err = await failure(fn("let a = []; while (true) a.push(new Array(1e6).fill(1));", 20_000));
    expect(err.code).toBe("SANDBOX_VIOLATION");
    expect(err.message).toMatch(/memory limit of 64 MiB/);
    await expectHealthy();
  });

  it("counts many small allocations, not just large ones", async () => {
    const err = await failure(fn("const a = []; while (true) a.push({ n: Math.random() });", 20_000));
    expect(err.code).toBe("SANDBOX_VIOLATION");
    expect(err.message).toMatch(/memory limit/);
    await expectHealthy();
  });

  it("honours a smaller memoryBytes", async () => {
    const err = await failure({
      ...fn("return 'x'.repeat(8 * 1024 * 1024).length;"),
      memoryBytes: 4 * 1024 * 1024,
    });
    expect(err.code).toBe("SANDBOX_VIOLATION");
    expect(err.message).toMatch(/4 MiB/);
    await expect(
      sandbox.run({ ...fn("return 'x'.repeat(1024 * 1024).length;"), memoryBytes: 4 * 1024 * 1024 }),
    ).resolves.toMatchObject({ value: 1024 * 1024 });
  });

  it("stops deep recursion with SANDBOX_VIOLATION", async () => {
    const err = await failure(fn("function f(n) { return f(n + 1) + 1; } return f(0);"));
    expect(err.code).toBe("SANDBOX_VIOLATION");
    expect(err.message).toMatch(/call stack/);
    await expectHealthy();
  });

  it("allows ordinary recursion depth", async () => {
    await expect(
      sandbox.run(fn("const f = (n) => (n === 0 ? 0 : 1 + f(n - 1)); return f(1000);")),
    ).resolves.toMatchObject({
      value: 1000,
    });
  });

  // Such runs can trip QuickJS's leak assertion when their runtime is freed (see QuickJSRunner); the worker is
  // replaced between runs and no caller sees it.
  it("runs a heavy transformation, and the next run succeeds", async () => {
    const items = Array.from({ length: 50_000 }, (_, id) => ({ id, tags: ["a", "b"], price: id * 1.5 }));
    const { value } = await sandbox.run({
      ...fn(
        "const out = payload.items.map((x) => ({ ...x, price: x.price * 2 })); return { n: out.length, last: out.at(-1) };",
        20_000,
      ),
      payload: { items },
    });
    expect(value).toEqual({ n: 50_000, last: { id: 49_999, tags: ["a", "b"], price: 149_997 } });
    await expectHealthy();
  });

  it("survives deeply nested JSON in and out", async () => {
    const err = await failure(
      fn("let s = ''; for (let i = 0; i < 200000; i++) s += '['; return JSON.parse(s);"),
    );
    expect(err.code).not.toBe("INTERNAL");
    await expectHealthy();
  });
});
