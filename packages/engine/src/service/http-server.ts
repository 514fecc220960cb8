import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { FloworkError } from "@flowork/protocol";
import { checkApiKey } from "../http/api-key.js";
import { readBody, sendError, sendJson } from "../http/json-body.js";
import { PROMETHEUS_CONTENT_TYPE } from "../http/metrics.js";
import { ReplyBatch } from "../http/reply-batch.js";
import type { JobManager } from "./job-manager.js";
import type { TriggerScheduler } from "./triggers.js";

export interface InternalHttpOptions {
  apiKey: string | undefined;
  health: () => Record<string, unknown>;
  metrics: () => string;
  jobs: JobManager;
  triggers: TriggerScheduler;
  maxBodyBytes: number;
  onInternal: (err: unknown, correlationId: string) => void;
}

const SECRET_HEADER = "x-flowork-webhook-secret";

function sameSecret(given: string | string[] | undefined, expected: string): boolean {
  if (typeof given !== "string") return false;
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}

/** A request target split without a URL object (the hot webhook path): the path as sent, and the query text. */
interface RequestTarget {
  path: string;
  search: string;
}

function splitTarget(raw: string | undefined): RequestTarget {
  const target = raw ?? "/";
  if (!target.startsWith("/")) {
    // absolute-form (`GET http://host/path`, as sent to proxies) or something odd: the URL parser decides
    try {
      const url = new URL(target);
      return { path: url.pathname, search: url.search.slice(1) };
    } catch {
      return { path: target, search: "" };
    }
  }
  const q = target.indexOf("?");
  return q === -1 ? { path: target, search: "" } : { path: target.slice(0, q), search: target.slice(q + 1) };
}

/** Percent-decodes a webhook path; a malformed escape is the client's error. */
function decodePath(path: string): string {
  if (!path.includes("%")) return path;
  try {
    return decodeURIComponent(path);
  } catch {
    throw new FloworkError("BAD_REQUEST", "the webhook path has a malformed percent escape");
  }
}

/**
 * The engine's internal HTTP on its WebSocket port (SPEC section 4): `/health` and `/metrics` behind
 * `X-API-Key`, and `/webhook/<path>` for presets with a webhook trigger.
 */
export function createInternalHttpHandler(o: InternalHttpOptions) {
  const send = { onInternal: o.onInternal };
  const replies = new ReplyBatch((err) => o.onInternal(err, "webhook reply"));
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    try {
      const target = splitTarget(req.url);
      const path = target.path;
      if (path === "/health" && req.method === "GET") {
        checkApiKey(req.headers["x-api-key"], o.apiKey);
        sendJson(res, 200, o.health(), {}, send);
        return;
      }
      if (path === "/metrics" && req.method === "GET") {
        checkApiKey(req.headers["x-api-key"], o.apiKey);
        res.writeHead(200, { "content-type": PROMETHEUS_CONTENT_TYPE, "cache-control": "no-store" });
        res.end(o.metrics());
        return;
      }
      if (path.startsWith("/webhook/")) {
        await webhook(o, req, res, target, send, replies);
        return;
      }
      throw new FloworkError("NOT_FOUND", "no such route");
    } catch (err) {
      sendError(res, err, send);
    }
  };
}

async function webhook(
  o: InternalHttpOptions,
  req: IncomingMessage,
  res: ServerResponse,
  url: RequestTarget,
  send: { onInternal: InternalHttpOptions["onInternal"] },
  replies: ReplyBatch,
): Promise<void> {
  const route = o.triggers.webhook(decodePath(url.path.slice("/webhook/".length)));
  if (!route) throw new FloworkError("NOT_FOUND", "no webhook at this path");
  if ((req.method ?? "GET").toUpperCase() !== route.method) {
    res.setHeader("allow", route.method);
    sendJson(
      res,
      405,
      { error: { code: "BAD_REQUEST", message: `this webhook takes ${route.method}` } },
      {},
      send,
    );
    return;
  }
  if (route.secret !== undefined && !sameSecret(req.headers[SECRET_HEADER], route.secret)) {
    throw new FloworkError("AUTH_INVALID_API_KEY", "missing or wrong webhook secret");
  }
  const body = await readBody(req, { limitBytes: o.maxBodyBytes });
  const headers: Record<string, string> = {};
  const given = req.headers;
  for (const name in given) {
    const value = given[name];
    if (name === SECRET_HEADER || value === undefined) continue;
    headers[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  const payload = {
    body: body.kind === "json" ? body.value : body.text,
    query: url.search === "" ? {} : Object.fromEntries(new URLSearchParams(url.search)),
    headers,
  };
  const { job_id, done } = await o.jobs.submit({
    presetName: route.presetName,
    startNodeId: route.nodeId,
    mode: "EXECUTE",
    initialPayload: payload,
    startedBy: null,
  });
  if (route.responseMode === "immediately") {
    sendJson(res, 202, { job_id }, {}, send);
    return;
  }
  const outcome = await done;
  // Answers of runs that finished in the same loop turn go out together (see ReplyBatch).
  if (outcome.status === "SUCCEEDED") {
    const values = Object.values(outcome.result);
    const body = values.length > 0 ? values[values.length - 1] : {};
    replies.add(() => sendJson(res, 200, body, { "x-flowork-job-id": job_id }, send));
    return;
  }
  replies.add(() =>
    sendJson(
      res,
      500,
      {
        error: {
          code: outcome.error?.code ?? "USER_ERROR",
          message: outcome.error?.message ?? `the run ended ${outcome.status}`,
        },
        job_id,
      },
      {},
      send,
    ),
  );
}
