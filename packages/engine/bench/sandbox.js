// Micro-benchmark of the user-code sandbox (QuickJS in worker threads).
// Build first (`npx tsc -b packages/engine`), then: node packages/engine/bench/sandbox.js [seconds-per-case]
import { availableParallelism, loadavg } from "node:os";
import { createSandbox } from "../dist/sandbox/index.js";

const seconds = Number(process.argv[2] ?? 2);

const cases = [
  { name: "trivial function (return payload)", code: "return payload;" },
  {
    name: "1,000-iteration loop",
    code: "let sum = 0; for (let i = 0; i < 1000; i++) sum += i * payload.n; return { sum };",
  },
];

/**
 * Runs `request` with `concurrency` callers (1: back to back) for `seconds`. Returns runs/s, mean latency, and
 * CPU time per run over the whole process (main thread and workers), which shared machines distort least.
 */
async function measure(sandbox, request, concurrency) {
  const deadline = performance.now() + seconds * 1000;
  const cpuBefore = process.cpuUsage();
  let runs = 0;
  let busyMs = 0;
  const caller = async () => {
    while (performance.now() < deadline) {
      const started = performance.now();
      await sandbox.run(request);
      busyMs += performance.now() - started;
      runs++;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, caller));
  const elapsed = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  return {
    perSecond: Math.round(runs / elapsed),
    meanMs: busyMs / runs,
    cpuMs: (cpu.user + cpu.system) / 1000 / runs,
  };
}

const poolSize = 2;
const sandbox = createSandbox({ poolSize });
await sandbox.warmUp();
const load = loadavg()[0]?.toFixed(1);
console.log(
  `node ${process.version}, ${availableParallelism()} CPUs (load ${load}), pool of ${poolSize} workers, ${seconds} s per case`,
);
for (const { name, code } of cases) {
  const request = { kind: "function", code, payload: { n: 1 }, vars: {}, timeoutMs: 5000 };
  await measure(sandbox, request, 1); // warm-up
  for (const concurrency of [1, 8]) {
    const { perSecond, meanMs, cpuMs } = await measure(sandbox, request, concurrency);
    const label = `${name}, ${concurrency === 1 ? "sequential" : `${concurrency} concurrent callers`}`;
    const figures = `latency ${meanMs.toFixed(3)} ms   CPU ${cpuMs.toFixed(3)} ms/run`;
    console.log(`${label.padEnd(56)} ${String(perSecond).padStart(6)} runs/s   ${figures}`);
  }
}
await sandbox.close();
