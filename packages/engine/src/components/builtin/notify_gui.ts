import { type EventLogLevel, FloworkError } from "@flowork/protocol";
import { builtinManifest, text } from "../define.js";
import type { ComponentContext, ComponentDefinition, ComponentResult } from "../types.js";

const LEVELS = ["info", "success", "warning", "error"] as const;
type Level = (typeof LEVELS)[number];
const LOG_LEVEL: Record<Level, EventLogLevel> = {
  info: "INFO",
  success: "SUCCESS",
  warning: "WARN",
  error: "ERROR",
};
const MAX_TITLE = 200;
const MAX_TEXT = 10_000;

function readLevel(value: unknown): Level {
  if (value === undefined || value === null || value === "") return "info";
  if (typeof value === "string" && (LEVELS as readonly string[]).includes(value)) return value as Level;
  throw new FloworkError("VALIDATION_FAILED", `level must be one of ${LEVELS.join(", ")}`);
}

function notification(ctx: ComponentContext) {
  return {
    level: readLevel(ctx.config.level),
    title: text(ctx.config.title).slice(0, MAX_TITLE),
    text: text(ctx.config.text).slice(0, MAX_TEXT),
  };
}

async function execute(payload: unknown, ctx: ComponentContext): Promise<ComponentResult> {
  const note = notification(ctx);
  if (!ctx.services.notify) {
    // No GUI channel (e.g. `flowork run` on a terminal): the log line is the notification.
    ctx.log(
      LOG_LEVEL[note.level],
      `[notify] ${note.title}${note.title && note.text ? ": " : ""}${note.text}`,
    );
    return { payload };
  }
  try {
    await ctx.services.notify(note);
  } catch (err) {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    if (err instanceof FloworkError) throw err;
    throw new FloworkError("INTERNAL", "the notification could not be delivered", {
      retryable: true,
      cause: err,
    });
  }
  return { payload };
}

/** Sends nothing; the payload passes through (the config's `simulate_output` wins when set). */
function simulate(payload: unknown, ctx: ComponentContext): ComponentResult {
  if (ctx.config.simulate_output !== undefined) return { payload: ctx.config.simulate_output };
  const note = notification(ctx);
  ctx.log("DEBUG", `[SIMULATE] would notify (${note.level}) ${note.title}`);
  return { payload };
}

/**
 * `notify_gui`: shows a notification (`level`, `title`, `text`) in the user's GUIs through
 * `ComponentServices.notify`; without that service (CLI runs) it becomes a log line at the matching level.
 * The payload passes through unchanged. In SIMULATE nothing is sent.
 *
 * @example
 * { "module_id": "notify_gui", "config_values": { "level": "success", "title": "Import done", "text": "{{payload.count}} rows" } }
 */
export const notifyGui: ComponentDefinition = {
  manifest: builtinManifest({
    id: "notify_gui",
    name: "Notify GUI",
    type: "ACTION",
    category: "Output",
    description:
      "Shows a notification in the user's GUIs (a log line when no GUI is attached); the payload passes through.",
    icon: "bell",
    properties: [
      { id: "level", type: "enum", label: "Level", default: "info", options: [...LEVELS] },
      { id: "title", type: "string", label: "Title", required: true },
      { id: "text", type: "textarea", label: "Text" },
    ],
    side_effects: true,
  }),
  execute,
  simulate,
};
