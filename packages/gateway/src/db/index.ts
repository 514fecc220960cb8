export {
  migrateGatewayDb,
  type OpenGatewayDbOptions,
  openGatewayDb,
  pingGatewayDb,
  SQLITE_BUSY_TIMEOUT_MS,
} from "./open.js";
export type * from "./schema.js";
