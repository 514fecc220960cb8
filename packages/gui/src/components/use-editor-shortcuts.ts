import { type Dispatch, type SetStateAction, useEffect } from "react";
import { matchShortcut } from "../lib/shortcuts.js";
import type { EditorStore } from "../stores/editor.js";

type Toggle = [boolean, Dispatch<SetStateAction<boolean>>];

/**
 * The editor's keyboard shortcuts (the table in lib/shortcuts.ts, also listed in the help popover); none fires
 * while typing in a field, except Escape.
 */
export function useEditorShortcuts(o: {
  editor: EditorStore;
  canRun: boolean;
  canSave: boolean;
  start: (mode: "EXECUTE" | "SIMULATE") => void;
  savePreset: () => void;
  help: Toggle;
  history: Toggle;
}): void {
  const { editor, canRun, canSave, start, savePreset } = o;
  const [helpOpen, setHelpOpen] = o.help;
  const [historyOpen, setHistoryOpen] = o.history;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement | null;
      const action = matchShortcut({
        key: e.key,
        ctrlKey: e.ctrlKey,
        metaKey: e.metaKey,
        shiftKey: e.shiftKey,
        altKey: e.altKey,
        targetTag: t?.tagName,
        targetEditable: t?.isContentEditable,
      });
      if (!action) return;
      const s = editor.getState();
      switch (action) {
        case "undo":
          s.undo();
          break;
        case "redo":
          s.redo();
          break;
        case "copy":
          s.copySelected();
          break;
        case "paste":
          s.paste();
          break;
        case "execute":
        case "simulate":
          if (canRun && !s.view) start(action === "execute" ? "EXECUTE" : "SIMULATE");
          break;
        case "savePreset":
          if (canSave && !s.view) savePreset();
          break;
        case "history":
          setHistoryOpen((open) => !open);
          break;
        case "help":
          setHelpOpen((open) => !open);
          break;
        case "close":
          if (helpOpen) setHelpOpen(false);
          else if (s.debugNodeId !== undefined) s.closeDebug();
          else if (historyOpen) setHistoryOpen(false);
          else return; // Escape stays with whatever else uses it
          break;
      }
      e.preventDefault();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [editor, canRun, canSave, start, savePreset, helpOpen, setHelpOpen, historyOpen, setHistoryOpen]);
}
