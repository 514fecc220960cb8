import { createStore } from "zustand/vanilla";

/** How the GUI reaches an engine: relayed by the gateway's `/gui-socket` (default), or straight to its WebSocket. */
export type ConnectionMode = "gateway" | "direct";

export interface ConnectionPref {
  mode: ConnectionMode;
  /** The engine's WebSocket URL (`ws://host:8989/`); kept when switching back to the gateway. */
  url: string;
}

/** The live state of a direct connection, as the dashboard shows it. */
export interface DirectStatus {
  state: "connecting" | "open" | "closed" | "error";
  error?: string;
}

export interface ConnectionsState {
  prefs: Record<string, ConnectionPref>;
  status: Record<string, DirectStatus>;
  /** The preference for an engine; `gateway` when none was saved. */
  prefOf(engineId: string): ConnectionPref;
  /** Saves a preference (validated: a direct one needs a usable URL); throws an Error with a sentence. */
  setPref(engineId: string, pref: ConnectionPref): void;
  setStatus(engineId: string, status: DirectStatus | undefined): void;
}

export interface ConnectionsDeps {
  storage: Pick<Storage, "getItem" | "setItem">;
  /** The page's protocol (`https:` refuses plain `ws://` to other hosts); default `http:`. */
  pageProtocol?: string;
}

export const CONNECTIONS_KEY = "flowork.connections.v1";
const GATEWAY: ConnectionPref = { mode: "gateway", url: "" };
const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

/**
 * Checks a direct URL; returns a sentence when it cannot work, undefined when it can.
 * A page served over HTTPS may only open `wss://` (browsers block mixed content), loopback excepted.
 */
export function directUrlProblem(url: string, pageProtocol = "http:"): string | undefined {
  const text = url.trim();
  if (text === "") return "Enter the engine's WebSocket URL, e.g. ws://127.0.0.1:8989/.";
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    return "This is not a URL. It looks like ws://127.0.0.1:8989/.";
  }
  if (parsed.protocol !== "ws:" && parsed.protocol !== "wss:") {
    return "The URL must start with ws:// or wss://.";
  }
  if (pageProtocol === "https:" && parsed.protocol === "ws:" && !LOOPBACK.has(parsed.hostname)) {
    return "This page is served over HTTPS, so the browser only allows wss:// URLs (or localhost).";
  }
  return undefined;
}

function readPrefs(text: string | null): Record<string, ConnectionPref> {
  if (!text) return {};
  try {
    const raw = JSON.parse(text) as unknown;
    if (raw === null || typeof raw !== "object" || Array.isArray(raw)) return {};
    const prefs: Record<string, ConnectionPref> = {};
    for (const [id, v] of Object.entries(raw as Record<string, unknown>)) {
      const p = v as Partial<ConnectionPref> | null;
      if (p && (p.mode === "gateway" || p.mode === "direct") && typeof p.url === "string") {
        prefs[id] = { mode: p.mode, url: p.url };
      }
    }
    return prefs;
  } catch {
    return {}; // not ours: start over with the gateway everywhere
  }
}

/** Per-engine connection choice, persisted in localStorage; plus the live state of direct connections. */
export function createConnectionsStore(deps: ConnectionsDeps) {
  return createStore<ConnectionsState>()((set, get) => ({
    prefs: readPrefs(deps.storage.getItem(CONNECTIONS_KEY)),
    status: {},
    prefOf: (engineId) => get().prefs[engineId] ?? GATEWAY,
    setPref: (engineId, pref) => {
      const url = pref.url.trim();
      if (pref.mode === "direct") {
        const problem = directUrlProblem(url, deps.pageProtocol);
        if (problem) throw new Error(problem);
      }
      const prefs = { ...get().prefs, [engineId]: { mode: pref.mode, url } };
      deps.storage.setItem(CONNECTIONS_KEY, JSON.stringify(prefs));
      set({ prefs });
    },
    setStatus: (engineId, status) =>
      set((s) => {
        if (status === undefined) {
          const { [engineId]: _gone, ...rest } = s.status;
          return { status: rest };
        }
        return { status: { ...s.status, [engineId]: status } };
      }),
  }));
}

export type ConnectionsStore = ReturnType<typeof createConnectionsStore>;
