// One real Core Engine in its own process, linked to the gateway (GATEWAY_API_URL + FLOWORK_ENGINE_TOKEN in env),
// for the GUI -> gateway -> engine round trip of bench/run.js. Env BENCH_ENGINE_DATA = data folder.
import { engineConfigFrom, startEngine } from "@flowork/engine";
import { serveIpc } from "./lib.js";

const quiet = {
  info: () => {},
  warn: (m) => console.error(`  [engine warning] ${m}`),
  error: (m, err) => console.error(`  [engine error] ${m}`, err instanceof Error ? err.message : (err ?? "")),
};
const config = engineConfigFrom(
  { port: 0, host: "127.0.0.1", data: process.env.BENCH_ENGINE_DATA },
  process.env,
);
const engine = await startEngine(config, quiet);
serveIpc({
  close: async () => {
    setImmediate(() => process.exit(0));
    return {};
  },
});
process.send({ type: "ready", port: engine.port, engineId: engine.engineId, pid: process.pid });
