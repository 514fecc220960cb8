import fastifySwagger from "@fastify/swagger";
import fastifySwaggerUi from "@fastify/swagger-ui";
import { FloworkError, type ReplayCache, type Verifier } from "@flowork/protocol";
import { createNodeVerifier, RateLimiter, type RateLimiterOptions } from "@flowork/protocol/node";
import Fastify, { type FastifyInstance, type FastifyServerOptions } from "fastify";
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from "fastify-type-provider-zod";
import type { GatewayConfig } from "../config.js";
import type { GatewayEvents } from "../events.js";
import { type EngineHealthProbe, registerRoutes } from "../routes/index.js";
import type { GatewayServices } from "../services/types.js";
import { createAuthHooks } from "./auth.js";
import { type InternalErrorSink, installErrorHandling, logInternalError, sendError } from "./errors.js";
import { openApiOptions } from "./openapi.js";
import { BODY_LIMIT_BYTES, installRawBodyParser } from "./raw-body.js";

/** Where the REST API is mounted. */
export const API_PREFIX = "/api/v1";

/** Default limits: per authenticated caller (address or engine) and per client IP (every request). */
export const DEFAULT_RATE_LIMITS = {
  perCaller: { ratePerSecond: 20, burst: 60 },
  perIp: { ratePerSecond: 100, burst: 300 },
} as const satisfies Record<string, RateLimiterOptions>;

/** What {@link buildGatewayApp} needs. Everything comes in here; nothing is a module singleton. */
export interface GatewayAppDeps {
  config: GatewayConfig;
  services: GatewayServices;
  /** Socket side; `POST /internal/notify` calls `notify`. */
  events: GatewayEvents;
  /** Replay cache of signed requests, shared by every route (and with the `/gui-socket` verifier). */
  replayCache: ReplayCache;
  /** True when the database answers (`GET /system/health`), e.g. `() => pingGatewayDb(db)`. */
  pingDatabase(): Promise<boolean>;
  /** Live engine health over its socket; `undefined` = not connected (`ENGINE_OFFLINE`). Default: always offline. */
  engineHealth?: EngineHealthProbe;
  /** A verifier to use instead of one built over `replayCache` (it must use that same cache). */
  verifier?: Verifier;
  /** Clock of the default verifier, for tests. */
  now?: () => number;
  /**
   * Rate limits. `perIp` skips loopback clients (a local reverse proxy or `flowork up`: the IP says nothing
   * there; set `trustProxy` behind a proxy); `perIp: false` turns it off.
   */
  rateLimit?: { perCaller?: RateLimiterOptions; perIp?: RateLimiterOptions | false };
  /** Fastify's logger. Default: level `warn`. */
  logger?: FastifyServerOptions["logger"];
  /**
   * Where unexpected (`INTERNAL`) errors are reported with their correlation id and stack. Default: the request
   * logger; with `logger: false`, stderr, so a bug is never silent.
   */
  onInternalError?: InternalErrorSink;
  /** Trust `X-Forwarded-For` for the client IP (behind cloudflared or a load balancer). */
  trustProxy?: boolean;
}

/**
 * Builds the gateway's REST API (SPEC section 2) as a Fastify instance: zod-validated routes under
 * `/api/v1`, the OpenAPI 3.1 document at `GET /api/v1/openapi.json`, Swagger UI (served locally, no CDN) at
 * `GET /api/docs`, a 1 MiB body limit, signed-request / engine-token / API-key auth and per-caller rate limits.
 * The instance is not started: call `listen`, or `inject` in tests; more plugins (GUI, sockets) may be added.
 *
 * @example
 * const app = buildGatewayApp({ config, services, events, replayCache, pingDatabase: () => pingGatewayDb(db) });
 * await app.listen({ port: config.port, host: config.host });
 */
export function buildGatewayApp(deps: GatewayAppDeps): FastifyInstance {
  const report = deps.onInternalError ?? (deps.logger === false ? stderrInternalError : logInternalError);
  const app = Fastify({
    logger: deps.logger ?? { level: "warn" },
    bodyLimit: BODY_LIMIT_BYTES,
    trustProxy: deps.trustProxy ?? false,
    return503OnClosing: true,
    frameworkErrors: (err, request, reply) => {
      sendError(err, request, reply, report);
    },
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installRawBodyParser(app);
  installErrorHandling(app, report);

  const perIpOptions = deps.rateLimit?.perIp ?? DEFAULT_RATE_LIMITS.perIp;
  if (perIpOptions !== false) {
    const perIp = new RateLimiter(perIpOptions);
    app.addHook("onRequest", async (request) => {
      if (isLoopback(request.ip)) return; // a local proxy or `flowork up`: the IP says nothing about the caller
      const r = perIp.take(request.ip);
      if (!r.ok) {
        throw new FloworkError("RATE_LIMITED", undefined, { details: { retry_after_ms: r.retryAfterMs } });
      }
    });
  }

  const verifier =
    deps.verifier ??
    createNodeVerifier({
      replayCache: deps.replayCache,
      windowMs: deps.config.authWindowMs,
      ...(deps.now === undefined ? {} : { now: deps.now }),
    });
  const auth = createAuthHooks({
    verifier,
    engineByToken: (token) => deps.services.engines.engineByToken(token),
    secretToken: deps.config.secretToken,
    adminAddresses: deps.config.adminAddresses,
    limiter: new RateLimiter(deps.rateLimit?.perCaller ?? DEFAULT_RATE_LIMITS.perCaller),
  });

  app.register(fastifySwagger, { ...openApiOptions(deps.config.version), transform: jsonSchemaTransform });
  app.register(fastifySwaggerUi, { routePrefix: "/api/docs", staticCSP: true });
  app.register(
    async (api) => {
      registerRoutes(api, {
        config: deps.config,
        services: deps.services,
        events: deps.events,
        auth,
        pingDatabase: deps.pingDatabase,
        engineHealth: deps.engineHealth ?? (async () => undefined),
      });
      api.get("/openapi.json", { schema: { hide: true } }, (_request, reply) =>
        reply.type("application/json; charset=utf-8").send(JSON.stringify(app.swagger())),
      );
    },
    { prefix: API_PREFIX },
  );
  return app;
}

/** Reports an `INTERNAL` error on stderr (when fastify's logger is off). */
const stderrInternalError: InternalErrorSink = (report) => {
  const err = report.error;
  const text = err instanceof Error ? (err.stack ?? err.message) : String(err);
  process.stderr.write(
    `[gateway] INTERNAL ${report.correlation_id} ${report.method} ${report.url}: ${text}\n`,
  );
};

/** True for 127.0.0.0/8 and ::1, plain or IPv4-mapped. */
function isLoopback(ip: string): boolean {
  return ip === "::1" || ip.startsWith("127.") || ip.startsWith("::ffff:127.");
}
