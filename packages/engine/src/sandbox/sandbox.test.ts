import { FloworkError } from "@flowork/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SandboxRequest } from "../components/types.js";
import { createSandbox, type Sandbox } from "./index.js";

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = createSandbox({ poolSize: 2 });
  await sandbox.warmUp();
});
afterAll(() => sandbox.close());

const fn = (code: string, payload: unknown = {}, vars: Record<string, unknown> = {}): SandboxRequest => ({
  kind: "function",
  code,
  payload,
  vars,
  timeoutMs: 2_000,
});
const expr = (code: string, payload: unknown = {}, vars: Record<string, unknown> = {}): SandboxRequest => ({
  ...fn(code, payload, vars),
  kind: "expression",
});

/** Runs and returns the FloworkError it must fail with. */
async function failure(request: SandboxRequest): Promise<FloworkError> {
  const err = await sandbox.run(request).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(FloworkError);
  return err as FloworkError;
}

describe("function kind", () => {
  it("returns a transformed payload, with vars in scope", async () => {
    const result = await sandbox.run(
      fn(
        "return { ...payload, total: payload.items.reduce((a, b) => a + b, 0), who: vars.NAME };",
        { items: [1, 2, 3] },
        { NAME: "ada" },
      ),
    );
    expect(result).toEqual({ value: { items: [1, 2, 3], total: 6, who: "ada" }, logs: [] });
  });

  it("supports async code and awaiting promises", async () => {
    const result = await sandbox.run(
      fn(`
        const double = async (n) => { await null; return n * 2; };
        const values = await Promise.all([1, 2, 3].map(double));
        await new Promise((resolve) => queueMicrotask(resolve));
        return { values };
      `),
    );
    expect(result.value).toEqual({ values: [2, 4, 6] });
  });

  it("passes the payload on (as the code left it) when the code returns undefined", async () => {
    expect((await sandbox.run(fn("const x = 1;", { a: 1 }))).value).toEqual({ a: 1 });
    expect((await sandbox.run(fn("payload.b = 2;", { a: 1 }))).value).toEqual({ a: 1, b: 2 });
  });

  it("returns any JSON value, following JSON.stringify for dates, NaN and undefined fields", async () => {
    expect((await sandbox.run(fn("return 'text';"))).value).toBe("text");
    expect((await sandbox.run(fn("return null;"))).value).toBeNull();
    expect((await sandbox.run(fn("return [new Date(0), NaN, { u: undefined }];"))).value).toEqual([
      "1970-01-01T00:00:00.000Z",
      null,
      {},
    ]);
  });

  it("cannot change the caller's payload object", async () => {
    const payload = { a: 1 };
    await sandbox.run(fn("payload.a = 2; return payload;", payload));
    expect(payload).toEqual({ a: 1 });
  });
});

describe("expression kind", () => {
  it("evaluates one expression over payload and vars", async () => {
    expect((await sandbox.run(expr("payload.n * 10 + vars.k", { n: 4 }, { k: 2 }))).value).toBe(42);
    expect(
      (await sandbox.run(expr("payload.items.filter((i) => i > 1).length", { items: [1, 2, 3] }))).value,
    ).toBe(2);
  });

  it("yields undefined as undefined", async () => {
    expect((await sandbox.run(expr("payload.missing"))).value).toBeUndefined();
  });

  it("is side-effect free: payload and vars are frozen", async () => {
    const err = await failure(expr("payload.n = 5", { n: 1 }));
    expect(err.code).toBe("USER_ERROR");
    expect(err.message).toMatch(/read-only/);
    expect((await failure(expr("vars.list.push(1)", {}, { list: [] }))).code).toBe("USER_ERROR");
  });

  it("rejects statements", async () => {
    const err = await failure(expr("1; while (true) {}"));
    expect(err.code).toBe("USER_ERROR");
    expect(err.message).toMatch(/SyntaxError/);
  });
});

