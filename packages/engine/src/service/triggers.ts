import type { WorkflowNode } from "@flowork/protocol";
import { Cron } from "croner";

/** A webhook_trigger node of a saved preset. */
export interface WebhookRoute {
  presetName: string;
  nodeId: string;
  method: string;
  responseMode: "last_node" | "immediately";
  secret: string | undefined;
}

export interface TriggerSchedulerOptions {
  /** Every saved preset's latest version. */
  listPresets: () => Promise<{ name: string; workflow_data: unknown }[]>;
  /** Starts a preset at a trigger node (the engine's job manager). */
  fire: (presetName: string, nodeId: string, payload: unknown) => Promise<void>;
  onError?: (err: unknown, context: string) => void;
  onWarning?: (message: string) => void;
}

function nodesOf(workflow: unknown): WorkflowNode[] {
  if (workflow === null || typeof workflow !== "object") return [];
  const nodes = (workflow as { nodes?: unknown }).nodes;
  return Array.isArray(nodes)
    ? (nodes.filter((n) => n !== null && typeof n === "object") as WorkflowNode[])
    : [];
}

const str = (v: unknown) => (typeof v === "string" ? v : undefined);

/**
 * Keeps the engine's triggers in step with its saved presets: a webhook route table for `POST /webhook/<path>`,
 * and croner / interval timers for schedules. Missed runs while the engine was down are not replayed.
 */
export class TriggerScheduler {
  readonly #o: TriggerSchedulerOptions;
  #webhooks = new Map<string, WebhookRoute>();
  #timers: { stop(): void }[] = [];
  #refreshing: Promise<void> | undefined;
  #again = false;

  constructor(options: TriggerSchedulerOptions) {
    this.#o = options;
  }

  webhook(path: string): WebhookRoute | undefined {
    return this.#webhooks.get(path.replace(/^\/+|\/+$/g, ""));
  }

  get scheduledCount(): number {
    return this.#timers.length;
  }

  /** Re-reads the presets and rebuilds every route and timer (coalesced: concurrent calls share one pass). */
  refresh(): Promise<void> {
    if (this.#refreshing) {
      this.#again = true;
      return this.#refreshing;
    }
    this.#refreshing = (async () => {
      do {
        this.#again = false;
        await this.#rebuild().catch((err: unknown) => this.#o.onError?.(err, "triggers"));
      } while (this.#again);
      this.#refreshing = undefined;
    })();
    return this.#refreshing;
  }

  async #rebuild(): Promise<void> {
    const presets = await this.#o.listPresets();
    const webhooks = new Map<string, WebhookRoute>();
    const timers: { stop(): void }[] = [];
    for (const preset of [...presets].sort((a, b) => a.name.localeCompare(b.name))) {
      for (const node of nodesOf(preset.workflow_data)) {
        const config = (node.config_values ?? {}) as Record<string, unknown>;
        const fire = (payload: unknown) =>
          void this.#o
            .fire(preset.name, node.id, payload)
            .catch((err: unknown) => this.#o.onError?.(err, `trigger ${preset.name}/${node.id}`));
        if (node.module_id === "webhook_trigger") {
          const path = (str(config.path) ?? "").replace(/^\/+|\/+$/g, "");
          if (!path) continue;
          if (webhooks.has(path)) {
            this.#o.onWarning?.(`webhook path "${path}" of preset "${preset.name}" is already used; ignored`);
            continue;
          }
          webhooks.set(path, {
            presetName: preset.name,
            nodeId: node.id,
            method: (str(config.method) ?? "POST").toUpperCase(),
            responseMode: config.response_mode === "immediately" ? "immediately" : "last_node",
            secret: str(config.secret) || undefined,
          });
        } else if (node.module_id === "cron_trigger" && str(config.cron)) {
          try {
            const timezone = str(config.timezone) || undefined;
            const job = new Cron(
              str(config.cron) as string,
              { ...(timezone && { timezone }), protect: true, unref: true },
              () => fire({ trigger: "cron", fired_at: new Date().toISOString() }),
            );
            timers.push(job);
          } catch (err) {
            this.#o.onWarning?.(
              `cron of preset "${preset.name}" node "${node.id}" is invalid: ${String(err)}`,
            );
          }
        } else if (node.module_id === "interval_trigger") {
          const seconds = Number(config.seconds);
          if (!Number.isFinite(seconds) || seconds < 1) continue;
          const timer = setInterval(
            () => fire({ trigger: "interval", fired_at: new Date().toISOString() }),
            seconds * 1000,
          );
          timer.unref();
          timers.push({ stop: () => clearInterval(timer) });
        }
      }
    }
    for (const t of this.#timers) t.stop();
    this.#timers = timers;
    this.#webhooks = webhooks;
  }

  stop(): void {
    for (const t of this.#timers) t.stop();
    this.#timers = [];
    this.#webhooks.clear();
  }
}
