import { type BillingDeps, BillingServiceImpl } from "../billing/service.js";
import { EnginesService } from "./engines.js";
import { PairingCodesService } from "./pairing.js";
import { SharesService } from "./shares.js";
import type { GatewayServices } from "./types.js";
import { UsersService } from "./users.js";

/**
 * Builds every gateway service on one database, event sink and configuration.
 * @example
 * const services = createGatewayServices({ db: await openGatewayDb(config.databaseUrl), events, config });
 * const profile = await services.users.login(address);
 */
export function createGatewayServices(deps: BillingDeps): GatewayServices {
  return {
    users: new UsersService(deps),
    engines: new EnginesService(deps),
    shares: new SharesService(deps),
    pairing: new PairingCodesService(deps),
    billing: new BillingServiceImpl(deps),
  };
}

export { ENGINE_TOKEN_PATTERN, EnginesService, newEngineToken } from "./engines.js";
export { PAIRING_ALPHABET, PAIRING_TTL_MS, PairingCodesService } from "./pairing.js";
export { SharesService } from "./shares.js";
export type * from "./types.js";
export { PREFERENCES_MAX_BYTES, UsersService } from "./users.js";
