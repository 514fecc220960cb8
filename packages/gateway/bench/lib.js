// Shared helpers of the gateway bench: a fast native signer (so that pre-signing tens of thousands of messages
// takes seconds, not minutes), quantiles, a mergeable latency histogram, formatting, resource readings.
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { personalMessageBytes, signerFromPrivateKey } from "@flowork/protocol";
import { keccak256 } from "@flowork/protocol/node";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";

// ------------------------------------------------------------------------------------------------ signing

let binding;
function nativeBinding() {
  if (binding === undefined) {
    try {
      // The `secp256k1` native binding is an (optional) dependency of @flowork/protocol: resolve it from there.
      binding = createRequire(import.meta.resolve("@flowork/protocol/node"))("secp256k1/bindings.js");
    } catch {
      binding = null;
    }
  }
  return binding;
}

const hexOf = (bytes) => Buffer.from(bytes).toString("hex");

/**
 * A `Signer` (what `signEnvelope` / `signApiRequest` / `signSocketAuth` take) over libsecp256k1: EIP-191
 * `personal_sign`, the same bytes viem produces (RFC 6979 nonces, low-s, v = 27/28), ~30x faster than viem's
 * pure-JS signing. Falls back to viem when the binding is missing. Checked against viem at first use.
 */
export function fastSigner(privateKey = generatePrivateKey()) {
  const b = nativeBinding();
  const address = privateKeyToAccount(privateKey).address;
  if (!b) return { ...signerFromPrivateKey(privateKey), native: false };
  const seckey = Buffer.from(privateKey.slice(2), "hex");
  return {
    address,
    native: true,
    signMessage: async (message) => {
      const { signature, recid } = b.ecdsaSign(keccak256(personalMessageBytes(message)), seckey);
      return `0x${hexOf(signature)}${(27 + recid).toString(16)}`;
    },
  };
}

/** Throws unless the native signer and viem produce the same signature. */
export async function checkFastSigner() {
  const key = generatePrivateKey();
  const viemSig = await signerFromPrivateKey(key).signMessage("flowork bench self-test");
  const s = fastSigner(key);
  const ours = await s.signMessage("flowork bench self-test");
  if (ours !== viemSig) throw new Error(`native signer disagrees with viem: ${ours} vs ${viemSig}`);
  return s.native;
}

// ------------------------------------------------------------------------------------------------ numbers

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? Number.NaN : s[Math.floor(s.length / 2)];
};
/** Nearest-rank quantile of an ascending array. */
export const quantile = (sorted, p) =>
  sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
export const fmt = (n, d = 1) =>
  Number.isFinite(n)
    ? n.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d })
    : "n/a";
export const fmtInt = (n) => (Number.isFinite(n) ? Math.round(n).toLocaleString("en-US") : "n/a");
export const mb = (bytes) => `${fmt(bytes / 1048576, 0)} MB`;
/** Wall-clock ms with sub-ms resolution, comparable across processes of one machine. */
export const wallMs = () => performance.timeOrigin + performance.now();

/**
 * Runs `fn(i)` n times, sequentially, one start every `paceMs` at most; resolves with each call's duration (ms).
 */
export async function pacedLoop(n, paceMs, fn) {
  const rtts = [];
  let start = performance.now();
  for (let i = 0; i < n; i++) {
    const wait = start - performance.now();
    if (wait > 0) await sleep(wait);
    const s = performance.now();
    await fn(i);
    rtts.push(performance.now() - s);
    start = Math.max(start + paceMs, performance.now());
  }
  return rtts;
}

/** p50 / p90 / p99 / max of round-trip times (nearest rank). */
export const rttStats = (rtts) => {
  const s = [...rtts].sort((a, b) => a - b);
  return { p50: quantile(s, 0.5), p90: quantile(s, 0.9), p99: quantile(s, 0.99), max: s[s.length - 1] };
};

/**
 * Latency histogram: 0.1 ms buckets below 100 ms, 1 ms below 10 s, 100 ms above. Sparse, mergeable over IPC.
 */
