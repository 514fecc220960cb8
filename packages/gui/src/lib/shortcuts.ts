/** The editor's keyboard shortcuts: one table drives both the key handler and the help popover. */

export type ShortcutAction =
  | "undo"
  | "redo"
  | "copy"
  | "paste"
  | "execute"
  | "simulate"
  | "savePreset"
  | "history"
  | "help"
  | "close";

export interface Shortcut {
  /** What the help shows, e.g. "Ctrl+Z". */
  keys: string;
  description: string;
  /** undefined: handled elsewhere (xyflow's Delete), listed for the help only. */
  action: ShortcutAction | undefined;
}

export const SHORTCUTS: readonly Shortcut[] = [
  { keys: "Ctrl+Z", description: "Undo", action: "undo" },
  { keys: "Ctrl+Y or Ctrl+Shift+Z", description: "Redo", action: "redo" },
  { keys: "Ctrl+C", description: "Copy the selected nodes", action: "copy" },
  { keys: "Ctrl+V", description: "Paste", action: "paste" },
  {
    keys: "Delete or Backspace",
    description: "Delete the selected nodes and connections",
    action: undefined,
  },
  { keys: "Ctrl+Enter", description: "Execute the workflow", action: "execute" },
  { keys: "Ctrl+Shift+Enter", description: "Simulate the workflow", action: "simulate" },
  { keys: "Ctrl+S", description: "Save as a new preset version", action: "savePreset" },
  { keys: "Ctrl+H", description: "Show or hide the execution history", action: "history" },
  { keys: "?", description: "Show or hide this help", action: "help" },
  { keys: "Escape", description: "Close the node's run details, the history or this help", action: "close" },
];

export interface KeyInput {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
  /** The focused element's tag name, upper case ("INPUT"), if any. */
  targetTag?: string | undefined;
  targetEditable?: boolean | undefined;
}

const TYPING = new Set(["INPUT", "TEXTAREA", "SELECT"]);

/** The action of a key press, or undefined. Nothing fires while typing in a field, except Escape. */
export function matchShortcut(e: KeyInput): ShortcutAction | undefined {
  const typing = (e.targetTag !== undefined && TYPING.has(e.targetTag)) || e.targetEditable === true;
  if (e.key === "Escape") return "close";
  if (typing || e.altKey) return undefined;
  const mod = e.ctrlKey || e.metaKey;
  const k = e.key.toLowerCase();
  if (!mod) return e.key === "?" ? "help" : undefined;
  if (k === "enter") return e.shiftKey ? "simulate" : "execute";
  if (k === "z") return e.shiftKey ? "redo" : "undo";
  if (k === "y") return "redo";
  if (e.shiftKey) return undefined;
  if (k === "c") return "copy";
  if (k === "v") return "paste";
  if (k === "s") return "savePreset";
  if (k === "h") return "history";
  return undefined;
}
