import { FloworkError } from "@flowork/protocol";
import { builtinManifest } from "../define.js";
import { guardedFetch, httpStatusError } from "../net/guarded-fetch.js";
import type { ComponentContext, ComponentDefinition, ComponentResult } from "../types.js";

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"] as const;
type Method = (typeof METHODS)[number];
const DEFAULT_TIMEOUT_SECONDS = 30;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

const invalid = (message: string) =>
  new FloworkError("VALIDATION_FAILED", message, { details: { component: "http_request" } });

function readMethod(value: unknown): Method {
  const method = (typeof value === "string" && value.trim() !== "" ? value : "GET").trim().toUpperCase();
  if (!(METHODS as readonly string[]).includes(method))
    throw invalid(`method must be one of ${METHODS.join(", ")}`);
  return method as Method;
}

/** `headers` is a key_value object (or its JSON text); values become strings, null/undefined are dropped. */
function readHeaders(value: unknown): Record<string, string> {
  let source = value;
  if (typeof source === "string") {
    if (source.trim() === "") return {};
    try {
      source = JSON.parse(source);
    } catch {
      throw invalid("headers must be an object of names and values");
    }
  }
  if (source === undefined || source === null) return {};
  if (typeof source !== "object" || Array.isArray(source))
    throw invalid("headers must be an object of names and values");
  const headers: Record<string, string> = {};
  for (const [name, raw] of Object.entries(source)) {
    if (raw === undefined || raw === null) continue;
    if (typeof raw === "object") throw invalid(`header ${name} must be text`);
    const text = String(raw);
    if (!HEADER_NAME.test(name) || /[\r\n\0]/.test(text))
      throw invalid(`header ${JSON.stringify(name)} is not a valid HTTP header`);
    headers[name.toLowerCase()] = text;
  }
  return headers;
}

const looksLikeJson = (text: string) => {
  const start = text.trimStart()[0];
  if (start !== "{" && start !== "[") return false;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

/**
 * A string body is sent verbatim (as application/json when it parses as a JSON object or array, else
 * text/plain); any other JSON value is serialised as application/json. An explicit content-type header wins.
 */
function readBody(value: unknown, headers: Record<string, string>): string | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  const isText = typeof value === "string";
  const body = isText ? value : JSON.stringify(value);
  if (headers["content-type"] === undefined) {
    headers["content-type"] =
      !isText || looksLikeJson(value) ? "application/json" : "text/plain;charset=utf-8";
  }
  return body;
}

function readTimeoutMs(value: unknown): number {
  if (value === undefined || value === null || value === "") return DEFAULT_TIMEOUT_SECONDS * 1000;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0) throw invalid("timeout_seconds must be a positive number");
  return seconds * 1000;
}

const JSON_TYPE = /^(application|text)\/([\w.+-]*\+)?json\b/i;
const TEXT_TYPE = /^(text\/|application\/([\w.+-]*\+)?(xml|javascript|x-www-form-urlencoded|x-ndjson)\b)/i;

/**
 * JSON content types are parsed (text kept when the body is not valid JSON), textual ones decoded with their
 * charset, anything else (images, archives) returned as base64 text: check `headers["content-type"]`.
 */
function decodeResponseBody(
  body: Buffer,
  contentType: string | undefined,
  log?: ComponentContext["log"],
): unknown {
  if (body.length === 0) return "";
  const type = (contentType ?? "").trim();
  if (type !== "" && !JSON_TYPE.test(type) && !TEXT_TYPE.test(type)) return body.toString("base64");
  const charset = /charset="?([\w-]+)/i.exec(type)?.[1] ?? "utf-8";
  let text: string;
  // Buffer's own UTF-8 decoder is several times faster than TextDecoder on large bodies; the BOM goes as
  // TextDecoder would drop it.
  if (/^utf-?8$/i.test(charset)) text = body.toString("utf8").replace(/^\uFEFF/, "");
  else {
    try {
      text = new TextDecoder(charset).decode(body);
    } catch {
      text = body.toString("utf8");
    }
  }
  if (!JSON_TYPE.test(type)) return text;
  try {
    return JSON.parse(text);
  } catch {
    log?.("WARN", "response says JSON but is not valid JSON; returning it as text");
    return text;
  }
}

