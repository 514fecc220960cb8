import { DEFAULT_SETTINGS } from "@flowork/protocol";
import { describe, expect, it } from "vitest";
import type { ContractHarness } from "./test-contract.js";
import { logOf, newJob } from "./test-contract-executions.js";

const ADDR = "0xAbCdEf0123456789aBcDeF0123456789AbCdEf01";
const entry = (ts: string, type = "save_preset") => ({
  ts,
  address: ADDR,
  type,
  message: `msg ${ts}`,
  signature: "0xsig",
  payload_sha256: "ab".repeat(32),
});

export function describeMiscContract(h: ContractHarness): void {
  describe("settings", () => {
    it("answers the defaults, merges saved patches, keeps them across reopen", async () => {
      const { settings } = h.store;
      expect(await settings.get()).toEqual(DEFAULT_SETTINGS);
      expect(await settings.save({ log_level: "DEBUG", http_allowed_hosts: ["10.0.0.5"] })).toEqual({
        ...DEFAULT_SETTINGS,
        log_level: "DEBUG",
        http_allowed_hosts: ["10.0.0.5"],
      });
      await settings.save({ max_concurrent_executions: 2 });
      const reopened = await h.reopen();
      expect(await reopened.settings.get()).toMatchObject({
        log_level: "DEBUG",
        http_allowed_hosts: ["10.0.0.5"],
        max_concurrent_executions: 2,
        resume_interrupted: true,
      });
    });

    it("refuses unknown keys and bad values with VALIDATION_FAILED and details.issues, saving nothing", async () => {
      const { settings } = h.store;
      const err = await settings.save({ log_level: "WARN", bogus: 1 }).catch((e: unknown) => e);
      expect(err).toMatchObject({
        code: "VALIDATION_FAILED",
        details: { issues: [expect.objectContaining({ code: "unrecognized_keys" })] },
      });
      await expect(settings.save({ max_concurrent_executions: 0 })).rejects.toMatchObject({
        code: "VALIDATION_FAILED",
      });
      await expect(settings.save(null)).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
      expect(await settings.get()).toEqual(DEFAULT_SETTINGS);
    });
  });

  describe("audit log", () => {
    it("appends and lists newest first, with limit and a before cursor", async () => {
      const { audit } = h.store;
      await audit.append(entry("2025-01-01T00:00:01.000Z"));
      await audit.append(entry("2025-01-01T00:00:03.000Z", "delete_preset"));
      await audit.append(entry("2025-01-01T02:00:02.000+02:00"));
      const all = await audit.list();
      expect(all.map((e) => e.ts)).toEqual([
        "2025-01-01T00:00:03.000Z",
        "2025-01-01T00:00:02.000Z",
        "2025-01-01T00:00:01.000Z",
      ]);
      expect(all[0]).toEqual({
        ...entry("2025-01-01T00:00:03.000Z", "delete_preset"),
        address: ADDR.toLowerCase(),
      });
      expect(await audit.list({ limit: 1 })).toHaveLength(1);
      expect((await audit.list({ before: "2025-01-01T00:00:02.000Z" })).map((e) => e.ts)).toEqual([
        "2025-01-01T00:00:01.000Z",
      ]);
      await expect(
        audit.append({ ...entry("2025-01-01T00:00:00Z"), payload_sha256: "nope" }),
      ).rejects.toMatchObject({
        code: "VALIDATION_FAILED",
      });
    });
  });

  describe("durability and damage", () => {
    it("keeps everything across close and reopen of the same data folder", async () => {
      let s = h.store;
      await s.presets.save(
        "p",
        { nodes: [], connections: [] },
        { updated_by: ADDR, message: "m", signature: "0xs" },
      );
      await s.presets.save(
        "p",
        { nodes: [{ id: "a", module_id: "x" }], connections: [] },
        { updated_by: ADDR },
      );
      await s.variables.upsert("SECRET", {
        value: "v",
        values: ["w"],
        mode: "sequential",
        is_secret: true,
        is_enabled: true,
      });
      await s.variables.upsert("PLAIN", { value: "p", mode: "single", is_secret: false, is_enabled: false });
      await s.settings.save({ node_timeout_seconds: 5 });
      await s.executions.create(newJob("j", { initial_payload: [1] }));
      await s.executions.saveCheckpoint("j", "state");
      s.events.append("j", logOf("j", "buffered"));
      await s.audit.append(entry("2025-01-01T00:00:00.000Z"));
      s = await h.reopen();
      expect((await s.presets.versions("p")).map((v) => v.version)).toEqual([2, 1]);
      expect((await s.presets.load("p", 1))?.workflow_data).toEqual({ nodes: [], connections: [] });
      expect(Object.fromEntries(await s.variables.loadAll())).toEqual({
        PLAIN: { value: "p", values: [], mode: "single", is_secret: false, is_enabled: false },
        SECRET: { value: "v", values: ["w"], mode: "sequential", is_secret: true, is_enabled: true },
      });
      expect((await s.settings.get()).node_timeout_seconds).toBe(5);
      expect((await s.executions.unfinished()).map((u) => [u.job_id, u.initial_payload])).toEqual([
        ["j", [1]],
      ]);
      expect(await s.executions.loadCheckpoint("j")).toBe("state");
      expect((await s.executions.events("j")).map((e) => e.seq)).toEqual([1]);
      expect(await s.audit.list()).toHaveLength(1);
    });

    it("survives rows with corrupted JSON: skipped from lists and reported, never a crash", async () => {
      const { db } = h.store;
      const s = h.store;
      await s.executions.create(newJob("ok"));
      await s.executions.create(newJob("bad"));
      await db
        .updateTable("executions")
        .set({ workflow_data: "{nope", result: "[broken" })
        .where("job_id", "=", "bad")
        .execute();
      await s.executions.appendEvents("ok", [logOf("ok", "fine"), logOf("ok", "also fine")]);
      await db.updateTable("execution_events").set({ data: "not json" }).where("seq", "=", 1).execute();
      await s.presets.save("good", { nodes: [], connections: [] }, { updated_by: ADDR });
      await s.presets.save("broken", { nodes: [], connections: [] }, { updated_by: ADDR });
      await db
        .updateTable("preset_versions")
        .set({ workflow_data: "{{" })
        .where("name", "=", "broken")
        .execute();
      await s.variables.upsert("GOOD", { value: "g", mode: "single", is_secret: false, is_enabled: true });
      await s.variables.upsert("BROKEN", { value: "b", mode: "single", is_secret: false, is_enabled: true });
      await db.updateTable("variables").set({ value_list: "[oops" }).where("name", "=", "BROKEN").execute();
      await db.insertInto("settings").values({ key: "log_level", value: "{bad", updated_at: "x" }).execute();
      await db
        .insertInto("settings")
        .values({ key: "from_the_future", value: "1", updated_at: "x" })
        .execute();

      expect((await s.executions.history()).map((e) => e.job_id).sort()).toEqual(["bad", "ok"]);
      expect((await s.executions.unfinished()).map((u) => u.job_id)).toEqual(["ok"]);
      const bad = await s.executions.get("bad");
      expect(bad?.job_id).toBe("bad");
      expect(bad).not.toHaveProperty("result");
      expect((await s.executions.events("ok")).map((e) => e.seq)).toEqual([2]);
      expect((await s.executions.get("ok"))?.logs.map((l) => l.message)).toEqual(["also fine"]);
      expect((await s.presets.list()).map((p) => p.name)).toEqual(["broken", "good"]);
      expect((await s.presets.listLatest()).map((p) => p.name)).toEqual(["good"]);
      await expect(s.presets.load("broken")).rejects.toMatchObject({
        code: "INTERNAL",
        message: /corrupted/,
      });
      expect((await s.variables.list()).map((v) => v.name)).toEqual(["GOOD"]);
      expect([...(await s.variables.loadAll()).keys()]).toEqual(["GOOD"]);
      expect(await s.settings.get()).toEqual(DEFAULT_SETTINGS);
      expect(h.warnings.length).toBeGreaterThanOrEqual(8);
    });
  });
}
