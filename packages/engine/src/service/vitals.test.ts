import { describe, expect, it } from "vitest";
import { sampleVitals, type Vitals, VitalsSampler } from "./vitals.js";

function expectShape(v: Vitals): void {
  expect(Object.keys(v).sort()).toEqual(
    [
      "active_jobs",
      "cpu_percent",
      "memory_percent",
      "queued_jobs",
      "ram_rss_mb",
      "uptime_s",
      "version",
    ].sort(),
  );
  for (const key of ["cpu_percent", "memory_percent"] as const) {
    expect(v[key]).toBeGreaterThanOrEqual(0);
    expect(v[key]).toBeLessThanOrEqual(100);
  }
  expect(v.ram_rss_mb).toBeGreaterThan(0);
  expect(Number.isInteger(v.uptime_s)).toBe(true);
  expect(v.uptime_s).toBeGreaterThanOrEqual(0);
}

/** A fake process: CPU time and clocks move only when the test says so. */
function fakeProcess() {
  const state = {
    cpuUs: 0,
    monoMs: 0,
    nowMs: 1_000_000,
    rss: 512 * 1024 * 1024,
    total: 8 * 1024 ** 3,
    cores: 4,
  };
  const probe = {
    cpuUsage: () => ({ user: state.cpuUs * 0.75, system: state.cpuUs * 0.25 }),
    rss: () => state.rss,
    totalMemory: () => state.total,
    cores: () => state.cores,
    monotonicMs: () => state.monoMs,
    nowMs: () => state.nowMs,
    processUptimeMs: () => state.monoMs,
  };
  return { state, probe };
}

describe("VitalsSampler on the real process", () => {
  it("has the spec shape and sane ranges", async () => {
    const sampler = new VitalsSampler({ version: "1.2.3", startedAt: new Date(Date.now() - 5_500) });
    const end = Date.now() + 30;
    while (Date.now() < end) Math.sqrt(Math.random()); // burn a little CPU
    const v = sampler.sample({ activeJobs: 2, queuedJobs: 5 });
    expectShape(v);
    expect(v).toMatchObject({ active_jobs: 2, queued_jobs: 5, version: "1.2.3" });
    expect(v.uptime_s).toBeGreaterThanOrEqual(5);
    expect(v.cpu_percent).toBeGreaterThan(0);
  });
});

describe("VitalsSampler with a fake process", () => {
  it("measures CPU between samples, normalised by cores", () => {
    const { state, probe } = fakeProcess();
    const sampler = new VitalsSampler({ ...probe, version: "v", startedAt: state.nowMs });
    state.monoMs += 1_000;
    state.cpuUs += 2_000_000; // two cores busy for a second out of four
    expect(sampler.sample({ activeJobs: 0, queuedJobs: 0 }).cpu_percent).toBe(50);
    state.monoMs += 10_000;
    state.cpuUs += 1_000_000; // 1 s of CPU over 10 s × 4 cores
    expect(sampler.sample({ activeJobs: 0, queuedJobs: 0 }).cpu_percent).toBe(2.5);
  });

  it("clamps CPU to 100 and repeats the last figure for samples under 1 ms apart", () => {
    const { state, probe } = fakeProcess();
    state.cores = 1;
    const sampler = new VitalsSampler({ ...probe, version: "v", startedAt: 0 });
    state.monoMs += 100;
    state.cpuUs += 500_000; // more CPU than wall time (threads): clamped
    expect(sampler.sample({ activeJobs: 0, queuedJobs: 0 }).cpu_percent).toBe(100);
    state.cpuUs += 1_000_000;
    expect(sampler.sample({ activeJobs: 0, queuedJobs: 0 }).cpu_percent).toBe(100);
  });

  it("reports memory, uptime and job counts", () => {
    const { state, probe } = fakeProcess();
    const sampler = new VitalsSampler({ ...probe, version: "0.1.0", startedAt: state.nowMs - 61_999 });
    expect(sampler.sample({ activeJobs: 3.7, queuedJobs: -1 })).toEqual({
      cpu_percent: 0,
      memory_percent: 6.3, // 512 MiB of 8 GiB = 6.25 %
      ram_rss_mb: 512,
      uptime_s: 61,
      active_jobs: 3,
      queued_jobs: 0,
      version: "0.1.0",
    });
  });

  it("never reports a negative uptime or a percentage over 100", () => {
    const { state, probe } = fakeProcess();
    state.rss = state.total * 2;
    const v = new VitalsSampler({ ...probe, version: "v", startedAt: state.nowMs + 10_000 }).sample({
      activeJobs: 0,
      queuedJobs: 0,
    });
    expect(v.uptime_s).toBe(0);
    expect(v.memory_percent).toBe(100);
  });
});

describe("sampleVitals", () => {
  it("samples the real process once", () => {
    const v = sampleVitals({ activeJobs: 1, queuedJobs: 0, version: "x", startedAt: Date.now() });
    expectShape(v);
    expect(v).toMatchObject({ active_jobs: 1, queued_jobs: 0, version: "x", uptime_s: 0 });
  });

  it("averages CPU over the life of the process", () => {
    const { state, probe } = fakeProcess();
    state.monoMs = 20_000;
    state.cpuUs = 8_000_000; // 8 s of CPU over 20 s × 4 cores
    expect(
      sampleVitals({ activeJobs: 0, queuedJobs: 0, version: "v", startedAt: 0 }, probe).cpu_percent,
    ).toBe(10);
  });
});
