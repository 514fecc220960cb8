import { describe, expect, expectTypeOf, it } from "vitest";
import { roleAtLeast } from "./common.js";
import {
  ENGINE_REQUEST_TYPES,
  type EngineRequestOf,
  EngineRequestSchema,
  type EngineRequestType,
  type EngineResponseOf,
  isEngineRequestType,
  MIN_ROLE,
  PresetNameSchema,
  STATE_CHANGING_TYPES,
  VariableNameSchema,
} from "./engine.js";
import { parseEngineRequest } from "./engine-parse.js";

const WF = {
  nodes: [{ id: "n1", module_id: "manual_trigger", config_values: {} }],
  connections: [],
};

/** One valid payload and one invalid payload (a known type with a bad field) per request type. */
const CASES: Record<EngineRequestType, { valid: Record<string, unknown>; invalid: Record<string, unknown> }> =
  {
    ping: { valid: {}, invalid: { extra: 1 } },
    execute_workflow: {
      valid: {
        workflow_data: WF,
        mode: "EXECUTE",
        initial_payload: { a: [1, "x", null] },
        start_node_id: "n1",
      },
      invalid: { workflow_data: WF, mode: "RUN" },
    },
    execute_standalone_node: {
      valid: {
        job_id: "job-1",
        node_data: { module_id: "set_data", config_values: { fields: {} } },
        mode: "SIMULATE",
      },
      invalid: { node_data: { module_id: "" }, mode: "EXECUTE" },
    },
    stop_workflow: { valid: { job_id: "j1" }, invalid: {} },
    pause_workflow: { valid: { job_id: "j1" }, invalid: { job_id: "" } },
    resume_workflow: { valid: { job_id: "j1" }, invalid: { job_id: 5 } },
    subscribe_job: { valid: { job_id: "j1" }, invalid: { job_id: "bad id with spaces" } },
    request_execution_history: {
      valid: { limit: 200, before: "2025-01-01T00:00:00.000Z" },
      invalid: { limit: 201 },
    },
    request_execution: { valid: { job_id: "j1" }, invalid: { job_id: null } },
    request_components_list: { valid: { component_type: "ACTION" }, invalid: { component_type: "action" } },
    request_presets_list: { valid: {}, invalid: { name: "x" } },
    load_preset: { valid: { name: "Daily report (v2)", version: 3 }, invalid: { name: "a/b" } },
    request_preset_versions: { valid: { name: "Daily report" }, invalid: { name: ".." } },
    save_preset: { valid: { name: "Daily report", workflow_data: WF }, invalid: { name: "Daily report" } },
    delete_preset: { valid: { name: "Daily report" }, invalid: { name: "bad\u0000name" } },
    request_variables: { valid: {}, invalid: { secret: true } },
    update_variable: {
      valid: {
        name: "API_KEY",
        data: { value: "s3cret", mode: "single", is_secret: true, is_enabled: true },
      },
      invalid: {
        name: "api_key",
        data: { value: "s3cret", mode: "single", is_secret: true, is_enabled: true },
      },
    },
    delete_variable: { valid: { name: "API_KEY" }, invalid: { name: "1ABC" } },
    request_audit_log: { valid: { limit: 500 }, invalid: { limit: 501 } },
    request_settings: { valid: {}, invalid: { settings: {} } },
    save_settings: { valid: { settings: { log_level: "DEBUG" } }, invalid: { settings: { unknown_key: 1 } } },
  };

const frame = (type: string, fields: Record<string, unknown>) => ({ type, request_id: "r-1", ...fields });

