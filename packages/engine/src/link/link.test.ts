import type { JobEvent } from "@flowork/protocol";
import { describe, expect, it } from "vitest";
import { ackOf, RpcRelay } from "./rpc-relay.js";
import { gatewayOrigin } from "./wire.js";

describe("gatewayOrigin", () => {
  it("strips /api/v1 and trailing slashes", () => {
    expect(gatewayOrigin("https://gw.example.com/api/v1")).toBe("https://gw.example.com");
    expect(gatewayOrigin("http://127.0.0.1:8000/api/v1/")).toBe("http://127.0.0.1:8000");
    expect(gatewayOrigin("http://host:1/base")).toBe("http://host:1/base");
  });
});

describe("ackOf", () => {
  it("turns an error frame into ok:false and any other frame into ok:true", () => {
    expect(ackOf({ type: "error", request_id: "r", code: "AUTH_REPLAY", message: "m" })).toEqual({
      ok: false,
      error: { code: "AUTH_REPLAY", message: "m" },
    });
    expect(ackOf({ type: "pong", request_id: "r" })).toEqual({
      ok: true,
      response: { type: "pong", request_id: "r" },
    });
  });
});

describe("RpcRelay", () => {
  const address = `0x${"ab".repeat(20)}`;
  const status: JobEvent = {
    type: "workflow_status_update",
    job_id: "j",
    status_data: { status: "RUNNING", mode: "EXECUTE", start_time: "t" },
  };
  const log: JobEvent = { type: "log", job_id: "j", level: "INFO", source: "s", message: "m", ts: "t" };

  it("answers a non-envelope with BAD_REQUEST and a throwing dispatcher with INTERNAL", async () => {
    const relay = new RpcRelay({ dispatch: async () => Promise.reject(new Error("boom")) }, () => {});
    expect(await relay.execute(null)).toMatchObject({ ok: false, error: { code: "BAD_REQUEST" } });
    expect(await relay.execute({ envelope: {} })).toMatchObject({ ok: false, error: { code: "INTERNAL" } });
  });

  it("sends the signer's events in order and skips status events already broadcast", async () => {
    const sent: [string, string | undefined][] = [];
    let sink: ((e: JobEvent) => void) | undefined;
    const relay = new RpcRelay(
      {
        dispatch: async (_e, t) => {
          sink = t?.sink;
          return { type: "pong", request_id: null };
        },
      },
      (event, target) => sent.push([event.type, target]),
    );
    await relay.execute({ envelope: { auth: { address: address.toUpperCase().replace("0X", "0x") } } });
    const replayed: JobEvent = { ...status };
    sink?.(status);
    relay.markBroadcast(status);
    sink?.(log);
    sink?.(replayed);
    await Promise.resolve();
    expect(sent).toEqual([
      ["log", address],
      ["workflow_status_update", address],
    ]);
  });
});
