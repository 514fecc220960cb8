// Summarises a V8 .cpuprofile (from `node --cpu-prof` or node:inspector): top functions by self time, by inclusive
// time, and self time per source area (package in node_modules, gateway/protocol source folder, node internals).
// Run: node bench/cpuprofile-top.js <file.cpuprofile> [top=25]
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** Where a function lives, for grouping: `socket.io-parser`, `gateway/sockets`, `node:internal`, `(gc)`... */
export function areaOf(url, name) {
  if (!url) return name.startsWith("(") ? name : "(native/V8)";
  if (url.startsWith("node:")) return url.replace(/^node:internal\/([^/]+).*/, "node:$1");
  const nm = url.lastIndexOf("/node_modules/");
  if (nm >= 0) {
    const rest = url.slice(nm + 14).split("/");
    return rest[0].startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  const pkg = /\/packages\/([^/]+)\/(?:dist|src|bench)\/([^/]+)?/.exec(url);
  if (pkg) return `@flowork/${pkg[1]}${pkg[2]?.includes(".") ? "" : `/${pkg[2] ?? ""}`}`;
  return url.replace(/^file:\/\//, "");
}

/** Returns {totalMs, self:[{key, ms}], inclusive:[{key, ms}], areas:[{area, ms}]}. */
export function summarise(profile, top = 25) {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const keyOf = (n) => {
    const f = n.callFrame;
    const file = (f.url || "").replace(/^file:\/\/.*\/(node_modules|packages)\//, "$1/");
    return `${f.functionName || "(anonymous)"} ${file ? `${file}:${f.lineNumber + 1}` : ""}`.trim();
  };
  const self = new Map();
  const incl = new Map();
  const areas = new Map();
  let total = 0;
  const { samples, timeDeltas } = profile;
  for (let i = 0; i < samples.length; i++) {
    const dt = (timeDeltas[i + 1] ?? timeDeltas[i] ?? 0) / 1000; // the delta after the sample is its duration
    const n = nodes.get(samples[i]);
    if (!n) continue;
    total += dt;
    const k = keyOf(n);
    self.set(k, (self.get(k) ?? 0) + dt);
    const area = areaOf(n.callFrame.url, n.callFrame.functionName);
    areas.set(area, (areas.get(area) ?? 0) + dt);
    const seen = new Set();
    for (let id = n.id; id !== undefined; id = parent.get(id)) {
      const kk = keyOf(nodes.get(id));
      if (seen.has(kk)) continue;
      seen.add(kk);
      incl.set(kk, (incl.get(kk) ?? 0) + dt);
    }
  }
  const sorted = (m) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([key, ms]) => ({ key, ms }));
  return {
    totalMs: total,
    self: sorted(self),
    inclusive: sorted(incl).filter((x) => !/^\((root|program)\)/.test(x.key)),
    areas: sorted(areas).map(({ key, ms }) => ({ area: key, ms })),
  };
}

/** Prints a summary; `idleExcluded` leaves `(idle)` out of the percentages. */
export function printSummary(profile, top = 25, indent = "  ") {
  const s = summarise(profile, top + 5);
  const idle = s.areas.find((a) => a.area === "(idle)")?.ms ?? 0;
  const busy = s.totalMs - idle;
  const pct = (ms) => `${((ms / busy) * 100).toFixed(1).padStart(5)} %`;
  console.log(
    `${indent}profile: ${(s.totalMs / 1000).toFixed(2)} s, busy ${(busy / 1000).toFixed(2)} s (idle excluded below)`,
  );
  console.log(`${indent}self time by area:`);
  for (const a of s.areas.filter((a) => a.area !== "(idle)").slice(0, 14))
    console.log(`${indent}  ${pct(a.ms)}  ${a.ms.toFixed(0).padStart(6)} ms  ${a.area}`);
  console.log(`${indent}top functions by self time:`);
  for (const f of s.self.filter((f) => !f.key.startsWith("(idle)")).slice(0, top))
    console.log(`${indent}  ${pct(f.ms)}  ${f.key}`);
  console.log(`${indent}top functions by inclusive time:`);
  for (const f of s.inclusive.filter((f) => !f.key.startsWith("(idle)")).slice(0, top))
    console.log(`${indent}  ${pct(f.ms)}  ${f.key}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const file = process.argv[2];
  if (!file) {
    console.error("usage: node bench/cpuprofile-top.js <file.cpuprofile> [top]");
    process.exit(2);
  }
  printSummary(JSON.parse(readFileSync(file, "utf8")), Number(process.argv[3] ?? 25));
}
