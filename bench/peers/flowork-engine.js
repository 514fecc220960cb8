// The Flowork engine as bench/peers/run.js runs it: its own process (so its RSS is measured alone), the real
// startEngine() from the built workspace (run `npm run build` first), standalone mode, loopback, port 0.
// Configuration comes from the environment exactly as for `flowork engine`: FLOWORK_ENGINE_ID,
// FLOWORK_AUTHORIZED_ADDRESSES, FLOWORK_DATA_DIR (execution history is on: the engine's default).
// Prints `flowork engine ready: port=<port> engine_id=<id>` once listening; SIGTERM/SIGINT stop it gracefully and
// exit 0 (so `node --cpu-prof` writes its profile).
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const { engineConfigFrom, startEngine } = await import(
  pathToFileURL(join(ROOT, "packages/engine/dist/index.js")).href
);

const config = engineConfigFrom({ port: 0, host: "127.0.0.1" }, process.env);
const engine = await startEngine(config);
console.log(`flowork engine ready: port=${engine.port} engine_id=${engine.engineId}`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await engine.close();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