describe("engine requests", () => {
  it("cover exactly the SPEC section 4 table", () => {
    expect(Object.keys(CASES).sort()).toEqual([...ENGINE_REQUEST_TYPES].sort());
    expect(ENGINE_REQUEST_TYPES).toHaveLength(21);
  });

  for (const type of ENGINE_REQUEST_TYPES) {
    describe(type, () => {
      const { valid, invalid } = CASES[type];
      it("parses a valid example", () => {
        const r = parseEngineRequest(frame(type, valid));
        expect(r.ok ? r.request.type : r.error.toBody()).toBe(type);
        expect(EngineRequestSchema.safeParse(frame(type, valid)).success).toBe(true);
      });
      it("rejects an invalid example with VALIDATION_FAILED and details.issues", () => {
        const r = parseEngineRequest(frame(type, invalid));
        expect(r.ok).toBe(false);
        if (r.ok) return;
        expect(r.error.code).toBe("VALIDATION_FAILED");
        expect(r.request_id).toBe("r-1");
        const issues = r.error.details?.["issues"] as { path: unknown[]; code: string; message: string }[];
        expect(issues.length).toBeGreaterThan(0);
        for (const issue of issues) expect(Object.keys(issue).sort()).toEqual(["code", "message", "path"]);
      });
      it("rejects an unknown field", () => {
        const r = parseEngineRequest(frame(type, { ...valid, surprise: 1 }));
        expect(!r.ok && r.error.code).toBe("VALIDATION_FAILED");
      });
      it("requires a request_id of 1 to 128 chars", () => {
        for (const request_id of [undefined, "", "x".repeat(129), 7]) {
          const r = parseEngineRequest({ ...valid, type, request_id });
          expect(!r.ok && r.error.code).toBe("VALIDATION_FAILED");
        }
        expect(parseEngineRequest({ ...valid, type, request_id: "x".repeat(128) }).ok).toBe(true);
      });
    });
  }
});

describe("parseEngineRequest envelope errors", () => {
  it("gives BAD_REQUEST for a non-object payload", () => {
    for (const payload of [null, undefined, 1, "ping", [], [{ type: "ping" }], true]) {
      const r = parseEngineRequest(payload);
      expect(!r.ok && r.error.code).toBe("BAD_REQUEST");
    }
  });

  it("gives BAD_REQUEST for a missing or non-string type, keeping a readable request_id", () => {
    for (const type of [undefined, null, 1, {}, ["ping"]]) {
      const r = parseEngineRequest({ type, request_id: "r-9" });
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.error.code).toBe("BAD_REQUEST");
        expect(r.request_id).toBe("r-9");
      }
    }
  });

  it("does not read type from the prototype", () => {
    const payload = Object.create({ type: "ping" }) as Record<string, unknown>;
    payload["request_id"] = "r";
    const r = parseEngineRequest(payload);
    expect(!r.ok && r.error.code).toBe("BAD_REQUEST");
  });

  it("gives UNKNOWN_MESSAGE_TYPE for an unknown type, without echoing it", () => {
    for (const type of ["launch_missiles", "", "toString", "__proto__", "constructor", "PING", "pong"]) {
      const r = parseEngineRequest({ type, request_id: "r-2" });
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.error.code).toBe("UNKNOWN_MESSAGE_TYPE");
        expect(r.request_id).toBe("r-2");
        if (type.length > 2) expect(JSON.stringify(r.error.toBody())).not.toContain(type);
      }
    }
  });

  it("never echoes a submitted value in the issues", () => {
    const secret = "sk-live-VERY-SECRET-VALUE-123";
    const payloads = [
      frame("update_variable", {
        name: "K",
        data: { value: 42, mode: secret, is_secret: true, is_enabled: true },
      }),
      frame("update_variable", { name: secret, data: { value: secret, mode: "single", is_secret: "yes" } }),
      frame("save_settings", { settings: { log_level: secret, http_allowed_hosts: [secret, 1] } }),
      frame("execute_workflow", { preset_name: `${secret}/x`, mode: secret }),
      frame("load_preset", { name: secret, version: secret }),
      frame("ping", { request_id: { secret } }),
    ];
    for (const payload of payloads) {
      const r = parseEngineRequest(payload);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(JSON.stringify(r.error.toBody())).not.toContain("VERY-SECRET");
    }
  });

  it("refuses nesting deeper than the limit with VALIDATION_FAILED instead of overflowing", () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const r = parseEngineRequest(
      frame("execute_workflow", { workflow_data: WF, mode: "EXECUTE", initial_payload: deep }),
    );
    expect(!r.ok && r.error.code).toBe("VALIDATION_FAILED");
    const shallow = { a: { b: { c: [1, 2, { d: "e" }] } } };
    expect(
      parseEngineRequest(
        frame("execute_workflow", { workflow_data: WF, mode: "EXECUTE", initial_payload: shallow }),
      ).ok,
    ).toBe(true);
  });

  it("survives a cyclic in-process payload", () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic["self"] = cyclic;
    const r = parseEngineRequest(
      frame("execute_workflow", { workflow_data: WF, mode: "EXECUTE", initial_payload: cyclic }),
    );
    expect(!r.ok && r.error.code).toBe("VALIDATION_FAILED");
  });

  it("survives a throwing getter", () => {
    const hostile = { type: "ping" } as Record<string, unknown>;
    Object.defineProperty(hostile, "request_id", {
      enumerable: true,
      get() {
        throw new Error("boom");
      },
    });
    const r = parseEngineRequest(hostile);
    expect(!r.ok && r.error.code).toBe("BAD_REQUEST");
  });
});

