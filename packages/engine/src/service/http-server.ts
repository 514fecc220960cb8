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

/**
 * The engine's internal HTTP on its WebSocket port (SPEC section 4): `/health` and `/metrics` behind
 * `X-API-Key`, and `/webhook/<path>` for presets with a webhook trigger.
 */
export function createInternalHttpHandler(o: InternalHttpOptions) {
  const send = { onInternal: o.onInternal };
  const replies = new ReplyBatch((err) => o.onInternal(err, "webhook reply"));
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    try {
      const url = new URL(req.url ?? "/", "http://engine.local");
      const path = url.pathname;
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
        await webhook(o, req, res, url, send, replies);
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
  url: URL,
  send: { onInternal: InternalHttpOptions["onInternal"] },
  replies: ReplyBatch,
): Promise<void> {
  const route = o.triggers.webhook(decodeURIComponent(url.pathname.slice("/webhook/".length)));
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
  for (const [name, value] of Object.entries(req.headers)) {
    if (name === SECRET_HEADER || value === undefined) continue;
    headers[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  const payload = {
    body: body.kind === "json" ? body.value : body.text,
    query: Object.fromEntries(url.searchParams),
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
