import { describe, expect, it } from "vitest";
import { CONNECTIONS_KEY, createConnectionsStore, directUrlProblem } from "./connections.js";

function memoryStorage(initial: Record<string, string> = {}) {
  const m = new Map(Object.entries(initial));
  return {
    getItem: (k: string) => m.get(k) ?? null,
    setItem: (k: string, v: string) => void m.set(k, v),
    raw: m,
  };
}

describe("connections store", () => {
  it("defaults every engine to the gateway and persists a direct choice per engine", () => {
    const storage = memoryStorage();
    const s = createConnectionsStore({ storage });
    expect(s.getState().prefOf("e1")).toEqual({ mode: "gateway", url: "" });
    s.getState().setPref("e1", { mode: "direct", url: "  ws://127.0.0.1:8989/ " });
    expect(s.getState().prefOf("e1")).toEqual({ mode: "direct", url: "ws://127.0.0.1:8989/" });
    expect(s.getState().prefOf("e2").mode).toBe("gateway");
    // A new page load reads it back; switching back to the gateway keeps the URL for next time.
    const again = createConnectionsStore({ storage });
    expect(again.getState().prefOf("e1")).toEqual({ mode: "direct", url: "ws://127.0.0.1:8989/" });
    again.getState().setPref("e1", { mode: "gateway", url: "ws://127.0.0.1:8989/" });
    expect(JSON.parse(storage.raw.get(CONNECTIONS_KEY) as string)).toEqual({
      e1: { mode: "gateway", url: "ws://127.0.0.1:8989/" },
    });
  });

  it("refuses a direct choice without a usable URL, and saves nothing then", () => {
    const storage = memoryStorage();
    const s = createConnectionsStore({ storage, pageProtocol: "https:" });
    expect(() => s.getState().setPref("e1", { mode: "direct", url: "" })).toThrow(/WebSocket URL/);
    expect(() => s.getState().setPref("e1", { mode: "direct", url: "http://x:8989/" })).toThrow(/ws:\/\//);
    expect(() => s.getState().setPref("e1", { mode: "direct", url: "ws://engine.lan:8989/" })).toThrow(
      /HTTPS/,
    );
    expect(storage.raw.size).toBe(0);
    s.getState().setPref("e1", { mode: "direct", url: "wss://engine.example.com/" });
    s.getState().setPref("e2", { mode: "direct", url: "ws://localhost:8989/" });
    expect(Object.keys(s.getState().prefs)).toEqual(["e1", "e2"]);
  });

  it("ignores stored junk and tracks live status", () => {
    const s = createConnectionsStore({
      storage: memoryStorage({
        [CONNECTIONS_KEY]: JSON.stringify({
          ok: { mode: "direct", url: "ws://a/" },
          bad: { mode: "x", url: 1 },
        }),
      }),
    });
    expect(Object.keys(s.getState().prefs)).toEqual(["ok"]);
    expect(
      createConnectionsStore({ storage: memoryStorage({ [CONNECTIONS_KEY]: "{not json" }) }).getState().prefs,
    ).toEqual({});
    s.getState().setStatus("ok", { state: "open" });
    expect(s.getState().status.ok).toEqual({ state: "open" });
    s.getState().setStatus("ok", undefined);
    expect(s.getState().status.ok).toBeUndefined();
  });

  it("explains what is wrong with a URL", () => {
    expect(directUrlProblem("ws://127.0.0.1:8989/")).toBeUndefined();
    expect(directUrlProblem("not a url")).toMatch(/not a URL/);
    expect(directUrlProblem("ws://[::1]:8989/", "https:")).toBeUndefined();
  });
});
