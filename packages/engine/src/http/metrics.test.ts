import { describe, expect, expectTypeOf, it } from "vitest";
import {
  type Counter,
  escapeLabelValue,
  formatValue,
  MetricsRegistry,
  PROMETHEUS_CONTENT_TYPE,
} from "./metrics.js";

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

interface Parsed {
  help: Map<string, string>;
  type: Map<string, string>;
  samples: Sample[];
}

/** A strict parser of the text format 0.0.4, enough to check what render() writes. */
function parse(text: string): Parsed {
  expect(text.endsWith("\n")).toBe(true);
  const out: Parsed = { help: new Map(), type: new Map(), samples: [] };
  for (const line of text.slice(0, -1).split("\n")) {
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (meta) {
      const [, kind, name, rest] = meta as unknown as [string, string, string, string];
      const unescaped = rest.replace(/\\(\\|n)/g, (_m, c: string) => (c === "n" ? "\n" : "\\"));
      (kind === "HELP" ? out.help : out.type).set(name, unescaped);
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`unparseable line: ${JSON.stringify(line)}`);
    const labels: Record<string, string> = {};
    const labelRe = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\["\\n])*)"(,|$)/y;
    const body = m[2] ?? "";
    let pos = 0;
    while (pos < body.length) {
      labelRe.lastIndex = pos;
      const l = labelRe.exec(body);
      if (!l) throw new Error(`bad labels: ${body}`);
      labels[l[1] as string] = (l[2] as string).replace(/\\(["\\n])/g, (_x, c: string) =>
        c === "n" ? "\n" : c,
      );
      pos = labelRe.lastIndex;
    }
    const raw = m[3] as string;
    const value = raw === "+Inf" ? Infinity : raw === "-Inf" ? -Infinity : Number(raw);
    out.samples.push({ name: m[1] as string, labels, value });
  }
  return out;
}

const find = (p: Parsed, name: string, labels: Record<string, string> = {}) =>
  p.samples.find((s) => s.name === name && JSON.stringify(s.labels) === JSON.stringify(labels))?.value;

describe("MetricsRegistry", () => {
  it("renders counters and gauges with HELP and TYPE", () => {
    const reg = new MetricsRegistry();
    const commands = reg.counter({ name: "flowork_commands_total", help: "Commands.", labelNames: ["type"] });
    const up = reg.counter({ name: "flowork_restarts_total", help: "Restarts." });
    const jobs = reg.gauge({ name: "flowork_active_jobs", help: "Jobs running now." });
    commands.labels({ type: "ping" }).inc();
    commands.labels({ type: "ping" }).inc(2);
    commands.labels({ type: "save_preset" }).inc();
    jobs.set(3);
    jobs.dec();
    jobs.inc(0.5);
    const p = parse(reg.render());
    expect(p.type.get("flowork_commands_total")).toBe("counter");
    expect(p.type.get("flowork_active_jobs")).toBe("gauge");
    expect(p.help.get("flowork_commands_total")).toBe("Commands.");
    expect(find(p, "flowork_commands_total", { type: "ping" })).toBe(3);
    expect(find(p, "flowork_commands_total", { type: "save_preset" })).toBe(1);
    expect(find(p, "flowork_restarts_total")).toBe(0); // a label-less metric is there from the start
    expect(find(p, "flowork_active_jobs")).toBe(2.5);
    expect(up.type).toBe("counter");
  });

  it("escapes label values and help text", () => {
    const reg = new MetricsRegistry();
    const c = reg.counter({ name: "x_total", help: 'back\\slash "quoted"\nnext line', labelNames: ["v"] });
    const nasty = 'a\\b"c\nd}e,f="g"';
    c.labels({ v: nasty }).inc();
    const text = reg.render();
    expect(text).toContain('# HELP x_total back\\\\slash "quoted"\\nnext line\n');
    const p = parse(text);
    expect(p.help.get("x_total")).toBe('back\\slash "quoted"\nnext line');
    expect(find(p, "x_total", { v: nasty })).toBe(1);
    expect(escapeLabelValue('\\"\n')).toBe('\\\\\\"\\n');
  });

  it("renders histograms with cumulative buckets, +Inf, sum and count", () => {
    const reg = new MetricsRegistry();
    const h = reg.histogram({
      name: "flowork_node_duration_seconds",
      help: "Node durations.",
      labelNames: ["module_id"],
      buckets: [0.1, 1, 10],
    });
    const series = h.labels({ module_id: "http_request" });
    for (const v of [0.05, 0.1, 0.5, 2, 20]) series.observe(v);
    const p = parse(reg.render());
    expect(p.type.get("flowork_node_duration_seconds")).toBe("histogram");
    const b = (le: string) =>
      find(p, "flowork_node_duration_seconds_bucket", { module_id: "http_request", le });
    expect([b("0.1"), b("1"), b("10"), b("+Inf")]).toEqual([2, 3, 4, 5]);
    expect(find(p, "flowork_node_duration_seconds_sum", { module_id: "http_request" })).toBeCloseTo(22.65);
    expect(find(p, "flowork_node_duration_seconds_count", { module_id: "http_request" })).toBe(5);
  });

  it("renders a label-less histogram at zero before any observation", () => {
    const reg = new MetricsRegistry();
    reg.histogram({ name: "h", help: "h", buckets: [1] });
    const p = parse(reg.render());
    expect(find(p, "h_bucket", { le: "1" })).toBe(0);
    expect(find(p, "h_bucket", { le: "+Inf" })).toBe(0);
    expect(find(p, "h_count")).toBe(0);
  });

  it("reads collect-on-scrape gauges, keeping old values when the reader throws", () => {
    const reg = new MetricsRegistry();
    let value = 7;
    reg.gauge({ name: "uptime_seconds", help: "Uptime.", collect: (g) => g.set(value) });
    expect(find(parse(reg.render()), "uptime_seconds")).toBe(7);
    value = 9;
    expect(find(parse(reg.render()), "uptime_seconds")).toBe(9);
    const broken = new MetricsRegistry();
    broken.gauge({
      name: "g",
      help: "g",
      collect: () => {
        throw new Error("boom");
      },
    });
    expect(find(parse(broken.render()), "g")).toBe(0);
  });

  it("formats special values", () => {
    expect([
      formatValue(Infinity),
      formatValue(-Infinity),
      formatValue(Number.NaN),
      formatValue(1.5),
    ]).toEqual(["+Inf", "-Inf", "NaN", "1.5"]);
    const reg = new MetricsRegistry();
    reg.gauge({ name: "g", help: "g" }).set(-Infinity);
    expect(find(parse(reg.render()), "g")).toBe(-Infinity);
  });

  it("refuses misuse", () => {
    const reg = new MetricsRegistry();
    const c = reg.counter({ name: "c_total", help: "c", labelNames: ["a"] });
    expect(() => reg.counter({ name: "c_total", help: "again" })).toThrow(/already registered/);
    expect(() => reg.counter({ name: "bad-name", help: "" })).toThrow(/metric name/);
    expect(() => reg.counter({ name: "ok", help: "", labelNames: ["__x"] })).toThrow(/label name/);
    expect(() => reg.counter({ name: "ok2", help: "", labelNames: ["a", "a"] })).toThrow(/duplicate/);
    expect(() => reg.histogram({ name: "h", help: "", labelNames: ["le"] })).toThrow(/reserved/);
    expect(() => reg.histogram({ name: "h2", help: "", buckets: [1, 1] })).toThrow(/ascending/);
    expect(() => c.inc()).toThrow(/takes labels/);
    expect(() => c.labels({ a: "x", b: "y" } as { a: string })).toThrow(/takes labels/);
    expect(() => c.labels({ a: "x" }).inc(-1)).toThrow(RangeError);
    expect(() => reg.histogram({ name: "h3", help: "" }).observe(Number.NaN)).toThrow(RangeError);
  });

  it("refuses wrong labels also once the series exists, and keeps values with separators apart", () => {
    const reg = new MetricsRegistry();
    const c = reg.counter({ name: "pair_total", help: "p", labelNames: ["a", "b"] });
    c.labels({ a: "x", b: "y" }).inc();
    expect(() => c.labels({ a: "x", b: "y", z: "1" } as { a: string; b: string })).toThrow(/takes labels/);
    expect(() => c.labels({ a: "x", c: "y" } as unknown as { a: string; b: string })).toThrow(/takes labels/);
    // Joined with the separator these would be the same key.
    c.labels({ a: "p\u0000q", b: "r" }).inc();
    c.labels({ a: "p", b: "q\u0000r" }).inc(5);
    c.labels({ a: "\u0001x", b: "" }).inc(7);
    const p = parse(reg.render());
    expect(p.samples.filter((s) => s.name === "pair_total")).toHaveLength(4);
    expect(find(p, "pair_total", { a: "x", b: "y" })).toBe(1);
  });

  it("caps the series per metric", () => {
    const reg = new MetricsRegistry({ maxSeriesPerMetric: 2 });
    const c = reg.counter({ name: "c_total", help: "c", labelNames: ["id"] });
    for (const id of ["a", "b", "c", "d"]) c.labels({ id }).inc();
    const p = parse(reg.render());
    expect(p.samples.filter((s) => s.name === "c_total")).toHaveLength(2);
    expect(c.droppedSeries).toBe(2);
  });

  it("renders nothing for an empty registry and names its content type", () => {
    expect(new MetricsRegistry().render()).toBe("");
    expect(PROMETHEUS_CONTENT_TYPE).toBe("text/plain; version=0.0.4; charset=utf-8");
  });

  it("types label names from the declaration", () => {
    const reg = new MetricsRegistry();
    const c = reg.counter({ name: "typed_total", help: "t", labelNames: ["code", "route"] });
    expectTypeOf(c).toEqualTypeOf<Counter<"code" | "route">>();
    expectTypeOf(c.labels).parameter(0).toEqualTypeOf<Record<"code" | "route", string | number>>();
    // @ts-expect-error a missing label is a compile error
    expect(() => c.labels({ code: "x" })).toThrow();
  });
});
