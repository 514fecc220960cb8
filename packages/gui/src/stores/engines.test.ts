import { describe, expect, it } from "vitest";
import { createEnginesStore, sortedEngines } from "./engines.js";
import { createToastStore } from "./toasts.js";

const vitals = {
  cpu_percent: 5,
  memory_percent: 10,
  ram_rss_mb: 50,
  uptime_s: 3,
  active_jobs: 1,
  queued_jobs: 0,
  version: "0.1.0",
};

describe("engines store", () => {
  it("merges REST lists and live socket events", () => {
    const s = createEnginesStore();
    s.getState().setFromRest([
      { id: "e1", name: "laptop", status: "offline", last_seen: null, role: "owner" },
      {
        id: "e2",
        name: "alpha",
        status: "online",
        last_seen: null,
        role: "runner",
        owner: { public_address: "0xa", username: "u" },
      },
    ]);
    s.getState().applyStatus({ engine_id: "e1", name: "laptop", status: "online", last_seen: "now" });
    s.getState().applyVitals({ engine_id: "e1", vitals });
    s.getState().applyStatus({ engine_id: "unknown", name: "x", status: "online", last_seen: null });
    expect(s.getState().engines.e1).toMatchObject({ status: "online", vitals, role: "owner" });
    expect(s.getState().engines.unknown).toBeUndefined();
    expect(sortedEngines(s.getState().engines).map((e) => e.id)).toEqual(["e1", "e2"]);
    // A REST refresh keeps the live vitals it does not carry.
    s.getState().setFromRest([
      { id: "e1", name: "laptop", status: "online", last_seen: null, role: "owner" },
    ]);
    expect(s.getState().engines.e1?.vitals).toEqual(vitals);
    expect(s.getState().engines.e2).toBeUndefined();
  });

  it("handles initial statuses, shares and removals", () => {
    const s = createEnginesStore();
    s.getState().applyInitial([
      { engine_id: "e1", name: "a", status: "online", last_seen: null, vitals: null, role: "admin" },
    ]);
    s.getState().applyShared({
      engine_id: "e2",
      name: "b",
      role: "reader",
      status: "offline",
      last_seen: null,
    });
    s.getState().applyShared({ engine_id: "e2", role: "runner" });
    expect(s.getState().engines.e2).toMatchObject({ name: "b", role: "runner" });
    s.getState().remove("e1");
    expect(Object.keys(s.getState().engines)).toEqual(["e2"]);
  });
});

describe("toast store", () => {
  it("keeps at most max toasts, ignores duplicate ids, dismisses", () => {
    const t = createToastStore(2);
    for (const id of ["a", "b", "b", "c"]) t.getState().push({ id, level: "info", title: id, text: "" });
    expect(t.getState().toasts.map((x) => x.id)).toEqual(["b", "c"]);
    t.getState().dismiss("b");
    expect(t.getState().toasts.map((x) => x.id)).toEqual(["c"]);
  });
});
