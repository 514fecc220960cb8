import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { type EngineSettings, FloworkError, MemoryReplayCache } from "@flowork/protocol";
import { createNodeVerifier, RateLimiter } from "@flowork/protocol/node";
import { GatewayAuthSource } from "../authz/gateway-source.js";
import { standaloneAuthList } from "../authz/standalone.js";
import { type AuthSource, staticAuthSource } from "../authz/types.js";
import { createBuiltinRegistry } from "../components/builtin/index.js";
import { connectGatewayLink } from "../link/gateway-link.js";
import { JobEventHub } from "../link/job-event-hub.js";
import { loadPlugins } from "../plugins/loader.js";
import { CommandContext } from "../queue/command-context.js";
import { QueueProducer } from "../queue/producer.js";
import { createSandbox } from "../sandbox/index.js";
import { openEngineStore } from "../store/index.js";
import { MemoryVariables } from "../variables/memory.js";
import type { EngineConfig } from "./config.js";
import { CommandDispatcher } from "./dispatcher.js";
import { createEngineMetrics } from "./engine-metrics.js";
import { createHandlers } from "./handlers.js";
import { createInternalHttpHandler } from "./http-server.js";
import { JobManager } from "./job-manager.js";
import { jobStoreFrom } from "./job-store.js";
import { LatestPresetCache } from "./preset-cache.js";
import { TriggerScheduler } from "./triggers.js";
import { VitalsSampler } from "./vitals.js";
import { EngineWsServer } from "./ws-server.js";

export interface EngineLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string, err?: unknown): void;
}

export interface RunningEngine {
  port: number;
  engineId: string;
  jobs: JobManager;
  /** Graceful stop: no new work, running runs checkpointed, stores closed. */
  close(): Promise<void>;
}

const consoleLogger: EngineLogger = {
  info: (m) => console.log(`[engine] ${m}`),
  warn: (m) => console.warn(`[engine] warning: ${m}`),
  error: (m, err) => console.error(`[engine] error: ${m}`, err instanceof Error ? err.message : (err ?? "")),
};

interface EngineAuth {
  source: AuthSource;
  /** Present with a gateway: refreshed on `force_refresh_auth_list`. */
  gateway: GatewayAuthSource | undefined;
  engineId: () => string;
  stop: () => void;
}

async function authSourceFor(
  config: EngineConfig,
  log: EngineLogger,
  onChange: (disabled: Iterable<string>) => void,
): Promise<EngineAuth> {
  if (config.gatewayUrl && config.engineToken) {
    const source = new GatewayAuthSource({
      gatewayUrl: config.gatewayUrl,
      engineToken: config.engineToken,
      cacheFile: join(config.dataDir, "auth-cache.json"),
      onChange: (list) => onChange(list?.disabledComponents ?? []),
      logger: { info: log.info, warn: log.warn, error: (m: string) => log.error(m) },
    });
    await source.start();
    const id = source.engineId() ?? config.engineId;
    if (!id)
      throw new FloworkError(
        "ENGINE_OFFLINE",
        "the gateway is unreachable and no authorization list is cached yet",
      );
    return { source, gateway: source, engineId: () => source.engineId() ?? id, stop: () => source.stop() };
  }
  const list = standaloneAuthList({
    engineId: config.engineId,
    authorizedAddresses: config.authorizedAddresses,
  });
  return {
    source: staticAuthSource(list),
    gateway: undefined,
    engineId: () => list.engineId,
    stop: () => {},
  };
}

/** Queue mode's producer when FLOWORK_QUEUE_URL is set. @throws VALIDATION_FAILED without a queue secret. */
async function openProducer(
  config: EngineConfig,
  engineId: string,
  commands: CommandContext,
  onEvent: ConstructorParameters<typeof JobManager>[0]["onEvent"] & {},
): Promise<QueueProducer | undefined> {
  if (!config.queueUrl) return undefined;
  if (!config.queueSecret) {
    throw new FloworkError(
      "VALIDATION_FAILED",
      "queue mode needs FLOWORK_QUEUE_SECRET (or GATEWAY_SECRET_TOKEN), shared with the workers",
    );
  }
  return QueueProducer.open({
    url: config.queueUrl,
    engineId,
    secret: config.queueSecret,
    currentCommand: () => commands.current(),
    onEvent,
  });
}

