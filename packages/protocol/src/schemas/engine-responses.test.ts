import { describe, expect, it } from "vitest";
import { ERROR_CATALOGUE, FloworkError } from "../errors.js";
import {
  ENGINE_REQUEST_TYPES,
  EngineErrorFrameSchema,
  EngineHealthSchema,
  EngineResponseSchema,
  RESPONSE_TYPE_OF,
  toEngineErrorFrame,
  VariableViewSchema,
} from "./engine.js";
import { DEFAULT_SETTINGS } from "./settings.js";

const WF = { nodes: [{ id: "n1", module_id: "manual_trigger" }], connections: [] };
const SUMMARY = {
  job_id: "j1",
  preset_name: "Daily report",
  mode: "EXECUTE",
  status: "SUCCEEDED",
  started_by: "0x00000000000000000000000000000000000000aa",
  started_at: "2025-01-01T00:00:00.000Z",
  ended_at: "2025-01-01T00:00:01.000Z",
  duration_ms: 1000,
};
const MANIFEST = {
  id: "set_data",
  name: "Set data",
  version: "1.0.0",
  type: "LOGIC",
  category: "Data",
  description: "",
  properties: [],
  input_ports: [{ name: "input" }],
  output_ports: [{ name: "success", display_name: "Success" }],
  side_effects: false,
};
const VAR = { name: "A", value: "1", values: [], mode: "single", is_secret: false, is_enabled: true };
const AUDIT = {
  ts: "2025-01-01T00:00:00.000Z",
  address: "0x00000000000000000000000000000000000000aa",
  type: "save_preset",
  message: "Flowork GUI-to-Engine Authentication: ...",
  signature: "0xabc",
  payload_sha256: "a".repeat(64),
};

/** A valid example of every success response, keyed by response type. */
const EXAMPLES: Record<string, Record<string, unknown>> = {
  pong: { engine_id: "e1", version: "0.1.0", ts: "2025-01-01T00:00:00.000Z" },
  execute_workflow_response: { job_id: "j1", status: "QUEUED" },
  execute_standalone_node_response: { job_id: "j1" },
  stop_workflow_response: { job_id: "j1", status: "STOPPED" },
  pause_workflow_response: { job_id: "j1", status: "PAUSED" },
  resume_workflow_response: { job_id: "j1", status: "RUNNING" },
  subscribe_job_response: { job_id: "j1", status: "RUNNING" },
  execution_history_response: {
    executions: [
      SUMMARY,
      { ...SUMMARY, preset_name: null, started_by: null, ended_at: null, duration_ms: null },
    ],
  },
  execution_response: {
    execution: {
      ...SUMMARY,
      result: { n1: { ok: true } },
      nodes: [{ node_id: "n1", status: "SUCCEEDED", attempts: 1, duration_ms: 3, output_port: "output" }],
      logs: [{ node_id: "n1", level: "INFO", source: "n1", message: "hi", ts: "2025-01-01T00:00:00.000Z" }],
    },
  },
  components_list_response: {
    components: [MANIFEST],
    plugin_errors: [{ id: "bad", code: "VALIDATION_FAILED", message: "x" }],
  },
  presets_list_response: {
    presets: [
      { name: "Daily report", version: 2, updated_at: "2025-01-01T00:00:00.000Z", updated_by: "0xaa" },
    ],
  },
  load_preset_response: { name: "Daily report", version: 2, workflow_data: WF },
  preset_versions_response: {
    versions: [
      {
        version: 2,
        updated_at: "2025-01-01T00:00:00.000Z",
        updated_by: "0xaa",
        message: "m",
        signature: "0x1",
      },
      { version: 1, updated_at: "2024-01-01T00:00:00.000Z", updated_by: "0xaa" },
    ],
  },
  save_preset_response: { name: "Daily report", version: 3 },
  delete_preset_response: { name: "Daily report" },
  variables_response: { variables: [VAR, { ...VAR, name: "S", value: "", values: [], is_secret: true }] },
  update_variable_response: { variable: VAR },
  delete_variable_response: { name: "A" },
  audit_log_response: { entries: [AUDIT] },
  settings_response: { settings: DEFAULT_SETTINGS },
  save_settings_response: { settings: { ...DEFAULT_SETTINGS, log_level: "DEBUG" } },
};

