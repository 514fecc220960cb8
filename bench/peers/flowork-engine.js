// The Flowork engine as bench/peers/run.js runs it: its own process (so its RSS is measured alone), the real
// startEngine() from the built workspace (run `npm run build` first), standalone mode, loopback, port 0.
// Configuration comes from the environment exactly as for `flowork engine`: FLOWORK_ENGINE_ID,
// FLOWORK_AUTHORIZED_ADDRESSES, FLOWORK_DATA_DIR (execution history is on: the engine's default).
// Prints `flowork engine ready: port=<port> engine_id=<id>` once listening; SIGTERM/SIGINT stop it gracefully and
// exit 0 (so `node --cpu-prof` writes its profile).
// BENCH_SQL_TRACE=1 counts and times every SQLite statement the engine runs (better-sqlite3's Statement run/get/all,
// wrapped here without touching the engine): SIGUSR2 resets the counters, SIGUSR1 prints them as one JSON line
// `sql-trace {...}` on stdout. For finding out what one webhook request writes; it adds its own small overhead.
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

if (process.env.BENCH_SQL_TRACE === "1") {
  const require = createRequire(join(ROOT, "packages/engine/package.json"));
  const Database = require("better-sqlite3");
  const probe = new Database(":memory:");
  const proto = Object.getPrototypeOf(probe.prepare("select 1"));
  probe.close();
  let stats = new Map();
  for (const method of ["run", "get", "all"]) {
    const original = proto[method];
    proto[method] = function traced(...args) {
      const t0 = process.hrtime.bigint();
      try {
        return original.apply(this, args);
      } finally {
        const ns = Number(process.hrtime.bigint() - t0);
        const sql = this.source.replace(/\s+/g, " ").slice(0, 160);
        const s = stats.get(sql) ?? { calls: 0, ns: 0 };
        s.calls++;
        s.ns += ns;
        stats.set(sql, s);
      }
    };
  }
  process.on("SIGUSR2", () => {
    stats = new Map();
  });
  process.on("SIGUSR1", () => {
    const rows = [...stats].map(([sql, s]) => ({ sql, calls: s.calls, ms: s.ns / 1e6 }));
    console.log(`sql-trace ${JSON.stringify(rows)}`);
  });
}
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
