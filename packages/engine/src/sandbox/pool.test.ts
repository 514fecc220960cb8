import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { FloworkError } from "@flowork/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SandboxRequest } from "../components/types.js";
import { createSandbox, defaultWorkerUrl } from "./index.js";

const fn = (code: string, timeoutMs = 5_000): SandboxRequest => ({
  kind: "function",
  code,
  payload: {},
  vars: {},
  timeoutMs,
});

/**
 * A stand-in worker speaking the pool protocol: `return 1` answers 1, `hang` blocks its thread for good,
 * `crash` exits the thread, `throw` throws an uncaught error.
 */
const FAKE_WORKER = `
import { parentPort } from "node:worker_threads";
parentPort.on("message", (m) => {
  if (m.task.code === "hang") for (;;) {}
  if (m.task.code === "crash") process.exit(3);
  if (m.task.code === "throw") throw new Error("worker bug");
  const outcome = { ok: true, resultJson: "1", logs: [] };
  parentPort.postMessage({ type: "result", id: m.id, outcome, retire: false });
});
parentPort.postMessage({ type: "ready" });
`;

let dir: string;
let fakeWorker: URL;
let brokenWorker: URL;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowork-sandbox-"));
  await writeFile(join(dir, "fake.mjs"), FAKE_WORKER);
  await writeFile(join(dir, "broken.mjs"), "throw new Error('cannot start');");
  fakeWorker = pathToFileURL(join(dir, "fake.mjs"));
  brokenWorker = pathToFileURL(join(dir, "broken.mjs"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (e: unknown) => e,
  );
}

describe("abort", () => {
  it("stops a running script quickly with the signal's reason, and the worker lives on", async () => {
    const sandbox = createSandbox({ poolSize: 1 });
    try {
      await sandbox.warmUp();
      const controller = new AbortController();
      const started = performance.now();
      const running = sandbox.run({ ...fn("while (true) {}", 30_000), signal: controller.signal });
      setTimeout(() => controller.abort(new Error("stopped by user")), 50);
      const err = await rejection(running);
      expect((err as Error).message).toBe("stopped by user");
      expect(performance.now() - started).toBeLessThan(2_000);
      await expect(sandbox.run(fn("return 2;"))).resolves.toMatchObject({ value: 2 });
    } finally {
      await sandbox.close();
    }
  });

  it("rejects at once when the signal is already aborted, or aborted while queued", async () => {
    const sandbox = createSandbox({ poolSize: 1 });
    try {
      const done = AbortSignal.abort(new Error("too late"));
      await expect(sandbox.run({ ...fn("return 1;"), signal: done })).rejects.toThrow("too late");
      const controller = new AbortController();
      const busy = sandbox.run(fn("let i = 0; while (i < 2e6) i++; return i;"));
      const queued = sandbox.run({ ...fn("return 1;"), signal: controller.signal });
      controller.abort(new Error("dequeued"));
      await expect(queued).rejects.toThrow("dequeued");
      await expect(busy).resolves.toMatchObject({ value: 2e6 });
    } finally {
      await sandbox.close();
    }
  });
});

describe("pool", () => {
  it("queues runs beyond the pool size and answers each one", async () => {
    const sandbox = createSandbox({ poolSize: 2 });
    try {
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => sandbox.run({ ...fn("return payload * 2;"), payload: i })),
      );
      expect(results.map((r) => r.value)).toEqual([0, 2, 4, 6, 8, 10, 12, 14, 16, 18]);
    } finally {
      await sandbox.close();
    }
  });

  it("terminates and replaces a worker that stops answering (watchdog)", async () => {
    const sandbox = createSandbox({ poolSize: 1, graceMs: 100, workerUrl: fakeWorker });
    try {
      const started = performance.now();
      const err = await rejection(sandbox.run(fn("hang", 100)));
      expect(err).toBeInstanceOf(FloworkError);
      expect(err).toMatchObject({ code: "NODE_TIMEOUT", retryable: true });
      expect(performance.now() - started).toBeLessThan(3_000);
      await expect(sandbox.run(fn("return 1;"))).resolves.toMatchObject({ value: 1 });
    } finally {
      await sandbox.close();
    }
  });

  it.each(["crash", "throw"])(
    "fails the run with a typed error when its worker dies (%s), then recovers",
    async (code) => {
      const sandbox = createSandbox({ poolSize: 1, workerUrl: fakeWorker });
      try {
        await sandbox.warmUp();
        const err = await rejection(sandbox.run(fn(code)));
        expect(err).toBeInstanceOf(FloworkError);
        expect(err).toMatchObject({ code: "SANDBOX_VIOLATION" });
        expect((err as Error).message).toMatch(/stopped unexpectedly/);
        await expect(sandbox.run(fn("return 1;"))).resolves.toMatchObject({ value: 1 });
      } finally {
        await sandbox.close();
      }
    },
  );

  it("fails waiting runs with INTERNAL when the worker cannot start, without respawning in a loop", async () => {
    const sandbox = createSandbox({ poolSize: 2, workerUrl: brokenWorker });
    try {
      const errors = await Promise.all([
        rejection(sandbox.run(fn("return 1;"))),
        rejection(sandbox.run(fn("return 1;"))),
      ]);
      for (const err of errors) {
        expect(err).toBeInstanceOf(FloworkError);
        expect(err).toMatchObject({ code: "INTERNAL", retryable: true });
        expect((err as Error).message).toMatch(/failed to start: cannot start/);
      }
      await expect(sandbox.warmUp()).rejects.toThrow(/failed to start/);
    } finally {
      await sandbox.close();
    }
  });
});

describe("close", () => {
  it("fails pending runs, terminates workers and refuses new runs", async () => {
    const sandbox = createSandbox({ poolSize: 1 });
    await sandbox.warmUp();
    const running = rejection(sandbox.run(fn("while (true) {}", 30_000)));
    const queued = rejection(sandbox.run(fn("return 1;")));
    await sandbox.close();
    for (const err of await Promise.all([running, queued])) {
      expect(err).toMatchObject({ code: "INTERNAL", message: "The sandbox was closed." });
    }
    await expect(sandbox.run(fn("return 1;"))).rejects.toThrow(/closed/);
    await sandbox.close();
  });

  it("an idle pool does not keep the process alive", async () => {
    const script = `
      import { createSandbox } from ${JSON.stringify(new URL("./index.js", defaultWorkerUrl()).href)};
      const sandbox = createSandbox();
      const { value } = await sandbox.run({ kind: "function", code: "return 40 + 2", payload: {}, vars: {}, timeoutMs: 1000 });
      console.log(value);
    `;
    const { stdout } = await promisify(execFile)(process.execPath, ["--input-type=module", "-e", script], {
      timeout: 10_000,
    });
    expect(stdout.trim()).toBe("42");
  });
});
