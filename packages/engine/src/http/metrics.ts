/*
 * A small Prometheus registry with no dependencies, for `GET /metrics` (SPEC section 4): counters, gauges and
 * histograms with labels, rendered in the text exposition format 0.0.4.
 * https://prometheus.io/docs/instrumenting/exposition_formats/
 */

/** The `Content-Type` of {@link MetricsRegistry.render}'s output. */
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** Default histogram buckets, in seconds (the Prometheus client default; suits node durations). */
export const DEFAULT_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Default cap on label combinations per metric. */
export const DEFAULT_MAX_SERIES = 10_000;

const METRIC_NAME_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Label values by label name. */
export type LabelValues<L extends string> = Record<L, string | number>;

/** What every metric is declared with. */
export interface MetricOptions<L extends string> {
  /** `[a-zA-Z_:][a-zA-Z0-9_:]*`, e.g. `flowork_commands_total`. */
  name: string;
  help: string;
  labelNames?: readonly L[];
}

/** A counter's series: it only goes up. */
export interface CounterSeries {
  /** @throws RangeError for a negative or non-finite amount. */
  inc(by?: number): void;
}

/** A gauge's series: any value. */
export interface GaugeSeries {
  set(value: number): void;
  inc(by?: number): void;
  dec(by?: number): void;
}

/** A histogram's series. */
export interface HistogramSeries {
  /** @throws RangeError for NaN. */
  observe(value: number): void;
}

/** Formats a sample value: `+Inf`, `-Inf`, `NaN` or the number. */
export function formatValue(n: number): string {
  if (Number.isNaN(n)) return "NaN";
  if (n === Number.POSITIVE_INFINITY) return "+Inf";
  if (n === Number.NEGATIVE_INFINITY) return "-Inf";
  return String(n);
}