describe("engine responses", () => {
  it("name one response per request type, as the SPEC table does", () => {
    expect(Object.keys(RESPONSE_TYPE_OF).sort()).toEqual([...ENGINE_REQUEST_TYPES].sort());
    expect(Object.values(RESPONSE_TYPE_OF).sort()).toEqual(Object.keys(EXAMPLES).sort());
  });

  for (const [type, fields] of Object.entries(EXAMPLES)) {
    it(`${type}: parses a valid example and refuses a wrong request_id`, () => {
      const parsed = EngineResponseSchema.safeParse({ type, request_id: "r-1", ...fields });
      expect(parsed.success ? parsed.data.type : parsed.error.issues).toBe(type);
      expect(EngineResponseSchema.safeParse({ type, ...fields }).success).toBe(false);
    });
  }

  it("refuses a secret variable whose value shows", () => {
    expect(VariableViewSchema.safeParse({ ...VAR, is_secret: true }).success).toBe(false);
    expect(VariableViewSchema.safeParse({ ...VAR, value: "", values: ["x"], is_secret: true }).success).toBe(
      false,
    );
  });

  it("refuses a partial settings answer", () => {
    const r = EngineResponseSchema.safeParse({
      type: "settings_response",
      request_id: "r",
      settings: { log_level: "INFO" },
    });
    expect(r.success).toBe(false);
  });

  it("refuses an audit entry with a bad hash or address", () => {
    const bad = [
      { ...AUDIT, payload_sha256: "A".repeat(64) },
      { ...AUDIT, address: "0x12" },
    ];
    for (const entry of bad) {
      expect(
        EngineResponseSchema.safeParse({ type: "audit_log_response", request_id: "r", entries: [entry] })
          .success,
      ).toBe(false);
    }
  });
});

describe("error frame", () => {
  it("parses with and without details, with a null request_id", () => {
    const frame = { type: "error", request_id: null, code: "BAD_REQUEST", message: "Not JSON." };
    expect(EngineErrorFrameSchema.parse(frame)).toEqual(frame);
    expect(
      EngineResponseSchema.safeParse({ ...frame, request_id: "r", details: { issues: [] } }).success,
    ).toBe(true);
  });

  it("refuses a code outside the catalogue", () => {
    expect(
      EngineErrorFrameSchema.safeParse({ type: "error", request_id: "r", code: "OOPS", message: "" }).success,
    ).toBe(false);
  });

  it("toEngineErrorFrame keeps a FloworkError's code, message and details", () => {
    const err = new FloworkError("NOT_FOUND", "no preset x", { details: { name: "x" } });
    expect(toEngineErrorFrame("r-1", err)).toEqual({
      type: "error",
      request_id: "r-1",
      code: "NOT_FOUND",
      message: "no preset x",
      details: { name: "x" },
    });
  });

  it("toEngineErrorFrame hides anything else behind INTERNAL", () => {
    const frame = toEngineErrorFrame(null, new Error("SQLITE_CORRUPT at /home/me/.flowork/engine.db"));
    expect(frame).toEqual({
      type: "error",
      request_id: null,
      code: "INTERNAL",
      message: ERROR_CATALOGUE.INTERNAL.message,
    });
    expect(EngineErrorFrameSchema.safeParse(frame).success).toBe(true);
  });
});

describe("EngineHealthSchema", () => {
  it("parses the /health body", () => {
    const body = { status: "ready", engine_id: "e1", version: "0.1.0", uptime_s: 12.5, active_jobs: 0 };
    expect(EngineHealthSchema.parse(body)).toEqual(body);
  });
  it("refuses another status or a negative count", () => {
    const body = { status: "ready", engine_id: "e1", version: "0.1.0", uptime_s: 1, active_jobs: 0 };
    expect(EngineHealthSchema.safeParse({ ...body, status: "healthy" }).success).toBe(false);
    expect(EngineHealthSchema.safeParse({ ...body, active_jobs: -1 }).success).toBe(false);
  });
});