async function execute(_payload: unknown, ctx: ComponentContext): Promise<ComponentResult> {
  const { config } = ctx;
  if (typeof config.url !== "string" || config.url.trim() === "") throw invalid("url is required");
  const method = readMethod(config.method);
  const headers = readHeaders(config.headers);
  let body = readBody(config.body, headers);
  if (body !== undefined && (method === "GET" || method === "HEAD")) {
    ctx.log("WARN", `a ${method} request has no body; the configured body was not sent`);
    body = undefined;
    delete headers["content-type"];
  }
  const response = await guardedFetch(
    { url: config.url.trim(), method, headers, body },
    {
      allowedHosts: ctx.settings.http_allowed_hosts,
      lookup: ctx.services.lookup,
      fetch: ctx.services.fetch,
      signal: ctx.signal,
      timeoutMs: readTimeoutMs(config.timeout_seconds),
    },
  );
  ctx.log("DEBUG", `${method} ${response.url.origin}${response.url.pathname} -> ${response.status}`);
  if (response.status >= 400) throw httpStatusError(response);
  return {
    payload: {
      status: response.status,
      headers: response.headers,
      body: decodeResponseBody(response.body, response.headers["content-type"], ctx.log),
    },
  };
}

/**
 * `http_request`: sends one HTTP request and emits `{status, headers, body}` on `success`.
 *
 * - Only http(s); private, loopback, link-local and other non-public addresses are refused
 *   (`SANDBOX_VIOLATION`) unless listed in the `http_allowed_hosts` setting; redirects (at most 5) are
 *   re-checked hop by hop and the socket is pinned to the checked address.
 * - A status >= 400 throws `HTTP_ERROR` (retryable for 5xx, 429, 408); bodies over 10 MiB `PAYLOAD_TOO_LARGE`.
 * - In SIMULATE nothing is sent: the runtime returns `simulate_output`.
 *
 * @example
 * { "module_id": "http_request", "config_values": { "url": "https://api.example.com/items", "method": "GET" } }
 */
export const httpRequest: ComponentDefinition = {
  manifest: builtinManifest({
    id: "http_request",
    name: "HTTP Request",
    type: "ACTION",
    category: "Network",
    description:
      "Sends an HTTP request and outputs {status, headers, body}; JSON responses are parsed. Private and loopback " +
      "addresses are refused unless listed in the http_allowed_hosts setting.",
    icon: "globe",
    properties: [
      { id: "url", type: "string", label: "URL", required: true, description: "http:// or https:// URL." },
      {
        id: "method",
        type: "enum",
        label: "Method",
        default: "GET",
        options: [...METHODS],
      },
      { id: "headers", type: "key_value", label: "Headers", default: {} },
      {
        id: "body",
        type: "json",
        label: "Body",
        description:
          "Text is sent as is; any other JSON value is sent as application/json. Ignored for GET and HEAD.",
      },
      { id: "timeout_seconds", type: "float", label: "Timeout (seconds)", default: DEFAULT_TIMEOUT_SECONDS },
    ],
    side_effects: true,
    simulate_output: { status: 200, headers: {}, body: { simulated: true } },
  }),
  validateConfig(config) {
    const url = config.url;
    if (typeof url !== "string" || url.trim() === "" || url.includes("{{")) return [];
    try {
      const parsed = new URL(url.trim());
      return parsed.protocol === "http:" || parsed.protocol === "https:"
        ? []
        : ['"url" must be an http or https URL'];
    } catch {
      return ['"url" is not a valid URL'];
    }
  },
  execute,
};
