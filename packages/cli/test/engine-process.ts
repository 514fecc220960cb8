import { type ChildProcess, spawn } from "node:child_process";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type Signer, signerFromPrivateKey } from "@flowork/protocol";
import { EngineClient } from "@flowork/sdk";
import { generatePrivateKey } from "viem/accounts";
import WebSocket from "ws";

export const BIN = resolve(fileURLToPath(new URL(".", import.meta.url)), "../bin/flowork.js");

export interface EngineProcess {
  child: ChildProcess;
  port: number;
  url: string;
  engineId: string;
  output: () => string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `flowork engine` on port 0 and waits for its ready line. */
export function startEngine(options: {
  dataDir: string;
  env?: NodeJS.ProcessEnv;
  args?: string[];
}): Promise<EngineProcess> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(
      process.execPath,
      [BIN, "engine", "--port", "0", "--data", options.dataDir, ...(options.args ?? [])],
      {
        env: { PATH: process.env.PATH, HOME: process.env.HOME, ...options.env },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let out = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`engine did not start:\n${out}`));
    }, 20_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /engine ready: ws:\/\/127\.0\.0\.1:(\d+)\/ engine_id=(\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        child.stdout?.off("data", onData);
        child.stdout?.on("data", (x: Buffer) => {
          out += x.toString();
        });
        const port = Number(m[1]);
        resolvePromise({
          child,
          port,
          url: `ws://127.0.0.1:${port}/`,
          engineId: m[2] as string,
          output: () => out,
          stop: (signal = "SIGTERM") =>
            new Promise((r) => {
              if (child.exitCode !== null || child.signalCode !== null) {
                r(child.exitCode);
                return;
              }
              child.once("exit", (code) => r(code));
              child.kill(signal);
            }),
        });
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      if (!/engine ready/.test(out)) reject(new Error(`engine exited with ${code}:\n${out}`));
    });
  });
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
