import { availableParallelism, totalmem } from "node:os";

/** Health numbers of the engine process: `vitals` on the gateway, `engine_status_update`, `GET /health`. */
export interface Vitals {
  /** CPU used by this process over the sampled interval, as a share of all cores, 0–100. */
  cpu_percent: number;
  /** Resident set size as a share of the machine's memory, 0–100. */
  memory_percent: number;
  /** Resident set size in MiB. */
  ram_rss_mb: number;
  /** Whole seconds since `startedAt`. */
  uptime_s: number;
  active_jobs: number;
  queued_jobs: number;
  version: string;
}

/** The job counts a sample reports; the caller knows them, the process does not. */
export interface JobCounts {
  activeJobs: number;
  queuedJobs: number;
}

/** What the process is measured with. Every field has a default reading the real process; tests replace them. */
export interface ProcessProbe {
  /** CPU time used so far, microseconds (`process.cpuUsage()`). */
  cpuUsage?: () => { user: number; system: number };
  /** Resident set size, bytes. */
  rss?: () => number;
  /** Machine memory, bytes. */
  totalMemory?: () => number;
  /** Cores the process may use. */
  cores?: () => number;
  /** Monotonic milliseconds, for CPU deltas. */
  monotonicMs?: () => number;
  /** Wall-clock epoch milliseconds, for uptime. */
  nowMs?: () => number;
  /** How long the process has run, milliseconds (the CPU window of {@link sampleVitals}). */
  processUptimeMs?: () => number;
}

/** Options of {@link VitalsSampler}. */
export interface VitalsSamplerOptions extends ProcessProbe {
  version: string;
  /** When the engine started: epoch milliseconds or a Date. */
  startedAt: number | Date;
}

type Probe = Required<ProcessProbe>;

function probeOf(options: ProcessProbe): Probe {
  return {
    cpuUsage: options.cpuUsage ?? (() => process.cpuUsage()),
    rss: options.rss ?? (() => process.memoryUsage.rss()),
    totalMemory: options.totalMemory ?? totalmem,
    cores: options.cores ?? availableParallelism,
    monotonicMs: options.monotonicMs ?? (() => performance.now()),
    nowMs: options.nowMs ?? Date.now,
    processUptimeMs: options.processUptimeMs ?? (() => process.uptime() * 1000),
  };
}

const round1 = (n: number): number => Math.round(n * 10) / 10;
const clampPercent = (n: number): number => (Number.isFinite(n) ? Math.min(100, Math.max(0, round1(n))) : 0);
const count = (n: number): number => (Number.isFinite(n) && n > 0 ? Math.floor(n) : 0);

/**
 * Samples {@link Vitals}, measuring CPU between consecutive calls: `cpu_percent` is the CPU time this process
 * used since the previous sample (the first one: since construction) divided by the wall time elapsed times the
 * core count. Calls closer together than 1 ms repeat the previous CPU figure rather than divide by ~0.
 *
 * @example
 * const sampler = new VitalsSampler({ version: ENGINE_VERSION, startedAt: Date.now() });
 * setInterval(() => push(sampler.sample({ activeJobs, queuedJobs })), 10_000);
 */
export class VitalsSampler {
  readonly #probe: Probe;
  readonly #version: string;
  readonly #startedAtMs: number;
  #lastCpuUs: number;
  #lastAtMs: number;
  #lastCpuPercent = 0;

  constructor(options: VitalsSamplerOptions) {
    this.#probe = probeOf(options);
    this.#version = options.version;
    this.#startedAtMs = options.startedAt instanceof Date ? options.startedAt.getTime() : options.startedAt;
    const cpu = this.#probe.cpuUsage();
    this.#lastCpuUs = cpu.user + cpu.system;
    this.#lastAtMs = this.#probe.monotonicMs();
  }

  /** Takes a sample and makes it the baseline of the next one. */
  sample(jobs: JobCounts): Vitals {
    const cpu = this.#probe.cpuUsage();
    const cpuUs = cpu.user + cpu.system;
    const atMs = this.#probe.monotonicMs();
    const wallMs = atMs - this.#lastAtMs;
    if (wallMs >= 1) {
      const cores = Math.max(1, this.#probe.cores());
      this.#lastCpuPercent = clampPercent(((cpuUs - this.#lastCpuUs) / (wallMs * 1000 * cores)) * 100);
      this.#lastCpuUs = cpuUs;
      this.#lastAtMs = atMs;
    }
    return memoryAndCounts(this.#probe, this.#lastCpuPercent, {
      ...jobs,
      version: this.#version,
      startedAt: this.#startedAtMs,
    });
  }
}

/**
 * One sample without a sampler: `cpu_percent` is then the average since the process started. Use a
 * {@link VitalsSampler} for periodic reports, where the recent figure is what matters.
 */
export function sampleVitals(
  input: JobCounts & { version: string; startedAt: number | Date },
  probe: ProcessProbe = {},
): Vitals {
  const p = probeOf(probe);
  const cpu = p.cpuUsage();
  const wallMs = p.processUptimeMs();
  const cores = Math.max(1, p.cores());
  const cpuPercent =
    wallMs >= 1 ? clampPercent(((cpu.user + cpu.system) / (wallMs * 1000 * cores)) * 100) : 0;
  const startedAt = input.startedAt instanceof Date ? input.startedAt.getTime() : input.startedAt;
  return memoryAndCounts(p, cpuPercent, { ...input, startedAt });
}

function memoryAndCounts(
  probe: Probe,
  cpuPercent: number,
  input: JobCounts & { version: string; startedAt: number },
): Vitals {
  const rss = probe.rss();
  const total = probe.totalMemory();
  return {
    cpu_percent: cpuPercent,
    memory_percent: total > 0 ? clampPercent((rss / total) * 100) : 0,
    ram_rss_mb: round1(Math.max(0, rss) / (1024 * 1024)),
    uptime_s: Math.max(0, Math.floor((probe.nowMs() - input.startedAt) / 1000)),
    active_jobs: count(input.activeJobs),
    queued_jobs: count(input.queuedJobs),
    version: input.version,
  };
}