/** Escapes a label value: backslash, double quote and newline. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** Escapes HELP text: backslash and newline. */
export function escapeHelp(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

function countKeys(o: object): number {
  let n = 0;
  for (const _ in o) n++;
  return n;
}

function labelText(names: readonly string[], values: readonly string[], extra?: [string, string]): string {
  const pairs = names.map((name, i) => `${name}="${escapeLabelValue(values[i] ?? "")}"`);
  if (extra !== undefined) pairs.push(`${extra[0]}="${escapeLabelValue(extra[1])}"`);
  return pairs.length === 0 ? "" : `{${pairs.join(",")}}`;
}

/** What the metrics share: name, help, labels, and a bounded map of series. */
abstract class Metric<L extends string, S> {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly L[];
  /** Label combinations refused because the metric already had `maxSeries` of them. */
  droppedSeries = 0;
  protected readonly series = new Map<string, { values: string[]; state: S }>();
  readonly #maxSeries: number;

  protected constructor(options: MetricOptions<L>, maxSeries: number) {
    if (!METRIC_NAME_RE.test(options.name)) throw new TypeError(`invalid metric name "${options.name}"`);
    const labelNames = options.labelNames ?? [];
    for (const label of labelNames) {
      if (!LABEL_NAME_RE.test(label) || label.startsWith("__")) {
        throw new TypeError(`invalid label name "${label}" on ${options.name}`);
      }
    }
    if (new Set(labelNames).size !== labelNames.length)
      throw new TypeError(`duplicate label on ${options.name}`);
    this.name = options.name;
    this.help = options.help;
    this.labelNames = [...labelNames];
    this.#maxSeries = maxSeries;
  }

  protected abstract initial(): S;
  protected abstract bind(state: S): unknown;
  protected abstract lines(labelNames: readonly string[], values: string[], state: S): string[];
  abstract readonly type: "counter" | "gauge" | "histogram";

  /** The state of one label combination, created on first use; `undefined` past the series cap. */
  protected stateFor(labels: Partial<LabelValues<L>>): S | undefined {
    // Hot path (an update per node run): the series' key from the values in label order, and no other work when
    // the series exists and exactly the declared labels were given.
    const names = this.labelNames;
    let key = "";
    let plain = true;
    for (let i = 0; i < names.length; i++) {
      const value = String(labels[names[i] as L]);
      if (value.includes("\u0000") || value.includes("\u0001")) plain = false;
      key += i === 0 ? value : `\u0000${value}`;
    }
    // A value holding either control character gets a key of its own: it starts with \u0001, which no plain key holds.
    if (!plain) key = `\u0001${JSON.stringify(names.map((name) => String(labels[name])))}`;
    const found = this.series.get(key);
    if (found !== undefined && countKeys(labels) === names.length) return found.state;
    const keys = Object.keys(labels);
    if (keys.length !== names.length || keys.some((k) => !names.includes(k as L))) {
      throw new TypeError(`${this.name} takes labels [${names.join(", ")}], got [${keys.join(", ")}]`);
    }
    if (found !== undefined) return found.state;
    if (this.series.size >= this.#maxSeries) {
      this.droppedSeries++;
      return undefined;
    }
    const values = names.map((name) => String(labels[name]));
    const state = this.initial();
    this.series.set(key, { values, state });
    return state;
  }

  /** Forgets every series (a label-less metric restarts at its initial value). */
  reset(): void {
    this.series.clear();
    if (this.labelNames.length === 0) this.stateFor({});
  }

  /** Before rendering: a hook for gauges that read their value at scrape time. */
  collect(): void {}

  /** This metric's block of the exposition text. */
  render(): string {
    const out = [`# HELP ${this.name} ${escapeHelp(this.help)}`, `# TYPE ${this.name} ${this.type}`];
    for (const { values, state } of this.series.values())
      out.push(...this.lines(this.labelNames, values, state));
    return out.join("\n");
  }
}

interface Box {
  value: number;
}

const NOOP = { inc() {}, dec() {}, set() {}, observe() {} };

/** A monotonically increasing count (requests, failures). */
export class Counter<L extends string = never> extends Metric<L, Box> implements CounterSeries {
  readonly type = "counter";

  constructor(options: MetricOptions<L>, maxSeries = DEFAULT_MAX_SERIES) {
    super(options, maxSeries);
    this.reset();
  }

  protected initial(): Box {
    return { value: 0 };
  }

  protected bind(box: Box): CounterSeries {
    return {
      inc(by = 1) {
        if (!Number.isFinite(by) || by < 0) throw new RangeError("a counter only goes up by a finite amount");
        box.value += by;
      },
    };
  }

  protected lines(names: readonly string[], values: string[], box: Box): string[] {
    return [`${this.name}${labelText(names, values)} ${formatValue(box.value)}`];
  }

  /** The series of one label combination. */
  labels(values: LabelValues<L>): CounterSeries {
    const box = this.stateFor(values);
    return box === undefined ? NOOP : this.bind(box);
  }

  /** Increments the label-less series. @throws TypeError when the counter has labels. */
  inc(by = 1): void {
    this.labels({} as LabelValues<L>).inc(by);
  }
}

/** A value that goes up and down (active jobs, queue length). */
export class Gauge<L extends string = never> extends Metric<L, Box> implements GaugeSeries {
  readonly type = "gauge";
  readonly #collect: ((gauge: Gauge<L>) => void) | undefined;

  /** `collect` runs before each render, to read a value at scrape time; if it throws, the old values stay. */
  constructor(
    options: MetricOptions<L> & { collect?: (gauge: Gauge<L>) => void },
    maxSeries = DEFAULT_MAX_SERIES,
  ) {
    super(options, maxSeries);
    this.#collect = options.collect;
    this.reset();
  }

  protected initial(): Box {
    return { value: 0 };
  }

  protected bind(box: Box): GaugeSeries {
    return {
      set(value) {
        box.value = value;
      },
      inc(by = 1) {
        box.value += by;
      },
      dec(by = 1) {
        box.value -= by;
      },
    };
  }

  protected lines(names: readonly string[], values: string[], box: Box): string[] {
    return [`${this.name}${labelText(names, values)} ${formatValue(box.value)}`];
  }

  override collect(): void {
    try {
      this.#collect?.(this);
    } catch {
      // a failing reader must not break /metrics; the previous values are rendered
    }
  }

  /** The series of one label combination. */
  labels(values: LabelValues<L>): GaugeSeries {
    const box = this.stateFor(values);
    return box === undefined ? NOOP : this.bind(box);
  }

  set(value: number): void {
    this.labels({} as LabelValues<L>).set(value);
  }

  inc(by = 1): void {
    this.labels({} as LabelValues<L>).inc(by);
  }

  dec(by = 1): void {
    this.labels({} as LabelValues<L>).dec(by);
  }
}

interface HistogramState {
  /** Observations per bucket (not cumulative), the last slot being +Inf. */
  counts: number[];
  sum: number;
  count: number;
}

/** Observations in buckets (node durations, in seconds). */
export class Histogram<L extends string = never>
  extends Metric<L, HistogramState>
  implements HistogramSeries
{
  readonly type = "histogram";
  readonly buckets: readonly number[];

  /** `buckets`: finite upper bounds, ascending; `+Inf` is implied. Default {@link DEFAULT_BUCKETS}. */
  constructor(options: MetricOptions<L> & { buckets?: readonly number[] }, maxSeries = DEFAULT_MAX_SERIES) {
    super(options, maxSeries);
    if ((options.labelNames ?? []).some((label) => label === "le")) {
      throw new TypeError(`"le" is reserved on histogram ${options.name}`);
    }
    const buckets = [...(options.buckets ?? DEFAULT_BUCKETS)];
    if (
      buckets.length === 0 ||
      buckets.some((b, i) => !Number.isFinite(b) || (i > 0 && b <= (buckets[i - 1] ?? b)))
    ) {
      throw new TypeError(`buckets of ${options.name} must be finite, strictly ascending and not empty`);
    }
    this.buckets = buckets;
    this.reset();
  }

  protected initial(): HistogramState {
    return { counts: new Array<number>(this.buckets.length + 1).fill(0), sum: 0, count: 0 };
  }

  protected bind(state: HistogramState): HistogramSeries {
    const buckets = this.buckets;
    return {
      observe(value) {
        if (Number.isNaN(value)) throw new RangeError("cannot observe NaN");
        let i = buckets.findIndex((bound) => value <= bound);
        if (i === -1) i = buckets.length;
        state.counts[i] = (state.counts[i] ?? 0) + 1;
        state.sum += value;
        state.count++;
      },
    };
  }

  protected lines(names: readonly string[], values: string[], state: HistogramState): string[] {
    const out: string[] = [];
    let cumulative = 0;
    const bounds = [...this.buckets.map(formatValue), "+Inf"];
    bounds.forEach((le, i) => {
      cumulative += state.counts[i] ?? 0;
      out.push(`${this.name}_bucket${labelText(names, values, ["le", le])} ${cumulative}`);
    });
    out.push(`${this.name}_sum${labelText(names, values)} ${formatValue(state.sum)}`);
    out.push(`${this.name}_count${labelText(names, values)} ${state.count}`);
    return out;
  }

  /** The series of one label combination. */
  labels(values: LabelValues<L>): HistogramSeries {
    const state = this.stateFor(values);
    return state === undefined ? NOOP : this.bind(state);
  }

  observe(value: number): void {
    this.labels({} as LabelValues<L>).observe(value);
  }
}

type AnyMetric = Counter<string> | Gauge<string> | Histogram<string>;

/**
 * A set of metrics rendered together. Created per engine and passed where needed (no global registry).
 *
 * @example
 * const metrics = new MetricsRegistry();
 * const commands = metrics.counter({ name: "flowork_commands_total", help: "Commands.", labelNames: ["type"] });
 * commands.labels({ type: "ping" }).inc();
 * res.setHeader("Content-Type", PROMETHEUS_CONTENT_TYPE).end(metrics.render());
 */
export class MetricsRegistry {
  readonly #metrics = new Map<string, AnyMetric>();
  readonly #maxSeries: number;

  /** `maxSeriesPerMetric` bounds memory when a label's values are not bounded (default 10 000). */
  constructor(options: { maxSeriesPerMetric?: number } = {}) {
    this.#maxSeries = options.maxSeriesPerMetric ?? DEFAULT_MAX_SERIES;
  }

  counter<const L extends string = never>(options: MetricOptions<L>): Counter<L> {
    return this.#add(new Counter<L>(options, this.#maxSeries));
  }

  gauge<const L extends string = never>(
    options: MetricOptions<L> & { collect?: (gauge: Gauge<L>) => void },
  ): Gauge<L> {
    return this.#add(new Gauge<L>(options, this.#maxSeries));
  }

  histogram<const L extends string = never>(
    options: MetricOptions<L> & { buckets?: readonly number[] },
  ): Histogram<L> {
    return this.#add(new Histogram<L>(options, this.#maxSeries));
  }

  /** The whole registry in the text exposition format 0.0.4, ending with a newline. */
  render(): string {
    const blocks: string[] = [];
    for (const metric of this.#metrics.values()) {
      metric.collect();
      blocks.push(metric.render());
    }
    return blocks.length === 0 ? "" : `${blocks.join("\n")}\n`;
  }

  #add<M extends { name: string }>(metric: M): M {
    if (this.#metrics.has(metric.name)) throw new TypeError(`metric ${metric.name} is already registered`);
    this.#metrics.set(metric.name, metric as unknown as AnyMetric);
    return metric;
  }
}
