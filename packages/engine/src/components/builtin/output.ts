import { lookup } from "../../runtime/path.js";
import { builtinManifest, text } from "../define.js";
import type { ComponentDefinition } from "../types.js";

const LEVELS = ["DEBUG", "INFO", "WARN", "ERROR", "SUCCESS"] as const;
type Level = (typeof LEVELS)[number];

export const logMessage: ComponentDefinition = {
  manifest: builtinManifest({
    id: "log_message",
    name: "Log Message",
    type: "ACTION",
    category: "Output",
    description: "Writes a line to the run's log (templates allowed); the payload passes on unchanged.",
    icon: "message-square",
    properties: [
      { id: "message", type: "textarea", label: "Message", required: true },
      { id: "level", type: "enum", label: "Level", default: "INFO", options: [...LEVELS] },
    ],
  }),
  execute: (payload, ctx) => {
    const level = (LEVELS as readonly string[]).includes(String(ctx.config.level))
      ? (ctx.config.level as Level)
      : "INFO";
    ctx.log(level, text(ctx.config.message));
    return { payload };
  },
};

export const debugPopup: ComponentDefinition = {
  manifest: builtinManifest({
    id: "debug_popup",
    name: "Debug Popup",
    type: "ACTION",
    category: "Output",
    description:
      "Shows the payload (or a field of it) in a popup in the GUI; the payload passes on unchanged.",
    icon: "bug",
    properties: [
      { id: "title", type: "string", label: "Title", default: "Debug" },
      { id: "field", type: "string", label: "Field", description: "Dotted path; empty = the whole payload" },
    ],
  }),
  execute: (payload, ctx) => {
    const field = text(ctx.config.field);
    ctx.debugPopup(
      text(ctx.config.title, "Debug") || "Debug",
      field === "" ? payload : lookup(payload, field),
    );
    return { payload };
  },
};
