import { type EngineLogger, engineConfigFrom, startEngine } from "@flowork/engine";
import { UsageError } from "../errors.js";
import { serveUntilSignal } from "../service-lifetime.js";

export interface EngineCommandOptions {
  port?: string;
  host?: string;
  data?: string;
}

function portOf(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65_535)
    throw new UsageError(`--port must be an integer from 0 to 65535`);
  return n;
}

/**
 * `flowork engine`: runs the Core Engine until SIGTERM or SIGINT, then stops gracefully (no new work, running runs
 * checkpointed so the next start resumes them, stores closed). Prints a ready line with the actual port.
 */
export async function engineCommand(
  options: EngineCommandOptions,
  log: EngineLogger,
  write: (line: string) => void,
): Promise<number> {
  const port = portOf(options.port);
  const config = engineConfigFrom({
    ...(port !== undefined && { port }),
    ...(options.host !== undefined && { host: options.host }),
    ...(options.data !== undefined && { data: options.data }),
  });
  const engine = await startEngine(config, log);
  write(`flowork engine ready: ws://${config.host}:${engine.port}/ engine_id=${engine.engineId}`);
  return serveUntilSignal(() => engine.close(), log);
}
