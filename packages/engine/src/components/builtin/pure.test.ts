import { afterAll, describe, expect, it } from "vitest";
import { runDoc, wf } from "../../runtime/test-helpers.js";
import { createSandbox } from "../../sandbox/index.js";
import { MemoryVariables, parseVariableDocument } from "../../variables/index.js";

/** One test per row of SPEC section 5's component table, run through the real runtime. */
const sandbox = createSandbox({ poolSize: 1 });
afterAll(() => sandbox.close());

async function one(
  moduleId: string,
  config: Record<string, unknown>,
  payload: unknown,
  extra: Parameters<typeof runDoc>[1] = {},
) {
  const out = await runDoc(wf([["n", moduleId, config]]), {
    initialPayload: payload,
    services: { sandbox },
    ...extra,
  });
  return out;
}

describe("built-in components, per SPEC section 5", () => {
  it("manual_trigger passes the initial payload on", async () => {
    expect((await one("manual_trigger", {}, { a: 1 })).result).toEqual({ n: { a: 1 } });
  });

  it("set_data merges templated fields", async () => {
    expect(
      (await one("set_data", { fields: { b: "{{payload.a}}", c: "x{{payload.a}}" } }, { a: 2 })).result.n,
    ).toEqual({ a: 2, b: 2, c: "x2" });
  });

  it("template renders into output_field", async () => {
    expect(
      (await one("template", { template: "Hi {{payload.name}}", output_field: "msg" }, { name: "Ada" }))
        .result.n,
    ).toEqual({ name: "Ada", msg: "Hi Ada" });
  });

  it("expression evaluates over payload and vars into output_field", async () => {
    const variables = new MemoryVariables(parseVariableDocument({ RATE: "2" }));
    const out = await one(
      "expression",
      { expression: "payload.price * Number(vars.RATE)", output_field: "total" },
      { price: 21 },
      { variables },
    );
    expect(out.result.n).toEqual({ price: 21, total: 42 });
  });

  it("if_condition routes true / false with every operator", async () => {
    const cases: [string, unknown, unknown, boolean][] = [
      ["eq", 5, "5", true],
      ["ne", 5, 6, true],
      ["gt", 10, "9", true],
      ["gte", 3, 3, true],
      ["lt", "a", "b", true],
      ["lte", 4, 3, false],
      ["contains", "hello", "ell", true],
      ["contains", [1, 2], 2, true],
      ["exists", "", undefined, false],
    ];
    for (const [operator, left, right, expected] of cases) {
      const out = await one(
        "if_condition",
        { left: "{{payload.l}}", operator, right: "{{payload.r}}" },
        { l: left, r: right },
      );
      const metric = out.metrics.find((m) => m.status === "SUCCEEDED");
      expect(metric?.output_port, `${JSON.stringify(left)} ${operator} ${JSON.stringify(right)}`).toBe(
        String(expected),
      );
    }
  });

  it("switch emits on case_i for the first equal case, else default", async () => {
    const port = async (value: unknown) =>
      (await one("switch", { value: "{{payload.v}}", cases: ["a", "b", 3] }, { v: value })).metrics.find(
        (m) => m.status === "SUCCEEDED",
      )?.output_port;
    expect(await port("b")).toBe("case_1");
    expect(await port(3)).toBe("case_2");
    expect(await port("zzz")).toBe("default");
  });

  it("delay waits, then passes the payload on", async () => {
    const t0 = performance.now();
    const out = await one("delay", { milliseconds: 40 }, { k: 1 });
    expect(performance.now() - t0).toBeGreaterThanOrEqual(35);
    expect(out.result.n).toEqual({ k: 1 });
  });

  it("throw_error fails with USER_ERROR", async () => {
    const out = await one("throw_error", { message: "bad {{payload.x}}" }, { x: 1 });
    expect(out.error).toEqual({ code: "USER_ERROR", message: 'node "n" failed: bad 1' });
  });

  it("log_message writes a log event at its level", async () => {
    const out = await one("log_message", { message: "hello {{payload.who}}", level: "WARN" }, { who: "you" });
    expect(out.logs).toEqual([
      expect.objectContaining({ level: "WARN", message: "hello you", node_id: "n" }),
    ]);
  });

  it("debug_popup shows the payload or a field", async () => {
    const out = await one("debug_popup", { title: "Look", field: "a.b" }, { a: { b: [1] } });
    expect(out.events.find((e) => e.type === "SHOW_DEBUG_POPUP")).toMatchObject({
      title: "Look",
      content: [1],
      node_id: "n",
    });
  });

  it("code_javascript returns the new payload; console.log becomes log events", async () => {
    const out = await one(
      "code_javascript",
      { code: "console.log('n is', payload.n); return { doubled: payload.n * 2 };" },
      { n: 21 },
    );
    expect(out.result.n).toEqual({ doubled: 42 });
    expect(out.logs.map((l) => l.message)).toContain("n is 21");
  });

  it("json_parse and json_stringify round-trip", async () => {
    expect(
      (await one("json_parse", { source_path: "raw", output_field: "data" }, { raw: '{"x":[1,2]}' })).result
        .n,
    ).toEqual({ raw: '{"x":[1,2]}', data: { x: [1, 2] } });
    expect((await one("json_stringify", { source_path: "data" }, { data: { x: 1 } })).result.n).toEqual({
      data: { x: 1 },
      json: '{"x":1}',
    });
    expect((await one("json_parse", { source_path: "raw" }, { raw: "{nope" })).error?.code).toBe(
      "USER_ERROR",
    );
  });

  it("filter_array, sort_array and pick_fields", async () => {
    const people = [
      { name: "b", age: 30 },
      { name: "a", age: 20 },
      { name: "c", age: 40 },
    ];
    expect(
      (
        await one(
          "filter_array",
          { items_path: "people", field: "age", operator: "gte", value: "30" },
          { people },
        )
      ).result.n,
    ).toEqual({
      people: [people[0], people[2]],
    });
    expect(
      (await one("sort_array", { items_path: "people", field: "name", direction: "desc" }, { people })).result
        .n,
    ).toEqual({
      people: [people[2], people[0], people[1]],
    });
    expect(
      (
        await one(
          "pick_fields",
          { fields: ["user.name", "id"] },
          { id: 1, user: { name: "x", secret: "y" }, other: 2 },
        )
      ).result.n,
    ).toEqual({
      id: 1,
      user: { name: "x" },
    });
  });

  it("variable_get reads (sequential mode walks the values); variable_set writes", async () => {
    const writes: string[] = [];
    const variables = new MemoryVariables(
      parseVariableDocument({ COLOR: { values: ["red", "blue"], mode: "sequential" } }),
      (name, def) => {
        writes.push(`${name}=${def.value}`);
      },
    );
    const doc = wf(
      [
        ["g1", "variable_get", { name: "COLOR", output_field: "first" }],
        ["g2", "variable_get", { name: "COLOR", output_field: "second" }],
        ["s", "variable_set", { name: "LAST", value: "{{payload.second}}" }],
      ],
      [
        ["g1", "g2"],
        ["g2", "s"],
      ],
    );
    const out = await runDoc(doc, { variables });
    expect(out.result.s).toEqual({ first: "red", second: "blue" });
    expect(writes).toEqual(["LAST=blue"]);
    expect((await one("variable_get", { name: "MISSING" }, {})).error?.code).toBe("NOT_FOUND");
  });

  it("loop emits {item, index, parent} per element and done after the last", async () => {
    const doc = wf(
      [
        ["l", "loop", { items_path: "xs" }],
        ["body", "set_data", { fields: { seen: "{{payload.index}}:{{payload.item}}" } }],
      ],
      [["l", "body", "item"]],
    );
    const out = await runDoc(doc, { initialPayload: { xs: ["a", "b"] } });
    expect(out.result.body).toMatchObject({ item: "b", index: 1, seen: "1:b", parent: { xs: ["a", "b"] } });
    expect(out.result.l).toEqual({ xs: ["a", "b"] });
  });
});
