import { FloworkError, ManifestSchema } from "@flowork/protocol";
import { describe, expect, it } from "vitest";
import { createComponentHarness } from "../../testing/harness.js";
import type { ComponentResult, ComponentServices } from "../types.js";
import { notifyGui } from "./notify_gui.js";

type Note = Parameters<NonNullable<ComponentServices["notify"]>>[0];

const payloadOf = (result: ComponentResult) => {
  if ("emits" in result) throw new Error("expected one emission");
  return result.payload;
};

function recorder() {
  const sent: Note[] = [];
  const notify = async (note: Note) => {
    sent.push(note);
  };
  return { sent, notify };
}

describe("notify_gui", () => {
  it("has a valid manifest with side effects", () => {
    expect(ManifestSchema.safeParse(notifyGui.manifest).success).toBe(true);
    expect(notifyGui.manifest.side_effects).toBe(true);
  });

  it("sends the notification through services.notify and passes the payload on", async () => {
    const { sent, notify } = recorder();
    const h = createComponentHarness({
      config: { level: "success", title: "Done", text: "3 rows" },
      services: { notify },
    });
    expect(payloadOf(await h.run(notifyGui, { rows: 3 }))).toEqual({ rows: 3 });
    expect(sent).toEqual([{ level: "success", title: "Done", text: "3 rows" }]);
    expect(h.logs).toEqual([]);
  });

  it("defaults the level to info", async () => {
    const { sent, notify } = recorder();
    await createComponentHarness({ config: { title: "Hi" }, services: { notify } }).run(notifyGui);
    expect(sent).toEqual([{ level: "info", title: "Hi", text: "" }]);
  });

  it("logs the notification at the matching level when no GUI service exists", async () => {
    const h = createComponentHarness({ config: { level: "warning", title: "Disk", text: "almost full" } });
    expect(payloadOf(await h.run(notifyGui, "x"))).toBe("x");
    expect(h.logs).toEqual([{ level: "WARN", message: "[notify] Disk: almost full" }]);
  });

  it("refuses an unknown level", async () => {
    const h = createComponentHarness({ config: { level: "loud", title: "x" } });
    await expect(h.run(notifyGui)).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
  });

  it("turns a failing notify service into a retryable typed error", async () => {
    const notify = async () => {
      throw new Error("socket closed");
    };
    const err = await createComponentHarness({ config: { title: "x" }, services: { notify } })
      .run(notifyGui)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FloworkError);
    expect(err).toMatchObject({ code: "INTERNAL", retryable: true });
  });

  it("sends nothing in SIMULATE", async () => {
    const { sent, notify } = recorder();
    const h = createComponentHarness({ config: { title: "x" }, services: { notify }, mode: "SIMULATE" });
    expect(payloadOf(await h.run(notifyGui, { a: 1 }))).toEqual({ a: 1 });
    expect(sent).toEqual([]);
  });
});
