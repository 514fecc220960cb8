import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { FloworkError, ManifestSchema } from "@flowork/protocol";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createComponentHarness, type HarnessOptions } from "../../testing/harness.js";
import type { ComponentResult } from "../types.js";
import { llmChat } from "./llm_chat.js";

interface Seen {
  url: string;
  authorization: string | undefined;
  body: Record<string, unknown>;
}
const seen: Seen[] = [];
let reply: (res: ServerResponse) => void;
let server: Server;
let base: string;

const answer = (content: unknown) => (res: ServerResponse) => {
  res.writeHead(200, { "content-type": "application/json" });
  res.end(
    JSON.stringify({
      id: "chatcmpl-1",
      object: "chat.completion",
      choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }],
      usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 },
    }),
  );
};

const apiError = (status: number, message: string) => (res: ServerResponse) => {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify({ error: { message, type: "error", code: null } }));
};

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      seen.push({
        url: req.url ?? "",
        authorization: req.headers.authorization,
        body: JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as Record<string, unknown>,
      });
      reply(res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  seen.length = 0;
  reply = answer("Hello!");
});

const payloadOf = (result: ComponentResult) => {
  if ("emits" in result) throw new Error("expected one emission");
  return result.payload;
};

const config = (extra: Record<string, unknown> = {}) => ({
  base_url: base,
  api_key: "sk-test-123",
  model: "test-model",
  prompt: "Say hello",
  ...extra,
});

const options = (
  cfg: Record<string, unknown>,
  extra: Omit<HarnessOptions, "config"> = {},
): HarnessOptions => ({
  settings: { http_allowed_hosts: ["127.0.0.1"] },
  ...extra,
  config: cfg,
});

const run = async (
  cfg: Record<string, unknown>,
  payload: unknown = { id: 1 },
  extra?: Omit<HarnessOptions, "config">,
) => payloadOf(await createComponentHarness(options(cfg, extra)).run(llmChat, payload));

async function failure(cfg: Record<string, unknown>, extra?: Omit<HarnessOptions, "config">) {
  const err = await createComponentHarness(options(cfg, extra))
    .run(llmChat, {})
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  expect(err).toBeInstanceOf(FloworkError);
  return err as FloworkError;
}

describe("llm_chat against a fake OpenAI-compatible server", () => {
  it("has a valid manifest with side effects", () => {
    expect(ManifestSchema.safeParse(llmChat.manifest).success).toBe(true);
    expect(llmChat.manifest.side_effects).toBe(true);
  });

  it("posts a chat completion and puts the answer and usage in the payload", async () => {
    const out = await run(config({ system_prompt: "Be brief.", temperature: 0.2, max_tokens: "50" }));
    expect(out).toEqual({
      id: 1,
      response: "Hello!",
      usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 },
    });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toEqual({
      url: "/v1/chat/completions",
      authorization: "Bearer sk-test-123",
      body: {
        model: "test-model",
        messages: [
          { role: "system", content: "Be brief." },
          { role: "user", content: "Say hello" },
        ],
        temperature: 0.2,
        max_tokens: 50,
      },
    });
  });

  it("uses output_field, a trailing-slash base URL, no key, and joins content parts", async () => {
    reply = answer([
      { type: "text", text: "Hel" },
      { type: "text", text: "lo" },
    ]);
    const out = await run(config({ base_url: `${base}/`, api_key: "", output_field: "answer" }), "raw");
    expect(out).toMatchObject({ payload: "raw", answer: "Hello" });
    expect(seen[0]).toMatchObject({ url: "/v1/chat/completions", authorization: undefined });
    expect(seen[0]?.body.messages).toEqual([{ role: "user", content: "Say hello" }]);
  });

  it("maps 401 to a non-retryable HTTP_ERROR with the provider's message", async () => {
    reply = apiError(401, "Incorrect API key provided");
    const err = await failure(config());
    expect(err).toMatchObject({ code: "HTTP_ERROR", retryable: false });
    expect(err.message).toContain("Incorrect API key provided");
    expect(err.details).toMatchObject({ status: 401 });
  });

  it.each([429, 500, 503])("maps %i to a retryable HTTP_ERROR", async (status) => {
    reply = apiError(status, "try later");
    expect(await failure(config())).toMatchObject({ code: "HTTP_ERROR", retryable: true });
  });

  it("fails on a body that is not a chat completion", async () => {
    reply = (res) => res.writeHead(200, { "content-type": "application/json" }).end('{"nope":true}');
    expect(await failure(config())).toMatchObject({ code: "HTTP_ERROR", retryable: false });
  });

  it("goes through the SSRF guard: loopback is refused unless allowed", async () => {
    const err = await failure(config(), { settings: { http_allowed_hosts: [] } });
    expect(err).toMatchObject({ code: "SANDBOX_VIOLATION" });
    expect(seen).toHaveLength(0);
  });

  it("refuses a cloud metadata base URL", async () => {
    const err = await failure(config({ base_url: "http://169.254.169.254/v1" }));
    expect(err).toMatchObject({ code: "SANDBOX_VIOLATION" });
  });

  it("requires a model and a prompt", async () => {
    expect(await failure(config({ model: "" }))).toMatchObject({ code: "VALIDATION_FAILED" });
    expect(await failure(config({ prompt: " " }))).toMatchObject({ code: "VALIDATION_FAILED" });
    expect(seen).toHaveLength(0);
  });

  it("calls no model in SIMULATE", async () => {
    const out = await run(config(), { id: 1 }, { mode: "SIMULATE" });
    expect(out).toMatchObject({ id: 1, response: expect.stringContaining("[SIMULATE]") });
    expect(seen).toHaveLength(0);
    const custom = await run(config({ simulate_output: { response: "fixed" } }), {}, { mode: "SIMULATE" });
    expect(custom).toEqual({ response: "fixed" });
  });
});
