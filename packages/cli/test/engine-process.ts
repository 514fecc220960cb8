import type { ChildProcess } from "node:child_process";
import { type Signer, signerFromPrivateKey } from "@flowork/protocol";
import { EngineClient } from "@flowork/sdk";
import { generatePrivateKey } from "viem/accounts";
import WebSocket from "ws";

import { spawnFlowork } from "./flowork-process.js";

export { BIN } from "./flowork-process.js";

export interface EngineProcess {
  child: ChildProcess;
  port: number;
  url: string;
  engineId: string;
  output: () => string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `flowork engine` on port 0 and waits for its ready line. */
export async function startEngine(options: {
  dataDir: string;
  env?: NodeJS.ProcessEnv;
  args?: string[];
}): Promise<EngineProcess> {
  const proc = await spawnFlowork(
    ["engine", "--port", "0", "--data", options.dataDir, ...(options.args ?? [])],
    options.env ?? {},
    /engine ready: ws:\/\/127\.0\.0\.1:(\d+)\/ engine_id=(\S+)/,
  );
  const port = Number(proc.match[1]);
  return {
    child: proc.child,
    port,
    url: `ws://127.0.0.1:${port}/`,
    engineId: proc.match[2] as string,
    output: proc.output,
    stop: proc.stop,
  };
}

export interface Identity {
  privateKey: `0x${string}`;
  signer: Signer;
  address: string;
}

export function identity(): Identity {
  const privateKey = generatePrivateKey();
  const signer = signerFromPrivateKey(privateKey);
  return { privateKey, signer, address: signer.address.toLowerCase() };
}

export async function connect(
  engine: EngineProcess,
  who: Identity,
  engineId = engine.engineId,
): Promise<EngineClient> {
  const client = new EngineClient({
    url: engine.url,
    engineId,
    signer: who.signer,
    connect: (url) => new WebSocket(url) as never,
    timeoutMs: 15_000,
  });
  await client.open();
  return client;
}
