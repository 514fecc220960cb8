import { randomBytes } from "node:crypto";
import { constants } from "node:fs";
import { mkdir, open, readFile, rm } from "node:fs/promises";
import { join, resolve } from "node:path";
import { type EngineLogger, engineConfigFrom, startEngine } from "@flowork/engine";
import { gatewayConfigFrom, startGateway } from "@flowork/gateway";
import { UsageError } from "../errors.js";
import { serveUntilSignal } from "../service-lifetime.js";
import { builtGuiDir, parsePort } from "./gateway.js";

export interface UpOptions {
  data?: string;
  port?: string;
  enginePort?: string;
  owner?: string;
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return (await readFile(path, "utf8")).trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}

async function writeSecret(path: string, value: string): Promise<void> {
  const handle = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC, 0o600);
  try {
    await handle.chmod(0o600);
    await handle.writeFile(`${value}\n`);
  } finally {
    await handle.close();
  }
}

/**
 * `flowork up`: gateway and engine on one machine, SQLite in `./.flowork`. The local engine is registered with the
 * gateway once (its token kept in `<data>/engine-token`, mode 0600); `--owner 0x...` gives it to that address,
 * otherwise a one-time pairing code (10 minutes) is printed for `POST /user/engines/claim`.
 */
export async function upCommand(
  options: UpOptions,
  log: EngineLogger,
  write: (line: string) => void,
): Promise<number> {
  if (options.owner !== undefined && !/^0x[0-9a-fA-F]{40}$/.test(options.owner)) {
    throw new UsageError("--owner must be an address: 0x followed by 40 hex characters");
  }
  const port = parsePort(options.port ?? "8000", "--port") as number;
  const enginePort = parsePort(options.enginePort ?? "8989", "--engine-port") as number;
  const dataDir = resolve(options.data ?? ".flowork");
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const secretFile = join(dataDir, "internal-key");
  let secret = process.env.GATEWAY_SECRET_TOKEN || (await readIfExists(secretFile));
  if (!secret) {
    secret = randomBytes(24).toString("hex");
    await writeSecret(secretFile, secret);
  }
  const env = {
    ...process.env,
    GATEWAY_SECRET_TOKEN: secret,
    FLOWORK_BILLING: process.env.FLOWORK_BILLING ?? "off",
  };
  const guiDir = builtGuiDir();
  const gatewayConfig = gatewayConfigFrom(
    { port, data: dataDir, ...(guiDir !== undefined && { guiDir }) },
    env,
  );
  const gateway = await startGateway(gatewayConfig, log);
  const { engines, pairing } = gateway.services;

  const tokenFile = join(dataDir, "engine-token");
  let token = await readIfExists(tokenFile);
  let engineId = token ? (await engines.engineByToken(token))?.engine_id : undefined;
  if (!engineId) {
    const name = `local-${randomBytes(3).toString("hex")}`;
    const created = options.owner
      ? await engines.create(options.owner, name)
      : await engines.createUnowned(name);
    token = created.raw_token;
    engineId = created.id;
    await writeSecret(tokenFile, token);
    await rm(join(dataDir, "engine", "auth-cache.json"), { force: true });
  }
  const info = await engines.authInfo(engineId);
  let pairingLine: string | undefined;
  if (info.owner_address === null) {
    if (options.owner) {
      // An unowned local engine and an explicit owner: pair it directly.
      const { code } = await pairing.createCode(engineId);
      await pairing.claim(code, options.owner);
    } else {
      const { code, expires_at } = await pairing.createCode(engineId);
      pairingLine = `  pairing code: ${code}  (claim it in the GUI or with POST /api/v1/user/engines/claim; valid until ${expires_at})`;
    }
  }
  const engine = await startEngine(
    engineConfigFrom(
      { port: enginePort, data: join(dataDir, "engine") },
      { ...env, GATEWAY_API_URL: gateway.url, FLOWORK_ENGINE_TOKEN: token as string },
    ),
    log,
  );
  const owner = (await engines.authInfo(engineId)).owner_address;
  write("Flowork is up.");
  write(`  open:   http://localhost:${gateway.port}/   (API docs at /api/docs)`);
  write(`  engine: ${engine.engineId} on ws://127.0.0.1:${engine.port}/, connected to the gateway`);
  write(owner ? `  owner:  ${owner}` : (pairingLine ?? ""));
  write(`  data:   ${dataDir}`);
  write("Stop with Ctrl-C.");
  return serveUntilSignal(async () => {
    await engine.close();
    await gateway.close();
  }, log);
}