describe("execute_workflow", () => {
  const base = { type: "execute_workflow", request_id: "r", mode: "EXECUTE" };
  it("takes a preset_name instead of workflow_data", () => {
    expect(parseEngineRequest({ ...base, preset_name: "Daily report" }).ok).toBe(true);
  });
  it("needs exactly one of workflow_data and preset_name", () => {
    expect(parseEngineRequest(base).ok).toBe(false);
    expect(parseEngineRequest({ ...base, preset_name: "x", workflow_data: WF }).ok).toBe(false);
  });
  it("accepts any JSON value as initial_payload", () => {
    for (const initial_payload of [null, 0, "s", [1], { a: { b: [true] } }]) {
      expect(parseEngineRequest({ ...base, preset_name: "x", initial_payload }).ok).toBe(true);
    }
  });
  it("refuses non-JSON initial payloads", () => {
    for (const initial_payload of [Number.NaN, Number.POSITIVE_INFINITY, () => 1, new Date(0)]) {
      expect(parseEngineRequest({ ...base, preset_name: "x", initial_payload }).ok).toBe(false);
    }
  });
  it("keeps unknown editor fields inside workflow_data", () => {
    const r = parseEngineRequest({ ...base, workflow_data: { ...WF, viewport: { zoom: 2 } } });
    expect(r.ok && r.request.type === "execute_workflow" && r.request.workflow_data?.["viewport"]).toEqual({
      zoom: 2,
    });
  });
});

describe("update_variable", () => {
  const req = (data: Record<string, unknown>) => ({
    type: "update_variable",
    request_id: "r",
    name: "LIST",
    data,
  });
  it("accepts values for random and sequential modes", () => {
    for (const mode of ["random", "sequential"]) {
      expect(
        parseEngineRequest(req({ values: ["a", "b"], mode, is_secret: false, is_enabled: true })).ok,
      ).toBe(true);
    }
  });
  it("accepts a secret toggle without its value", () => {
    expect(parseEngineRequest(req({ mode: "single", is_secret: true, is_enabled: false })).ok).toBe(true);
  });
  it("refuses non-string values and missing flags", () => {
    expect(parseEngineRequest(req({ value: 1, mode: "single", is_secret: false, is_enabled: true })).ok).toBe(
      false,
    );
    expect(
      parseEngineRequest(req({ values: [1], mode: "random", is_secret: false, is_enabled: true })).ok,
    ).toBe(false);
    expect(parseEngineRequest(req({ value: "x", mode: "single", is_enabled: true })).ok).toBe(false);
    expect(
      parseEngineRequest(req({ value: "x", mode: "single", is_secret: false, is_enabled: true, z: 1 })).ok,
    ).toBe(false);
  });
});