export class Histogram {
  constructor() {
    this.buckets = new Map();
    this.count = 0;
    this.max = 0;
    this.sum = 0;
  }
  static key(ms) {
    if (ms < 0) ms = 0;
    if (ms < 100) return Math.floor(ms * 10);
    if (ms < 10_000) return 1000 + Math.floor(ms - 100);
    return 10_900 + Math.floor((ms - 10_000) / 100);
  }
  static upper(key) {
    if (key < 1000) return (key + 1) / 10;
    if (key < 10_900) return key - 1000 + 100 + 1;
    return (key - 10_900 + 1) * 100 + 10_000;
  }
  add(ms) {
    const k = Histogram.key(ms);
    this.buckets.set(k, (this.buckets.get(k) ?? 0) + 1);
    this.count++;
    this.sum += ms;
    if (ms > this.max) this.max = ms;
  }
  toJSON() {
    return { buckets: [...this.buckets], count: this.count, max: this.max, sum: this.sum };
  }
  merge(json) {
    for (const [k, c] of json.buckets) this.buckets.set(k, (this.buckets.get(k) ?? 0) + c);
    this.count += json.count;
    this.sum += json.sum;
    if (json.max > this.max) this.max = json.max;
    return this;
  }
  /** Upper edge of the bucket holding the p-quantile (so at most one bucket width pessimistic). */
  quantile(p) {
    if (this.count === 0) return Number.NaN;
    const target = Math.max(1, Math.ceil(p * this.count));
    let seen = 0;
    for (const k of [...this.buckets.keys()].sort((a, b) => a - b)) {
      seen += this.buckets.get(k);
      if (seen >= target) return Math.min(Histogram.upper(k), this.max);
    }
    return this.max;
  }
}

// ------------------------------------------------------------------------------------------------ process

/** VmRSS and VmHWM (peak) of a process, in bytes, from /proc; undefined where /proc is missing. */
export function procMemory(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (name) =>
      Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? Number.NaN) * 1024;
    return { rss: kb("VmRSS"), hwm: kb("VmHWM") };
  } catch {
    return undefined;
  }
}

/** Number of open file descriptors of a process (Linux). */
export function openFds(pid) {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return Number.NaN;
  }
}

/** CPU seconds (user + system) a process has used, from /proc/<pid>/stat. */
export function procCpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return Number.NaN;
  }
}

/**
 * A request/response channel over a child's IPC: `call(type, body)` resolves with the child's answer to that
 * message (`{id, ok, ...}`), rejects on `{ok:false}`, on exit or after `timeoutMs`.
 */
export function ipcCaller(child, label) {
  let next = 0;
  const pending = new Map();
  child.on("message", (m) => {
    if (m?.id === undefined) return;
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    clearTimeout(p.timer);
    if (m.ok === false) p.reject(new Error(`${label}: ${m.error}`));
    else p.resolve(m);
  });
  child.on("exit", (code, signal) => {
    for (const p of pending.values()) {
      clearTimeout(p.timer);
      p.reject(new Error(`${label} exited (${code ?? signal}) before answering ${p.type}`));
    }
    pending.clear();
  });
  return (type, body = {}, timeoutMs = 120_000) =>
    new Promise((resolve, reject) => {
      const id = ++next;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`${label}: no answer to ${type} within ${timeoutMs} ms`));
      }, timeoutMs);
      pending.set(id, { resolve, reject, timer, type });
      child.send({ id, type, ...body });
    });
}

/** The child side of {@link ipcCaller}: `serve({type: async (msg) => answer})`. */
export function serveIpc(handlers) {
  process.on("message", async (m) => {
    const h = handlers[m?.type];
    if (!h) {
      process.send?.({ id: m?.id, ok: false, error: `unknown message ${m?.type}` });
      return;
    }
    try {
      const answer = await h(m);
      process.send?.({ id: m.id, ok: true, ...answer });
    } catch (err) {
      process.send?.({
        id: m.id,
        ok: false,
        error: err instanceof Error ? (err.stack ?? err.message) : String(err),
      });
    }
  });
  // The parent going away ends the child: nothing outlives the bench.
  process.on("disconnect", () => process.exit(0));
}
