import type { Workflow } from "@flowork/protocol";
import { describe, expect, it } from "vitest";
import type { ContractHarness } from "./test-contract.js";

const ALICE = "0xAbCdEf0123456789aBcDeF0123456789AbCdEf01";
const wf = (label: string): Workflow => ({
  nodes: [{ id: "n1", module_id: "set_data", config_values: { label } }],
  connections: [],
});

export function describePresetContract(h: ContractHarness): void {
  describe("presets", () => {
    it("numbers every save 1, 2, 3 and keeps every version loadable", async () => {
      const { presets } = h.store;
      expect(await presets.save("Daily report (v2)", wf("one"), { updated_by: ALICE })).toEqual({
        name: "Daily report (v2)",
        version: 1,
      });
      h.clock.tick(1000);
      expect(await presets.save("Daily report (v2)", wf("two"), { updated_by: ALICE })).toMatchObject({
        version: 2,
      });
      expect((await presets.load("Daily report (v2)", 1))?.workflow_data).toEqual(wf("one"));
      expect(await presets.load("Daily report (v2)", 2)).toEqual({
        name: "Daily report (v2)",
        version: 2,
        workflow_data: wf("two"),
      });
      expect((await presets.load("Daily report (v2)"))?.version).toBe(2);
      expect(await presets.load("Daily report (v2)", 3)).toBeUndefined();
      expect(await presets.load("nope")).toBeUndefined();
    });

    it("lists the latest version of each preset with who saved it (address lowercased)", async () => {
      const { presets } = h.store;
      await presets.save("b", wf("b1"), { updated_by: ALICE });
      await presets.save("a", wf("a1"), { updated_by: "cli" });
      h.clock.tick(5);
      await presets.save("a", wf("a2"), { updated_by: ALICE });
      expect(await presets.list()).toEqual([
        { name: "a", version: 2, updated_at: "2025-01-01T00:00:00.005Z", updated_by: ALICE.toLowerCase() },
        { name: "b", version: 1, updated_at: "2025-01-01T00:00:00.000Z", updated_by: ALICE.toLowerCase() },
      ]);
      const latest = await presets.listLatest();
      expect(latest.map((p) => [p.name, p.version, p.workflow_data])).toEqual([
        ["a", 2, wf("a2")],
        ["b", 1, wf("b1")],
      ]);
    });

    it("returns versions newest first with the signed message and signature that saved each", async () => {
      const { presets } = h.store;
      await presets.save("p", wf("1"), { updated_by: ALICE, message: "m1", signature: "0xs1" });
      h.clock.tick(10);
      await presets.save("p", wf("2"), { updated_by: ALICE });
      h.clock.tick(10);
      await presets.save("p", wf("3"), { updated_by: ALICE, message: "m3", signature: "0xs3" });
      const versions = await presets.versions("p");
      expect(versions.map((v) => v.version)).toEqual([3, 2, 1]);
      expect(versions[0]).toEqual({
        version: 3,
        updated_at: "2025-01-01T00:00:00.020Z",
        updated_by: ALICE.toLowerCase(),
        message: "m3",
        signature: "0xs3",
      });
      expect(versions[1]).not.toHaveProperty("message");
      expect(versions[2]).toMatchObject({ message: "m1", signature: "0xs1" });
      expect(await presets.versions("missing")).toEqual([]);
    });

    it("never gives two concurrent saves the same version", async () => {
      const { presets } = h.store;
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => presets.save("busy", wf(String(i)), { updated_by: ALICE })),
      );
      expect(results.map((r) => r.version).sort((a, b) => a - b)).toEqual(
        Array.from({ length: 20 }, (_, i) => i + 1),
      );
      expect(await presets.versions("busy")).toHaveLength(20);
    });

    it("deletes every version; a re-created preset continues the numbering", async () => {
      const { presets } = h.store;
      await presets.save("gone", wf("1"), { updated_by: ALICE });
      await presets.save("gone", wf("2"), { updated_by: ALICE });
      expect(await presets.delete("gone")).toBe(true);
      expect(await presets.delete("gone")).toBe(false);
      expect(await presets.delete("never")).toBe(false);
      expect(await presets.list()).toEqual([]);
      expect(await presets.listLatest()).toEqual([]);
      expect(await presets.load("gone", 1)).toBeUndefined();
      expect(await presets.versions("gone")).toEqual([]);
      expect(await presets.save("gone", wf("3"), { updated_by: ALICE })).toMatchObject({ version: 3 });
      expect((await presets.versions("gone")).map((v) => v.version)).toEqual([3]);
    });

    it("refuses bad names and workflows with VALIDATION_FAILED", async () => {
      const { presets } = h.store;
      await expect(presets.save("../etc", wf("x"), { updated_by: ALICE })).rejects.toMatchObject({
        code: "VALIDATION_FAILED",
      });
      await expect(presets.save(" padded", wf("x"), { updated_by: ALICE })).rejects.toMatchObject({
        code: "VALIDATION_FAILED",
      });
      const bad = { nodes: "no" } as unknown as Workflow;
      await expect(presets.save("ok", bad, { updated_by: ALICE })).rejects.toMatchObject({
        code: "VALIDATION_FAILED",
        details: { issues: expect.any(Array) },
      });
      expect(await presets.list()).toEqual([]);
    });
  });
}
