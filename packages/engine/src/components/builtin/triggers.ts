import { Cron } from "croner";
import { builtinManifest, number } from "../define.js";
import type { ComponentDefinition } from "../types.js";

/** Triggers pass the run's initial payload on; what starts them (a user, a webhook, a schedule) is the engine's job. */
const passThrough = (payload: unknown) => ({ payload });

export const manualTrigger: ComponentDefinition = {
  manifest: builtinManifest({
    id: "manual_trigger",
    name: "Manual Trigger",
    type: "TRIGGER",
    category: "Triggers",
    description: "Starts the workflow when you press Execute; passes the initial payload on.",
    icon: "play",
  }),
  execute: passThrough,
};

export const webhookTrigger: ComponentDefinition = {
  manifest: builtinManifest({
    id: "webhook_trigger",
    name: "Webhook Trigger",
    type: "TRIGGER",
    category: "Triggers",
    description: "Starts the saved preset on POST /webhook/<path> with {body, query, headers}.",
    icon: "webhook",
    properties: [
      {
        id: "path",
        type: "string",
        label: "Path",
        required: true,
        description: "Letters, digits, -, _ and /.",
      },
      {
        id: "method",
        type: "enum",
        label: "Method",
        default: "POST",
        options: ["GET", "POST", "PUT", "PATCH", "DELETE"],
      },
      {
        id: "response_mode",
        type: "enum",
        label: "Response",
        default: "last_node",
        options: [
          { value: "last_node", label: "Payload of the last node" },
          { value: "immediately", label: "202 at once with the job id" },
        ],
      },
      {
        id: "secret",
        type: "string",
        label: "Secret",
        description: "If set, callers must send it in X-Flowork-Webhook-Secret.",
      },
    ],
  }),
  validateConfig: (config) => {
    const path = config.path;
    return typeof path === "string" &&
      !/^[A-Za-z0-9][A-Za-z0-9_\-/]{0,199}$/.test(path) &&
      !path.includes("{{")
      ? ['"path" may only hold letters, digits, "-", "_" and "/", and must not start with "/"']
      : [];
  },
  execute: passThrough,
};

export const cronTrigger: ComponentDefinition = {
  manifest: builtinManifest({
    id: "cron_trigger",
    name: "Cron Trigger",
    type: "TRIGGER",
    category: "Triggers",
    description: "Starts the saved preset on a cron schedule (croner syntax).",
    icon: "clock",
    properties: [
      { id: "cron", type: "cron_editor", label: "Schedule", required: true, description: "e.g. */5 * * * *" },
      { id: "timezone", type: "string", label: "Time zone", description: "IANA name, e.g. Europe/Berlin" },
    ],
  }),
  validateConfig: (config) => {
    if (typeof config.cron !== "string" || config.cron.includes("{{")) return [];
    try {
      const tz = typeof config.timezone === "string" && config.timezone !== "" ? config.timezone : undefined;
      new Cron(config.cron, { paused: true, ...(tz && { timezone: tz }) }).stop();
      return [];
    } catch (err) {
      return [`"cron" is not a valid schedule: ${err instanceof Error ? err.message : String(err)}`];
    }
  },
  execute: passThrough,
};

export const intervalTrigger: ComponentDefinition = {
  manifest: builtinManifest({
    id: "interval_trigger",
    name: "Interval Trigger",
    type: "TRIGGER",
    category: "Triggers",
    description: "Starts the saved preset every N seconds.",
    icon: "repeat",
    properties: [{ id: "seconds", type: "float", label: "Every (seconds)", required: true, default: 60 }],
  }),
  validateConfig: (config) =>
    config.seconds === undefined || number(config.seconds, 0) >= 1 || String(config.seconds).includes("{{")
      ? []
      : ['"seconds" must be at least 1'],
  execute: passThrough,
};