describe("console", () => {
  it("captures console.* as log entries with levels", async () => {
    const { logs } = await sandbox.run(
      fn(`
        console.log("hello", 1, { a: [1, 2] });
        console.info("info");
        console.warn("careful");
        console.error(new TypeError("bad"));
        console.debug("details", undefined, null, () => 1);
      `),
    );
    expect(logs).toEqual([
      { level: "INFO", message: 'hello 1 {"a":[1,2]}' },
      { level: "INFO", message: "info" },
      { level: "WARN", message: "careful" },
      { level: "ERROR", message: "TypeError: bad" },
      { level: "DEBUG", message: "details undefined null [Function anonymous]" },
    ]);
  });

  it("prints circular objects without failing", async () => {
    const { logs } = await sandbox.run(fn("const a = { n: 1 }; a.self = a; console.log(a);"));
    expect(logs).toEqual([{ level: "INFO", message: '{"n":1,"self":"[Circular]"}' }]);
  });

  it("caps the number of lines and the size of each line", async () => {
    const { logs } = await sandbox.run(
      fn("console.log('x'.repeat(100000)); for (let i = 0; i < 1500; i++) console.log('line ' + i);"),
    );
    expect(logs).toHaveLength(1001);
    expect(logs[0]?.message.startsWith("x".repeat(1000))).toBe(true);
    expect(logs[0]?.message.endsWith("…[truncated]")).toBe(true);
    expect(logs[0]?.message.length).toBeLessThan(64 * 1024 + 20);
    expect(logs[999]?.message).toBe("line 998");
    expect(logs[1000]).toEqual({ level: "WARN", message: expect.stringMatching(/501 more console line/) });
  });

  it("keeps the lines printed before a failure in details.logs", async () => {
    const err = await failure(fn("console.log('before'); throw new Error('boom');"));
    expect(err.details).toMatchObject({ logs: [{ level: "INFO", message: "before" }] });
  });
});

describe("user errors", () => {
  it("maps a thrown Error to USER_ERROR with its message", async () => {
    const err = await failure(fn("throw new Error('x');"));
    expect(err.code).toBe("USER_ERROR");
    expect(err.message).toBe("x");
    expect(err.retryable).toBe(false);
  });

  it("names other error types, and thrown non-errors", async () => {
    expect((await failure(fn("null.x"))).message).toMatch(/^TypeError: /);
    expect((await failure(fn("throw 'plain';"))).message).toBe("plain");
    expect((await failure(fn("return {"))).message).toMatch(/^SyntaxError: /);
    expect((await failure(fn("await Promise.reject(new RangeError('r'));"))).message).toBe("RangeError: r");
  });

  it("reports a ReferenceError for an ordinary missing name as the user's error", async () => {
    const err = await failure(fn("return notDefinedAnywhere;"));
    expect(err.code).toBe("USER_ERROR");
    expect(err.message).toMatch(/notDefinedAnywhere/);
  });

  it("fails a promise that can never settle", async () => {
    const err = await failure(fn("await new Promise(() => {});"));
    expect(err.code).toBe("USER_ERROR");
    expect(err.message).toMatch(/never settled/);
  });

  it.each([
    ["a function", "return () => 1;", /contains a function/],
    ["a nested function", "return { f() {} };", /function at key "f"/],
    ["a symbol", "return Symbol('s');", /symbol/],
    ["a bigint", "return { n: 1n };", /bigint at key "n"/],
    ["a cycle", "const a = {}; a.a = a; return a;", /circular reference/],
  ])("fails a result that is not JSON: %s", async (_name, code, message) => {
    const err = await failure(fn(code));
    expect(err.code).toBe("USER_ERROR");
    expect(err.message).toMatch(/^The result is not JSON/);
    expect(err.message).toMatch(message);
  });

  it("fails a payload that is not JSON before running anything", async () => {
    const err = await failure(fn("return 1;", { n: 1n }));
    expect(err.code).toBe("USER_ERROR");
    expect(err.message).toMatch(/payload/);
  });
});

describe("concurrency", () => {
  it("runs many calls at once, each with its own payload and globals", async () => {
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        sandbox.run(
          fn("globalThis.seen = (globalThis.seen ?? 0) + 1; return { i: payload.i, seen };", { i }),
        ),
      ),
    );
    expect(results.map((r) => r.value)).toEqual(Array.from({ length: 40 }, (_, i) => ({ i, seen: 1 })));
  });
});
