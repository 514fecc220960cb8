import { MemoryReplayCache, signEnvelope, signerFromPrivateKey } from "@flowork/protocol";
import { createNodeVerifier, RateLimiter } from "@flowork/protocol/node";
import { generatePrivateKey } from "viem/accounts";
import { describe, expect, it } from "vitest";
import { type AuditRecord, CommandDispatcher, type Handlers } from "./dispatcher.js";

const owner = signerFromPrivateKey(generatePrivateKey());
const ownerAddress = owner.address.toLowerCase();

function dispatcher(options: { audit?: AuditRecord[]; limit?: RateLimiter; failing?: boolean } = {}) {
  const answer = async () => {
    if (options.failing) throw new Error("disk on fire at /var/secret/path");
    return { ok: true };
  };
  const handlers = new Proxy({} as Handlers, { get: () => answer });
  return new CommandDispatcher({
    verifier: createNodeVerifier({ replayCache: new MemoryReplayCache() }),
    engineId: () => "engine-1",
    roleOf: (address) => (address === ownerAddress ? "owner" : undefined),
    handlers,
    audit: async (r) => {
      options.audit?.push(r);
    },
    ...(options.limit && { rateLimit: (a: string) => (options.limit as RateLimiter).take(a) }),
  });
}

describe("CommandDispatcher", () => {
  it("answers with the response type and request id, and audits state changes only", async () => {
    const audit: AuditRecord[] = [];
    const d = dispatcher({ audit });
    const ping = await d.dispatch(await signEnvelope(owner, "engine-1", { type: "ping", request_id: "p1" }));
    expect(ping).toMatchObject({ type: "pong", request_id: "p1", ok: true });
    const save = await signEnvelope(owner, "engine-1", {
      type: "delete_preset",
      request_id: "d1",
      name: "x",
    });
    expect(await d.dispatch(save)).toMatchObject({ type: "delete_preset_response", request_id: "d1" });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      type: "delete_preset",
      address: ownerAddress,
      message: save.auth.message,
      signature: save.auth.signature,
    });
  });

  it("rate-limits per verified address with RATE_LIMITED", async () => {
    const d = dispatcher({ limit: new RateLimiter({ ratePerSecond: 1, burst: 2 }) });
    const codes: (string | undefined)[] = [];
    for (let i = 0; i < 4; i++) {
      const frame = await d.dispatch(
        await signEnvelope(owner, "engine-1", { type: "ping", request_id: `r${i}` }),
      );
      codes.push(frame.type === "error" ? String(frame.code) : undefined);
    }
    expect(codes).toEqual([undefined, undefined, "RATE_LIMITED", "RATE_LIMITED"]);
  });

  it("never leaks an internal error's message: INTERNAL with a correlation id", async () => {
    const frame = await dispatcher({ failing: true }).dispatch(
      await signEnvelope(owner, "engine-1", { type: "ping", request_id: "x" }),
    );
    expect(frame).toMatchObject({ type: "error", request_id: "x", code: "INTERNAL" });
    expect(JSON.stringify(frame)).not.toContain("/var/secret");
    expect(String(frame.message)).toMatch(/correlation id err-/);
  });

  it("fuzz: thousands of malformed frames answer with a spec error code and never throw", async () => {
    const d = dispatcher();
    const valid = await signEnvelope(owner, "engine-1", { type: "ping", request_id: "v" });
    const shapes: unknown[] = [
      null,
      1,
      "x",
      [],
      {},
      { auth: null },
      { payload: null },
      { auth: {}, payload: {} },
      valid,
    ];
    let n = 0;
    for (let i = 0; i < 2000; i++) {
      const base = JSON.parse(JSON.stringify(shapes[i % shapes.length] ?? null)) as unknown;
      if (base && typeof base === "object" && !Array.isArray(base)) {
        const o = base as Record<string, unknown>;
        const keys = ["auth", "payload", "__proto__", "constructor"];
        o[keys[i % keys.length] as string] = [i, "x".repeat(i % 50), null, { type: i }, { address: 1 }][
          i % 5
        ];
      }
      const frame = await d.dispatch(base);
      expect(typeof frame.type).toBe("string");
      if (frame.type === "error") {
        expect([
          "BAD_REQUEST",
          "AUTH_MISSING",
          "AUTH_MALFORMED",
          "AUTH_INVALID_SIGNATURE",
          "AUTH_REPLAY",
          "VALIDATION_FAILED",
          "UNKNOWN_MESSAGE_TYPE",
          "AUTH_PAYLOAD_MISMATCH",
          "AUTH_SCOPE_MISMATCH",
        ]).toContain(frame.code);
        n++;
      }
    }
    expect(n).toBeGreaterThan(1500);
  });
});
