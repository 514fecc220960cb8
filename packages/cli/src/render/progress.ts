import type { JobEvent, NodeExecutionMetric } from "@flowork/protocol";
import type { Palette } from "./colors.js";

export interface ProgressOutput {
  write(line: string): void;
}

function formatMs(ms: number | undefined): string {
  if (ms === undefined) return "";
  if (ms < 1) return `${(ms * 1000).toFixed(0)} µs`;
  if (ms < 1000) return `${ms.toFixed(ms < 10 ? 2 : 0)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

/**
 * The human view of a run: one line per finished node (name, component, duration, port), log lines as they
 * come, retries, and a summary. Lines stream as events arrive, so long runs show progress live.
 */
export class ProgressRenderer {
  readonly #out: ProgressOutput;
  readonly #c: Palette;
  readonly #names: Map<string, string>;
  #nodeCount = 0;
  #failedCount = 0;

  constructor(out: ProgressOutput, palette: Palette, nodeNames: Map<string, string>) {
    this.#out = out;
    this.#c = palette;
    this.#names = nodeNames;
  }

  header(file: string, mode: string, jobId: string): void {
    this.#out.write(`${this.#c.bold("▶")} ${this.#c.bold(file)} ${this.#c.dim(`${mode} · ${jobId}`)}`);
  }

  handle(event: JobEvent): void {
    switch (event.type) {
      case "NODE_EXECUTION_METRIC":
        this.#metric(event);
        return;
      case "log": {
        const level = event.level;
        const color =
          level === "ERROR"
            ? this.#c.red
            : level === "WARN"
              ? this.#c.yellow
              : level === "SUCCESS"
                ? this.#c.green
                : this.#c.dim;
        const where = event.node_id ? `${this.#label(event.node_id)}: ` : "";
        this.#out.write(`  ${this.#c.dim("│")} ${color(level.padEnd(5))} ${where}${event.message}`);
        return;
      }
      case "SHOW_DEBUG_POPUP":
        this.#out.write(
          `  ${this.#c.cyan("◆")} ${event.title} ${this.#c.dim(`(${this.#label(event.node_id)})`)}`,
        );
        for (const line of JSON.stringify(event.content, null, 2)?.split("\n") ?? ["undefined"]) {
          this.#out.write(`  ${this.#c.dim("│")}   ${line}`);
        }
        return;
      case "workflow_status_update":
        if (event.status_data.status === "PAUSED") this.#out.write(`  ${this.#c.yellow("‖ paused")}`);
        return;
    }
  }

  summary(
    status: string,
    durationMs: number,
    result: unknown,
    error?: { code: string; message: string },
  ): void {
    const ok = status === "SUCCEEDED";
    const mark = ok ? this.#c.green("✔") : this.#c.red("✘");
    const counts = `${this.#nodeCount} node run${this.#nodeCount === 1 ? "" : "s"}${this.#failedCount ? `, ${this.#failedCount} failed` : ""}`;
    this.#out.write(
      `${mark} ${this.#c.bold(status)} in ${formatMs(durationMs)} ${this.#c.dim(`· ${counts}`)}`,
    );
    if (error) this.#out.write(`  ${this.#c.red(`${error.code}: ${error.message}`)}`);
    if (ok) this.#out.write(`${this.#c.dim("result:")} ${JSON.stringify(result, null, 2)}`);
  }

  #label(nodeId: string): string {
    const name = this.#names.get(nodeId);
    return name && name !== nodeId ? `${name} (${nodeId})` : nodeId;
  }

  #metric(m: NodeExecutionMetric): void {
    const label = `${this.#label(m.node_id)} ${this.#c.dim(m.module_id)}`;
    switch (m.status) {
      case "RUNNING":
        if (m.attempt > 1)
          this.#out.write(`  ${this.#c.yellow("↻")} ${label} ${this.#c.dim(`attempt ${m.attempt}`)}`);
        return;
      case "SUCCEEDED":
        this.#nodeCount++;
        this.#out.write(
          `  ${this.#c.green("✓")} ${label} ${this.#c.dim(formatMs(m.duration_ms))}${m.output_port ? this.#c.dim(` → ${m.output_port}`) : ""}`,
        );
        return;
      case "FAILED":
        this.#nodeCount++;
        this.#failedCount++;
        this.#out.write(
          `  ${this.#c.red("✗")} ${label} ${this.#c.dim(formatMs(m.duration_ms))}${m.error ? ` ${this.#c.red(`${m.error.code}: ${m.error.message}`)}` : ""}`,
        );
        return;
      case "SKIPPED":
        return;
    }
  }
}
