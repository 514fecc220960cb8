import { describe, expect, it } from "vitest";
import { type KeyInput, matchShortcut, SHORTCUTS } from "./shortcuts.js";

const key = (k: string, extra: Partial<KeyInput> = {}): KeyInput => ({
  key: k,
  ctrlKey: false,
  metaKey: false,
  shiftKey: false,
  altKey: false,
  ...extra,
});

describe("shortcuts", () => {
  it("maps the editor's keys, Ctrl or Cmd alike", () => {
    expect(matchShortcut(key("z", { ctrlKey: true }))).toBe("undo");
    expect(matchShortcut(key("Z", { metaKey: true, shiftKey: true }))).toBe("redo");
    expect(matchShortcut(key("y", { ctrlKey: true }))).toBe("redo");
    expect(matchShortcut(key("c", { ctrlKey: true }))).toBe("copy");
    expect(matchShortcut(key("v", { metaKey: true }))).toBe("paste");
    expect(matchShortcut(key("Enter", { ctrlKey: true }))).toBe("execute");
    expect(matchShortcut(key("Enter", { ctrlKey: true, shiftKey: true }))).toBe("simulate");
    expect(matchShortcut(key("s", { ctrlKey: true }))).toBe("savePreset");
    expect(matchShortcut(key("h", { ctrlKey: true }))).toBe("history");
    expect(matchShortcut(key("?", { shiftKey: true }))).toBe("help");
    expect(matchShortcut(key("Escape"))).toBe("close");
  });

  it("lets typing be typing: nothing but Escape fires in a field, and plain letters never fire", () => {
    expect(matchShortcut(key("z", { ctrlKey: true, targetTag: "INPUT" }))).toBeUndefined();
    expect(matchShortcut(key("?", { targetTag: "TEXTAREA" }))).toBeUndefined();
    expect(matchShortcut(key("s", { ctrlKey: true, targetEditable: true }))).toBeUndefined();
    expect(matchShortcut(key("Escape", { targetTag: "INPUT" }))).toBe("close");
    expect(matchShortcut(key("z"))).toBeUndefined();
    expect(matchShortcut(key("c", { ctrlKey: true, altKey: true }))).toBeUndefined();
    expect(matchShortcut(key("c", { ctrlKey: true, shiftKey: true }))).toBeUndefined();
  });

  it("lists every action it can fire in the help", () => {
    const listed = new Set(SHORTCUTS.map((s) => s.action));
    for (const a of [
      "undo",
      "redo",
      "copy",
      "paste",
      "execute",
      "simulate",
      "savePreset",
      "history",
      "help",
      "close",
    ]) {
      expect(listed.has(a as never), a).toBe(true);
    }
  });
});
