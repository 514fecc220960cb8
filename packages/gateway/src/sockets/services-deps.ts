import { FloworkError, type Verifier } from "@flowork/protocol";
import type { BillingService, EngineService } from "../services/types.js";
import type { SocketDeps, SocketLogger } from "./deps.js";

/**
 * Adapts the gateway's services to {@link SocketDeps}.
 *
 * @example
 * attachSockets(server, servicesSocketDeps({ engines: services.engines, billing: services.billing, verifier }));
 */
export function servicesSocketDeps(options: {
  engines: EngineService;
  billing?: BillingService;
  verifier: Verifier;
  logger?: SocketLogger;
}): SocketDeps {
  const { engines, billing, verifier, logger } = options;
  return {
    verifier,
    ...(logger === undefined ? {} : { logger }),
    authenticateEngine: async (token) => {
      const engine = await engines.engineByToken(token);
      return engine === undefined ? undefined : { ...engine, last_seen: null };
    },
    engine: async (engineId) => {
      try {
        const info = await engines.authInfo(engineId);
        return {
          engine_id: info.engine_id,
          name: info.name,
          owner_address: info.owner_address,
          last_seen: null,
        };
      } catch (err) {
        if (err instanceof FloworkError && err.code === "NOT_FOUND") return undefined;
        throw err;
      }
    },
    visibleEngines: async (address) =>
      (await engines.visibleEngines(address)).map((e) => ({
        engine_id: e.id,
        name: e.name,
        owner_address: null,
        last_seen: e.last_seen,
        role: e.role,
      })),
    roleOf: (engineId, address) => engines.roleOf(engineId, address),
    saveVitals: async (rows) => {
      await engines.saveVitals(rows);
    },
    markPresence: (engineId, status, at) =>
      status === "online" ? engines.markOnline(engineId, at) : engines.markOffline(engineId, at),
    ...(billing === undefined
      ? {}
      : {
          recordUsage: async (engineId: string, period: string, executions: number) => {
            await billing.recordUsage(engineId, period, executions);
          },
        }),
  };
}
