import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type GatewayLogger, gatewayConfigFrom, startGateway } from "@flowork/gateway";
import { UsageError } from "../errors.js";
import { serveUntilSignal } from "../service-lifetime.js";

export interface GatewayCommandOptions {
  port?: string;
  host?: string;
  data?: string;
}

/** The built GUI next to this CLI (`packages/gui/dist`, from `dist/commands/`), when it has been built. */
export function builtGuiDir(): string | undefined {
  const dir = fileURLToPath(new URL("../../../gui/dist", import.meta.url));
  return existsSync(`${dir}/index.html`) ? dir : undefined;
}

export function parsePort(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65_535)
    throw new UsageError(`${flag} must be an integer from 0 to 65535`);
  return n;
}

/** `flowork gateway`: the REST API and Socket.IO relay until SIGTERM/SIGINT. */
export async function gatewayCommand(
  options: GatewayCommandOptions,
  log: GatewayLogger,
  write: (line: string) => void,
): Promise<number> {
  const port = parsePort(options.port, "--port");
  const guiDir = builtGuiDir();
  const config = gatewayConfigFrom({
    ...(port !== undefined && { port }),
    ...(options.host !== undefined && { host: options.host }),
    ...(options.data !== undefined && { data: options.data }),
    ...(guiDir !== undefined && { guiDir }),
  });
  const gateway = await startGateway(config, log);
  write(`flowork gateway ready: ${gateway.url}/ (API docs at ${gateway.url}/api/docs)`);
  return serveUntilSignal(() => gateway.close(), log);
}
