import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_SETTINGS, type EngineSettings, type JobEvent } from "@flowork/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createBuiltinRegistry } from "../components/builtin/index.js";
import { type EngineStore, openEngineStore } from "../store/index.js";
import { MemoryVariables } from "../variables/memory.js";
import { JobManager } from "./job-manager.js";
import { jobStoreFrom } from "./job-store.js";

let dir: string;
let store: EngineStore;
let settings: EngineSettings;

function manager(extra: Partial<ConstructorParameters<typeof JobManager>[0]> = {}): JobManager {
  return new JobManager({
    store: jobStoreFrom(store),
    events: store.events,
    registry: createBuiltinRegistry(),
    settings: () => settings,
    variables: async () => new MemoryVariables(),
    loadPreset: (name) => store.presets.load(name),
    services: {},
    ...extra,
  });
}

const delayFlow = (ms: number) => ({
  nodes: [{ id: "d", module_id: "delay", x: 0, y: 0, config_values: { milliseconds: ms } }],
  connections: [],
});

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowork-jobs-"));
  store = await openEngineStore({ dataDir: dir, secretKey: "a".repeat(64) });
  settings = { ...DEFAULT_SETTINGS, http_allowed_hosts: [] };
});

afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

describe("JobManager", () => {
  it("queues past max_concurrent_executions and serves users fairly", async () => {
    settings = { ...settings, max_concurrent_executions: 1 };
    const jobs = manager();
    const order: string[] = [];
    const submit = async (user: string, tag: string) => {
      const { done } = await jobs.submit(
        { workflow: delayFlow(150), mode: "EXECUTE", startedBy: user },
        (e: JobEvent) => {
          if (e.type === "workflow_status_update" && e.status_data.status === "RUNNING") order.push(tag);
        },
      );
      return { done };
    };
    const all = [
      (await submit("0xaaa", "a1")).done,
      (await submit("0xaaa", "a2")).done,
      (await submit("0xaaa", "a3")).done,
      (await submit("0xbbb", "b1")).done,
    ];
    expect(jobs.activeCount).toBe(1);
    expect(jobs.queuedCount).toBe(3);
    await Promise.all(all);
    // a1 was already running; then the queue alternates users: b1 before a2 and a3
    expect(order).toEqual(["a1", "b1", "a2", "a3"]);
  });

  it("emits QUEUED first and stores every event in order", async () => {
    const jobs = manager();
    const seen: string[] = [];
    const { job_id, done } = await jobs.submit(
      { workflow: delayFlow(1), mode: "EXECUTE", startedBy: "0xaaa" },
      (e) => seen.push(e.type === "workflow_status_update" ? e.status_data.status : e.type),
    );
    await done;
    await store.events.flush();
    const stored = (await store.executions.events(job_id)).map((s) => s.event);
    expect(seen[0]).toBe("QUEUED");
    expect(stored.map((e) => (e.type === "workflow_status_update" ? e.status_data.status : e.type))).toEqual(
      seen,
    );
    expect((await store.executions.history({ limit: 5 }))[0]).toMatchObject({ job_id, status: "SUCCEEDED" });
  });

  it("stops a queued job without running it", async () => {
    settings = { ...settings, max_concurrent_executions: 1 };
    const jobs = manager();
    const first = await jobs.submit({ workflow: delayFlow(50), mode: "EXECUTE", startedBy: "0xaaa" });
    const second = await jobs.submit({ workflow: delayFlow(50), mode: "EXECUTE", startedBy: "0xaaa" });
    expect(jobs.stop(second.job_id, "0xaaa", false)).toEqual({ job_id: second.job_id, status: "STOPPED" });
    expect((await second.done).status).toBe("STOPPED");
    expect((await first.done).status).toBe("SUCCEEDED");
    expect(() => jobs.stop("nope", "0xaaa", true)).toThrowError(/not running/);
  });

  it("refuses a job id that exists, and unknown presets", async () => {
    const jobs = manager();
    const { done } = await jobs.submit({
      jobId: "fixed-1",
      workflow: delayFlow(1),
      mode: "EXECUTE",
      startedBy: null,
    });
    await done;
    await expect(
      jobs.submit({ jobId: "fixed-1", workflow: delayFlow(1), mode: "EXECUTE", startedBy: null }),
    ).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(
      jobs.submit({ presetName: "missing", mode: "EXECUTE", startedBy: null }),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("runs sub-workflows from presets, outside the queue, and refuses endless nesting", async () => {
    settings = { ...settings, max_concurrent_executions: 1 };
    await store.presets.save(
      "child",
      {
        nodes: [{ id: "c", module_id: "set_data", x: 0, y: 0, config_values: { fields: { child: true } } }],
        connections: [],
      },
      { updated_by: "0xaaa", message: "m", signature: "s" },
    );
    await store.presets.save(
      "selfish",
      {
        nodes: [
          { id: "s", module_id: "sub_workflow", x: 0, y: 0, config_values: { preset_name: "selfish" } },
        ],
        connections: [],
      },
      { updated_by: "0xaaa", message: "m", signature: "s" },
    );
    const jobs = manager();
    const parent = await jobs.submit({
      workflow: {
        nodes: [{ id: "p", module_id: "sub_workflow", x: 0, y: 0, config_values: { preset_name: "child" } }],
        connections: [],
      },
      mode: "EXECUTE",
      startedBy: "0xaaa",
      initialPayload: { from: "parent" },
    });
    const outcome = await parent.done;
    expect(outcome.status).toBe("SUCCEEDED");
    expect(outcome.result).toEqual({ p: { c: { from: "parent", child: true } } });
    const loop = await jobs.submit({ presetName: "selfish", mode: "EXECUTE", startedBy: "0xaaa" });
    const looped = await loop.done;
    expect(looped.status).toBe("FAILED");
    expect(looped.error?.code).toBe("LOOP_LIMIT");
  });

  it("a queued run carries the engine's kill switch: a worker refuses a component the engine disabled", async () => {
    const jobs = manager();
    const request = { workflow: delayFlow(1), mode: "EXECUTE" as const, startedBy: null };
    store.events.create({
      job_id: "queued-1",
      preset_name: null,
      mode: "EXECUTE",
      started_by: null,
      workflow_data: delayFlow(1) as never,
    });
    const refused = await jobs.runQueued({ ...request, jobId: "queued-1", disabledComponents: ["delay"] });
    expect(refused.status).toBe("FAILED");
    expect(refused.error?.code).toBe("COMPONENT_DISABLED");
    store.events.create({
      job_id: "queued-2",
      preset_name: null,
      mode: "EXECUTE",
      started_by: null,
      workflow_data: delayFlow(1) as never,
    });
    expect((await jobs.runQueued({ ...request, jobId: "queued-2", disabledComponents: [] })).status).toBe(
      "SUCCEEDED",
    );
    // The worker waits for its history before it acknowledges the queue job.
    expect(store.events.pending).toBe(0);
    expect((await store.executions.get("queued-1"))?.status).toBe("FAILED");
  });

  it("marks unfinished runs INTERRUPTED on recovery and resumes them", async () => {
    const jobs = manager();
    const { job_id } = await jobs.submit({
      workflow: delayFlow(60_000),
      mode: "EXECUTE",
      startedBy: "0xaaa",
    });
    await new Promise((r) => setTimeout(r, 50));
    await jobs.close(); // the engine goes away with the run unfinished
    const next = manager();
    const seen: string[] = [];
    const recovered = await next.recover();
    expect(recovered).toEqual({ interrupted: 1, resumed: 1 });
    const { unsubscribe } = await next.subscribe(job_id, (e) => {
      if (e.type === "workflow_status_update") seen.push(e.status_data.status);
    });
    expect(seen).toContain("INTERRUPTED");
    expect(seen.at(-1)).toBe("RUNNING");
    next.stop(job_id, "0xaaa", false);
    unsubscribe();
  });
});
