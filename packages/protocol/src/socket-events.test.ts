import { describe, expect, expectTypeOf, it } from "vitest";
import {
  EngineHandshakeSchema,
  type EngineVitals,
  EngineVitalsBatchSchema,
  EngineVitalsSchema,
  ForwardEventToGuiSchema,
  type GatewayToGuiEvents,
  GuiHandshakeSchema,
  MAX_VITALS_BATCH_ITEMS,
  type RpcAck,
  RpcAckSchema,
  RpcForwardSchema,
  UsageReportSchema,
} from "./socket-events.js";

const VITALS: EngineVitals = {
  cpu_percent: 1.5,
  memory_percent: 2,
  ram_rss_mb: 80,
  uptime_s: 10,
  active_jobs: 0,
  queued_jobs: 0,
  version: "0.1.0",
};

describe("socket event schemas (SPEC section 3)", () => {
  it("accepts well-formed vitals and refuses out-of-range or missing numbers", () => {
    expect(EngineVitalsSchema.parse(VITALS)).toEqual(VITALS);
    for (const bad of [
      { ...VITALS, cpu_percent: 101 },
      { ...VITALS, memory_percent: -1 },
      { ...VITALS, active_jobs: 1.5 },
      { ...VITALS, ram_rss_mb: Number.POSITIVE_INFINITY },
      { ...VITALS, version: "v".repeat(65) },
      { ...VITALS, queued_jobs: undefined },
      null,
      "x",
    ]) {
      expect(EngineVitalsSchema.safeParse(bad).success).toBe(false);
    }
  });

  it("bounds a vitals batch and checks every item", () => {
    const item = { engine_id: "e1", vitals: VITALS };
    expect(EngineVitalsBatchSchema.parse([item, { ...item, engine_id: "e2" }])).toHaveLength(2);
    expect(EngineVitalsBatchSchema.safeParse([item, { engine_id: "", vitals: VITALS }]).success).toBe(false);
    expect(EngineVitalsBatchSchema.safeParse([{ engine_id: "e1", vitals: {} }]).success).toBe(false);
    expect(EngineVitalsBatchSchema.safeParse({ engine_id: "e1" }).success).toBe(false);
    const tooMany = Array.from({ length: MAX_VITALS_BATCH_ITEMS + 1 }, () => item);
    expect(EngineVitalsBatchSchema.safeParse(tooMany).success).toBe(false);
  });

  it("validates relayed events, usage reports and handshakes", () => {
    expect(ForwardEventToGuiSchema.safeParse({ event_name: "log", event_data: { a: 1 } }).success).toBe(true);
    expect(ForwardEventToGuiSchema.safeParse({ event_name: "", event_data: 1 }).success).toBe(false);
    expect(
      ForwardEventToGuiSchema.safeParse({ event_name: "log", event_data: 1, target_address: "0x12" }).success,
    ).toBe(false);
    expect(UsageReportSchema.safeParse({ period: "2025-01", executions: 3 }).success).toBe(true);
    expect(UsageReportSchema.safeParse({ period: "2025-13", executions: 3 }).success).toBe(false);
    expect(UsageReportSchema.safeParse({ period: "2025-01", executions: -1 }).success).toBe(false);
    expect(EngineHandshakeSchema.safeParse({ token: 42 }).success).toBe(false);
    expect(EngineHandshakeSchema.safeParse({}).success).toBe(false);
    expect(GuiHandshakeSchema.parse({ address: "0x", vitals_batch: true }).vitals_batch).toBe(true);
    expect(GuiHandshakeSchema.safeParse({}).success).toBe(true); // the verifier answers AUTH_MISSING
    expect(GuiHandshakeSchema.safeParse({ vitals_batch: "yes" }).success).toBe(false);
  });

  it("validates RPC forwards and acks", () => {
    expect(RpcForwardSchema.safeParse({ engine_id: "e1", envelope: {} }).success).toBe(true);
    expect(RpcForwardSchema.safeParse({ engine_id: 5, envelope: {} }).success).toBe(false);
    expect(RpcForwardSchema.safeParse({ engine_id: "e1", envelope: null }).success).toBe(false);
    expect(RpcAckSchema.safeParse({ ok: true, response: { type: "pong" } }).success).toBe(true);
    expect(RpcAckSchema.safeParse({ ok: false, error: { code: "TIMEOUT", message: "m" } }).success).toBe(
      true,
    );
    expect(RpcAckSchema.safeParse({ ok: false, error: { code: "X".repeat(65), message: "m" } }).success).toBe(
      false,
    );
    expect(RpcAckSchema.safeParse({ bogus: true }).success).toBe(false);
  });

  it("types the event maps from the schemas", () => {
    expectTypeOf<
      Parameters<GatewayToGuiEvents["engine_vitals_batch"]>[0][number]["vitals"]
    >().toEqualTypeOf<EngineVitals>();
    expectTypeOf<RpcAck>().toMatchTypeOf<{ ok: boolean }>();
  });
});