/** Starts the Core Engine: stores, components, auth list, job manager, WebSocket, internal HTTP, triggers. */
export async function startEngine(
  config: EngineConfig,
  log: EngineLogger = consoleLogger,
): Promise<RunningEngine> {
  const startedAt = Date.now();
  const store = await openEngineStore({
    dataDir: config.dataDir,
    secretKey: config.secretKey,
    databaseUrl: config.databaseUrl,
  });
  const registry = createBuiltinRegistry();
  const pluginsDir = join(config.dataDir, "components");
  const reportPlugins = async () => {
    const report = await loadPlugins(pluginsDir, registry);
    for (const e of report.errors) log.warn(`plugin ${e.id} skipped: ${e.code}: ${e.message}`);
    return report;
  };
  await reportPlugins();
  let settings: EngineSettings = await store.settings.get();
  let variables: MemoryVariables | undefined;
  const sandbox = createSandbox();
  const auth = await authSourceFor(config, log, (disabled) => registry.setDisabled(disabled));
  registry.setDisabled(auth.source.current()?.disabledComponents ?? []);

  let ws: EngineWsServer | undefined;
  const hub = new JobEventHub();
  const commands = new CommandContext();
  const producer = await openProducer(config, auth.engineId(), commands, (event, meta) =>
    jobs.relayRemote(event, meta),
  );
  // Webhooks and schedules run the same preset over and over: its latest version is read once, until a save or
  // delete through this engine (the only writer of its presets) says otherwise.
  const latestPresets = new LatestPresetCache((name) => store.presets.load(name));
  const jobs: JobManager = new JobManager({
    store: jobStoreFrom(store),
    events: store.events,
    registry,
    settings: () => settings,
    variables: () =>
      variables ??
      (async () => {
        variables ??= new MemoryVariables(await store.variables.loadAll(), async (name, def) => {
          await store.variables.upsert(name, {
            value: def.value,
            mode: def.mode,
            is_secret: def.is_secret,
            is_enabled: def.is_enabled,
          });
        });
        return variables;
      })(),
    loadPreset: (name) => latestPresets.load(name),
    services: { sandbox, workspaceDir: join(config.dataDir, "workspace") },
    onEvent: (event, meta) => {
      metrics.onEvent(event);
      hub.emit(event, meta);
    },
    onError: (err, context) => log.error(context, err),
    ...(producer && { remote: producer }),
  });
  const metrics = createEngineMetrics({
    active: () => jobs.activeCount,
    queued: () => jobs.queuedCount,
    connections: () => ws?.connectionCount ?? 0,
  });

  const triggers = new TriggerScheduler({
    listPresets: async () =>
      (await store.presets.listLatest()).map((p) => ({ name: p.name, workflow_data: p.workflow_data })),
    fire: async (presetName, nodeId, payload) => {
      await jobs.submit({
        presetName,
        startNodeId: nodeId,
        mode: "EXECUTE",
        initialPayload: payload,
        startedBy: null,
      });
    },
    onError: (err, context) => log.error(context, err),
    onWarning: (m) => log.warn(m),
  });

  const handlers = createHandlers({
    engineId: auth.engineId,
    version: config.version,
    jobs,
    presets: {
      list: () => store.presets.list(),
      save: (name, workflow, meta) => store.presets.save(name, workflow as never, meta),
      load: (name, version) => store.presets.load(name, version),
      versions: (name) => store.presets.versions(name),
      delete: (name) => store.presets.delete(name),
    },
    variables: store.variables,
    settings: { get: () => store.settings.get(), save: (patch) => store.settings.save(patch) },
    executions: {
      history: async (q) => {
        await store.events.flush();
        return store.executions.history(q);
      },
      get: async (id) => {
        await store.events.flush();
        return store.executions.get(id);
      },
    },
    audit: { append: (r) => store.audit.append(r), list: (q) => store.audit.list(q) },
    components: {
      list: async (type) => {
        const report = await reportPlugins();
        return {
          components: registry.manifests(type),
          plugin_errors: report.errors.map((e) => ({ id: e.id, code: e.code, message: e.message })),
        };
      },
    },
    onChange: (what) => {
      if (what === "presets") {
        latestPresets.clear();
        void triggers.refresh();
      }
      if (what === "variables") variables = undefined;
      if (what === "settings") {
        void store.settings.get().then((s) => {
          settings = s;
        });
      }
    },
  });

  const perConnection = new RateLimiter({ ratePerSecond: 200, burst: 400 });
  const perAddress = new RateLimiter({ ratePerSecond: 100, burst: 200 });
  const dispatcher = new CommandDispatcher({
    verifier: createNodeVerifier({ replayCache: new MemoryReplayCache(), windowMs: config.authWindowMs }),
    engineId: auth.engineId,
    roleOf: (address) => auth.source.roleOf(address),
    handlers: producer ? commands.wrap(handlers) : handlers,
    audit: (record) => store.audit.append(record),
    rateLimit: (address) => perAddress.take(address),
    onAuthFailure: (code) => metrics.authFailure(code),
    onInternalError: (err, id) => log.error(`internal error ${id}`, err),
  });

  const vitals = new VitalsSampler({ version: config.version, startedAt });
  const health = () => ({
    status: "ready",
    engine_id: auth.engineId(),
    version: config.version,
    uptime_s: Math.round((Date.now() - startedAt) / 1000),
    active_jobs: jobs.activeCount,
  });
  const server = createServer(
    createInternalHttpHandler({
      apiKey: config.apiKey,
      health: () => health(),
      metrics: () => metrics.render(),
      jobs,
      triggers,
      maxBodyBytes: config.maxFrameBytes,
      onInternal: (err, id) => log.error(`internal error ${id}`, err),
    }),
  );
  ws = new EngineWsServer({
    server,
    dispatcher,
    maxFrameBytes: config.maxFrameBytes,
    rateLimit: (key) => perConnection.take(key),
    onError: (err) => log.error("websocket", err),
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  const link =
    config.gatewayUrl && config.engineToken
      ? connectGatewayLink({
          gatewayUrl: config.gatewayUrl,
          token: config.engineToken,
          dispatcher,
          jobEvents: hub,
          ...(auth.gateway && { authSource: auth.gateway }),
          vitals: () => vitals.sample({ activeJobs: jobs.activeCount, queuedJobs: jobs.queuedCount }),
          health,
          logger: { info: log.info, warn: log.warn, error: (m: string, err?: unknown) => log.error(m, err) },
        })
      : undefined;
  // In queue mode the workers own unfinished runs: a stalled job resumes on another worker, not here.
  const recovered = producer ? { interrupted: 0, resumed: 0 } : await jobs.recover();
  if (recovered.interrupted > 0)
    log.info(`${recovered.interrupted} interrupted run(s) found; ${recovered.resumed} resumed`);
  await triggers.refresh();
  const statusTimer = setInterval(() => {
    const v = vitals.sample({ activeJobs: jobs.activeCount, queuedJobs: jobs.queuedCount });
    ws?.broadcast({
      type: "engine_status_update",
      engine_id: auth.engineId(),
      is_busy: jobs.activeCount > 0,
      cpu_percent: v.cpu_percent,
      memory_percent: v.memory_percent,
    });
  }, config.statusIntervalMs);
  statusTimer.unref();
  const retention = setInterval(() => {
    const cutoff = new Date(Date.now() - settings.execution_retention_days * 86_400_000).toISOString();
    if (settings.execution_retention_days > 0)
      void store.executions.purgeOlderThan(cutoff).catch((err: unknown) => log.error("retention", err));
  }, 3_600_000);
  retention.unref();

  let closed: Promise<void> | undefined;
  return {
    port,
    engineId: auth.engineId(),
    jobs,
    close: () => {
      closed ??= (async () => {
        link?.close();
        clearInterval(statusTimer);
        clearInterval(retention);
        triggers.stop();
        auth.stop();
        await ws?.close();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await jobs.close();
        await producer?.close();
        await sandbox.close();
        await store.close();
      })();
      return closed;
    },
  };
}
