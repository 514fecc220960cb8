import { describe, expect, it } from "vitest";
import { classifyError } from "./classify.js";
import { sandboxError } from "./errors.js";
import { LogCollector } from "./logs.js";

const limits = { timeoutMs: 500, memoryBytes: 64 * 1024 * 1024 };

describe("classifyError", () => {
  it.each([
    [{ name: "Error", message: "x", tag: "" }, "USER_ERROR", "x"],
    [{ name: "TypeError", message: "bad", tag: "" }, "USER_ERROR", "TypeError: bad"],
    [{ name: "", message: "thrown string", tag: "" }, "USER_ERROR", "thrown string"],
    [{ name: "Error", message: "", tag: "" }, "USER_ERROR", "The code threw an error."],
    [
      { name: "Error", message: "process is not available in the sandbox", tag: "violation" },
      "SANDBOX_VIOLATION",
      "process is not available in the sandbox",
    ],
    [
      { name: "Error", message: "The result is not JSON: x", tag: "not_json" },
      "USER_ERROR",
      "The result is not JSON: x",
    ],
    [
      { name: "InternalError", message: "out of memory", tag: "" },
      "SANDBOX_VIOLATION",
      "The code used more than its memory limit of 64 MiB.",
    ],
    [
      { name: "InternalError", message: "stack overflow", tag: "" },
      "SANDBOX_VIOLATION",
      "The code exceeded the maximum call stack size.",
    ],
    [
      { name: "ReferenceError", message: "'require' is not defined", tag: "" },
      "SANDBOX_VIOLATION",
      "require is not available in the sandbox.",
    ],
    [
      { name: "ReferenceError", message: "'myVar' is not defined", tag: "" },
      "USER_ERROR",
      "ReferenceError: 'myVar' is not defined",
    ],
    [
      { name: "ReferenceError", message: "could not load module 'fs'", tag: "" },
      "SANDBOX_VIOLATION",
      "import() is not available in the sandbox (tried to load 'fs').",
    ],
    [
      { name: "InternalError", message: "interrupted", tag: "" },
      "NODE_TIMEOUT",
      "The code ran longer than its 500 ms limit and was stopped.",
    ],
  ])("%o is %s", (error, code, message) => {
    expect(classifyError(error, limits)).toMatchObject({ code, message });
  });
});

describe("sandboxError", () => {
  it("builds a FloworkError with logs and the error name in details", () => {
    const err = sandboxError({ code: "USER_ERROR", message: "x", errorName: "TypeError" }, [
      { level: "INFO", message: "hi" },
    ]);
    expect(err.toBody()).toEqual({
      code: "USER_ERROR",
      message: "x",
      details: { error_name: "TypeError", logs: [{ level: "INFO", message: "hi" }] },
    });
    expect(err.retryable).toBe(false);
    expect(sandboxError({ code: "NODE_TIMEOUT", message: "t" }).retryable).toBe(true);
    expect(sandboxError({ code: "NODE_TIMEOUT", message: "t" }).details).toBeUndefined();
  });
});

describe("LogCollector", () => {
  it("caps lines, line size (in UTF-8 bytes) and total size, then says how many lines it dropped", () => {
    const logs = new LogCollector({ maxLines: 3, maxLineBytes: 10, maxTotalBytes: 1_000 });
    logs.add(1, "short");
    logs.add(2, "ééééééééé"); // 18 bytes: cut to 5 characters, never half a character
    logs.add(3, "third");
    logs.add(0, "dropped");
    logs.add(0, "dropped");
    expect(logs.finish()).toEqual([
      { level: "INFO", message: "short" },
      { level: "WARN", message: "ééééé …[truncated]" },
      { level: "ERROR", message: "third" },
      { level: "WARN", message: expect.stringMatching(/^\[sandbox\] 2 more console line\(s\) dropped/) },
    ]);
  });

  it("stops at the total byte budget", () => {
    const logs = new LogCollector({ maxLines: 100, maxLineBytes: 100, maxTotalBytes: 12 });
    for (let i = 0; i < 5; i++) logs.add(1, "12345");
    const entries = logs.finish();
    expect(entries.slice(0, 3).map((e) => e.message)).toEqual(["12345", "12345", "12 …[truncated]"]);
    expect(entries[3]?.message).toMatch(/2 more console line/);
  });
});
