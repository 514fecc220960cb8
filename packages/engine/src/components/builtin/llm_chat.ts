import { FloworkError } from "@flowork/protocol";
import { builtinManifest, isPlainObject, number, text, withFields } from "../define.js";
import { type GuardedResponse, guardedFetch, httpStatusError } from "../net/guarded-fetch.js";
import type { ComponentContext, ComponentDefinition, ComponentResult } from "../types.js";

const DEFAULT_BASE_URL = "https://api.openai.com/v1";
const DEFAULT_TIMEOUT_SECONDS = 120;

const invalid = (message: string) =>
  new FloworkError("VALIDATION_FAILED", message, { details: { component: "llm_chat" } });
const outputField = (value: unknown) => text(value).trim() || "response";

function parseJson(response: GuardedResponse): unknown {
  try {
    return JSON.parse(response.body.toString("utf8"));
  } catch {
    return undefined;
  }
}

/** The provider's own explanation of an error (`{error:{message}}` in OpenAI's dialect, or close to it). */
function providerMessage(data: unknown): string | undefined {
  if (!isPlainObject(data)) return undefined;
  const error = data.error;
  const message = isPlainObject(error)
    ? error.message
    : typeof error === "string"
      ? error
      : (data.message ?? data.detail);
  return typeof message === "string" ? message.slice(0, 500) : undefined;
}

/** `choices[0].message.content`: a string, or an array of parts whose text parts are joined. */
function contentOf(data: unknown): string | undefined {
  if (!isPlainObject(data) || !Array.isArray(data.choices)) return undefined;
  const first: unknown = data.choices[0];
  if (!isPlainObject(first) || !isPlainObject(first.message)) return undefined;
  const content = first.message.content;
  if (typeof content === "string") return content;
  if (content === null) return "";
  if (Array.isArray(content)) {
    return content
      .map((part: unknown) => (isPlainObject(part) && typeof part.text === "string" ? part.text : ""))
      .join("");
  }
  return undefined;
}

function requestBody(config: Record<string, unknown>): string {
  const model = text(config.model).trim();
  const prompt = text(config.prompt);
  if (model === "") throw invalid("model is required");
  if (prompt.trim() === "") throw invalid("prompt is required");
  const system = text(config.system_prompt);
  const messages = [
    ...(system.trim() === "" ? [] : [{ role: "system", content: system }]),
    { role: "user", content: prompt },
  ];
  const body: Record<string, unknown> = { model, messages };
  const temperature = number(config.temperature, Number.NaN);
  if (!Number.isNaN(temperature)) body.temperature = temperature;
  const maxTokens = number(config.max_tokens, Number.NaN);
  if (!Number.isNaN(maxTokens)) body.max_tokens = Math.trunc(maxTokens);
  return JSON.stringify(body);
}

function endpoint(config: Record<string, unknown>): string {
  return `${(text(config.base_url).trim() || DEFAULT_BASE_URL).replace(/\/+$/, "")}/chat/completions`;
}

async function execute(payload: unknown, ctx: ComponentContext): Promise<ComponentResult> {
  const { config } = ctx;
  const headers: Record<string, string> = { "content-type": "application/json", accept: "application/json" };
  const apiKey = text(config.api_key).trim();
  if (apiKey !== "") headers.authorization = `Bearer ${apiKey}`;
  const response = await guardedFetch(
    { url: endpoint(config), method: "POST", headers, body: requestBody(config) },
    {
      allowedHosts: ctx.settings.http_allowed_hosts,
      lookup: ctx.services.lookup,
      fetch: ctx.services.fetch,
      signal: ctx.signal,
      timeoutMs: Math.max(0.001, number(config.timeout_seconds, DEFAULT_TIMEOUT_SECONDS)) * 1000,
    },
  );
  const data = parseJson(response);
  if (response.status >= 400) throw httpStatusError(response, providerMessage(data));
  const content = contentOf(data);
  if (content === undefined) {
    throw new FloworkError("HTTP_ERROR", "the endpoint did not answer with a chat completion", {
      details: { status: response.status, body: response.body.toString("utf8", 0, 2000) },
    });
  }
  const usage = isPlainObject(data) && isPlainObject(data.usage) ? data.usage : null;
  return { payload: withFields(payload, { [outputField(config.output_field)]: content, usage }) };
}

/** Calls no model: emits a placeholder answer (the config's `simulate_output` wins when set). */
function simulate(payload: unknown, ctx: ComponentContext): ComponentResult {
  if (ctx.config.simulate_output !== undefined) return { payload: ctx.config.simulate_output };
  const usage = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };
  return {
    payload: withFields(payload, {
      [outputField(ctx.config.output_field)]: "[SIMULATE] no model was called",
      usage,
    }),
  };
}

/**
 * `llm_chat`: asks any OpenAI-compatible chat completions endpoint (`POST <base_url>/chat/completions`) and emits
 * `{...payload, [output_field]: answer, usage}`. The endpoint goes through the same SSRF guard as
 * `http_request`: a local server (Ollama, LM Studio, vLLM) must be listed in `http_allowed_hosts`. A status >= 400
 * is `HTTP_ERROR` carrying the provider's message (retryable for 429 and 5xx). In SIMULATE no model is called.
 *
 * @example
 * { "module_id": "llm_chat", "config_values": { "api_key": "{{vars.OPENAI_API_KEY}}", "model": "gpt-4o-mini",
 *   "prompt": "Summarise: {{payload.text}}" } }
 */
export const llmChat: ComponentDefinition = {
  manifest: builtinManifest({
    id: "llm_chat",
    name: "LLM Chat",
    type: "ACTION",
    category: "AI",
    description:
      "Sends a prompt to any OpenAI-compatible chat completions endpoint and puts the answer in the payload.",
    icon: "sparkles",
    properties: [
      { id: "base_url", type: "string", label: "Base URL", default: DEFAULT_BASE_URL },
      {
        id: "api_key",
        type: "string",
        label: "API key",
        description:
          "Use a secret variable, e.g. {{vars.OPENAI_API_KEY}}. Empty sends no Authorization header.",
      },
      { id: "model", type: "string", label: "Model", required: true },
      { id: "system_prompt", type: "textarea", label: "System prompt" },
      { id: "prompt", type: "textarea", label: "Prompt", required: true },
      { id: "temperature", type: "float", label: "Temperature" },
      { id: "max_tokens", type: "integer", label: "Max tokens" },
      { id: "output_field", type: "string", label: "Output field", default: "response" },
      { id: "timeout_seconds", type: "float", label: "Timeout (seconds)", default: DEFAULT_TIMEOUT_SECONDS },
    ],
    side_effects: true,
  }),
  execute,
  simulate,
};