describe("field schemas", () => {
  it("variable names follow ^[A-Z][A-Z0-9_]*$ up to 128 chars", () => {
    for (const ok of ["A", "API_KEY", "X1_2", `A${"B".repeat(127)}`])
      expect(VariableNameSchema.safeParse(ok).success).toBe(true);
    for (const bad of ["", "a", "_A", "1A", "A-B", "A B", `A${"B".repeat(128)}`, "ÄPI"]) {
      expect(VariableNameSchema.safeParse(bad).success).toBe(false);
    }
  });

  it("preset names allow spaces and Unicode but not paths, controls or padding", () => {
    for (const ok of ["a", "Daily report (v2)", "Rapport été ✓", "...", "x".repeat(128), "a.b"]) {
      expect(PresetNameSchema.safeParse(ok).success).toBe(true);
    }
    const bad = [
      "",
      ".",
      "..",
      "a/b",
      "a\\b",
      "a\nb",
      "\u0000",
      "a\u007fb",
      "a\u202eb",
      " a",
      "a ",
      "x".repeat(129),
    ];
    for (const name of bad) expect(PresetNameSchema.safeParse(name).success).toBe(false);
  });
});

describe("MIN_ROLE", () => {
  it("has a role for every request type, as the SPEC table says", () => {
    expect(Object.keys(MIN_ROLE).sort()).toEqual([...ENGINE_REQUEST_TYPES].sort());
    const admin = [
      "save_preset",
      "delete_preset",
      "update_variable",
      "delete_variable",
      "request_audit_log",
      "save_settings",
    ];
    const runner = [
      "execute_workflow",
      "execute_standalone_node",
      "stop_workflow",
      "pause_workflow",
      "resume_workflow",
    ];
    for (const type of ENGINE_REQUEST_TYPES) {
      const want = admin.includes(type) ? "admin" : runner.includes(type) ? "runner" : "reader";
      expect(MIN_ROLE[type]).toBe(want);
    }
  });
  it("lets an owner do everything and a reader nothing that changes state", () => {
    for (const type of ENGINE_REQUEST_TYPES) {
      expect(roleAtLeast("owner", MIN_ROLE[type])).toBe(true);
      if (STATE_CHANGING_TYPES.has(type)) expect(roleAtLeast("reader", MIN_ROLE[type])).toBe(false);
    }
  });
});

describe("STATE_CHANGING_TYPES", () => {
  it("holds the commands that change state and nothing read-only", () => {
    expect([...STATE_CHANGING_TYPES].sort()).toEqual(
      [
        "delete_preset",
        "delete_variable",
        "execute_standalone_node",
        "execute_workflow",
        "pause_workflow",
        "resume_workflow",
        "save_preset",
        "save_settings",
        "stop_workflow",
        "update_variable",
      ].sort(),
    );
    for (const type of STATE_CHANGING_TYPES) expect(isEngineRequestType(type)).toBe(true);
  });
});

describe("types", () => {
  it("EngineRequestOf and EngineResponseOf pick one member of each union", () => {
    expectTypeOf<EngineRequestOf<"save_preset">["name"]>().toEqualTypeOf<string>();
    expectTypeOf<EngineRequestOf<"ping">>().toEqualTypeOf<{ type: "ping"; request_id: string }>();
    expectTypeOf<EngineResponseOf<"ping">["type"]>().toEqualTypeOf<"pong">();
    expectTypeOf<
      EngineResponseOf<"request_execution_history">["type"]
    >().toEqualTypeOf<"execution_history_response">();
    expectTypeOf<EngineRequestType>().toEqualTypeOf<(typeof ENGINE_REQUEST_TYPES)[number]>();
  });
});
