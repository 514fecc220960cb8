import { randomBytes } from "node:crypto";
import { constants } from "node:fs";
import { mkdir, open, readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { type EngineLogger, engineConfigFrom, startEngine } from "@flowork/engine";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { UsageError } from "../errors.js";

export interface UpOptions {
  data?: string;
  enginePort?: string;
  owner?: string;
}

async function readOrCreate(path: string, create: () => string): Promise<string> {
  try {
    return (await readFile(path, "utf8")).trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  const value = create();
  const handle = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  try {
    await handle.writeFile(`${value}\n`);
  } finally {
    await handle.close();
  }
  return value;
}

/**
 * `flowork up`: everything on one machine with SQLite in `./.flowork`. Today that is the Core Engine with a stable
 * id and an owner: `--owner 0x...`, or a local key created once in `<data>/owner-key.json` (mode 0600) whose
 * address is printed. The gateway and the GUI join this command when they land (see docs/status.md).
 */
export async function upCommand(
  options: UpOptions,
  log: EngineLogger,
  write: (line: string) => void,
): Promise<number> {
  const dataDir = resolve(options.data ?? ".flowork");
  if (options.owner !== undefined && !/^0x[0-9a-fA-F]{40}$/.test(options.owner)) {
    throw new UsageError("--owner must be an address: 0x followed by 40 hex characters");
  }
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const engineId = await readOrCreate(
    join(dataDir, "engine-id"),
    () => `engine-${randomBytes(6).toString("hex")}`,
  );
  let owner = options.owner?.toLowerCase();
  if (owner === undefined) {
    const keyJson = await readOrCreate(join(dataDir, "owner-key.json"), () => {
      const privateKey = generatePrivateKey();
      return JSON.stringify({
        address: privateKeyToAccount(privateKey).address.toLowerCase(),
        private_key: privateKey,
      });
    });
    owner = (JSON.parse(keyJson) as { address: string }).address;
  }
  const port = options.enginePort === undefined ? 8989 : Number(options.enginePort);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new UsageError("--engine-port must be 0 to 65535");
  const config = engineConfigFrom(
    { port, data: dataDir },
    { ...process.env, FLOWORK_ENGINE_ID: engineId, FLOWORK_AUTHORIZED_ADDRESSES: `${owner}:owner` },
  );
  const engine = await startEngine(config, log);
  write(`Flowork is up.`);
  write(`  engine:  ws://${config.host}:${engine.port}/  (id ${engine.engineId})`);
  write(`  owner:   ${owner}${options.owner ? "" : `  (key in ${join(dataDir, "owner-key.json")})`}`);
  write(`  data:    ${dataDir}`);
  write(`Stop with Ctrl-C.`);
  await new Promise<void>((resolveStop) => {
    process.once("SIGTERM", () => resolveStop());
    process.once("SIGINT", () => resolveStop());
  });
  await engine.close();
  process.exit(0);
}
