import { FloworkError, type Signer, signEnvelope } from "@flowork/protocol";
import { GatewayClient, GuiSocketClient, type WebSocketFactory } from "@flowork/sdk";
import { createStore } from "zustand/vanilla";
import { DirectLinks } from "../lib/direct-links.js";
import type { ConnectionsStore } from "./connections.js";
import type { EditorStore } from "./editor.js";
import type { EngineRow, EnginesStore } from "./engines.js";
import type { ToastStore } from "./toasts.js";

export interface Profile {
  public_address: string;
  username: string;
  email?: string | null;
  name?: string | null;
  bio?: string | null;
  tier?: string;
  created_at?: string;
}

export interface SessionState {
  gateway: GatewayClient | undefined;
  socket: GuiSocketClient | undefined;
  signer: Signer | undefined;
  profile: Profile | undefined;
  connected: boolean;
  signIn(signer: Signer): Promise<void>;
  signOut(): void;
  refreshEngines(): Promise<void>;
  setProfile(profile: Profile): void;
  /**
   * Sends one signed command to an engine and resolves with its response frame: through the gateway relay, or
   * straight to the engine's WebSocket when the engine's connection is set to direct (connections store).
   */
  rpc<T = Record<string, unknown>>(
    engineId: string,
    payload: { type: string } & Record<string, unknown>,
  ): Promise<T>;
  /** Pings an engine directly at `url` (before saving a direct connection); resolves with its `pong`. */
  probeDirect(engineId: string, url: string): Promise<{ engine_id: string; version: string; ms: number }>;
}

export interface SessionDeps {
  baseUrl: string;
  engines: EnginesStore;
  toasts: ToastStore;
  editor: EditorStore;
  connections: ConnectionsStore;
  /** How direct connections open a socket; default the browser's WebSocket (tests pass `ws`). */
  directConnect?: WebSocketFactory;
}

let requestSeq = 0;

/** An engine's answer as the GUI handles it: an `error` frame becomes a thrown error with its code. */
function unwrap<T>(response: Record<string, unknown>): T {
  if (response.type === "error") {
    throw Object.assign(new Error(String(response.message ?? "error")), {
      code: response.code,
      details: response.details,
    });
  }
  return response as T;
}

/** The signed-in session: REST client, `/gui-socket`, and the wiring of socket events into the other stores. */
export function createSessionStore(deps: SessionDeps) {
  let links: DirectLinks | undefined;
  const directLinks = (signer: Signer): DirectLinks => {
    links ??= new DirectLinks({
      signer,
      // Events on a direct connection are the ones the gateway would relay as `engine_event`: same handler.
      onEvent: (_engineId, event) => deps.editor.getState().applyEngineEvent(event.type, event),
      onState: (engineId, state, error) =>
        deps.connections
          .getState()
          .setStatus(engineId, { state, ...(error !== undefined && { error: error.message }) }),
      ...(deps.directConnect !== undefined && { connect: deps.directConnect }),
    });
    return links;
  };
  // A connection switched back to the gateway, or to another URL, drops the old direct socket.
  deps.connections.subscribe((now, before) => {
    if (!links || now.prefs === before.prefs) return;
    for (const [id, old] of Object.entries(before.prefs)) {
      const pref = now.prefs[id];
      if (old.mode === "direct" && (pref?.mode !== "direct" || pref.url !== old.url)) links.close(id);
    }
  });
  return createStore<SessionState>()((set, get) => ({
    gateway: undefined,
    socket: undefined,
    signer: undefined,
    profile: undefined,
    connected: false,
    signIn: async (signer) => {
      get().signOut();
      const gateway = new GatewayClient({ baseUrl: deps.baseUrl, signer });
      const { user } = await gateway.post<{ user: Profile }>("/auth/login");
      const socket = new GuiSocketClient({ url: deps.baseUrl, signer });
      const s = socket.socket;
      const e = deps.engines.getState();
      s.on("initial_engine_statuses", (rows) => e.applyInitial(rows));
      s.on("engine_status_update", (u) => e.applyStatus(u));
      s.on("engine_vitals_update", (u) => e.applyVitals(u));
      s.on("engine_deleted", (u) => e.remove(u.engine_id));
      s.on("removed_shared_engine", (u) => e.remove(u.engine_id));
      s.on("new_shared_engine", (u) => {
        e.applyShared(u);
        void get()
          .refreshEngines()
          .catch(() => undefined);
      });
      s.on("shared_engine_updated", (u) => e.applyShared(u));
      s.on("notification", (n) =>
        deps.toasts.getState().push({ id: n.id, level: n.level, title: n.title, text: n.text }),
      );
      s.on("engine_event", (ev) => deps.editor.getState().applyEngineEvent(ev.event_name, ev.event_data));
      s.on("connect", () => set({ connected: true }));
      s.on("disconnect", () => set({ connected: false }));
      set({ gateway, socket, signer, profile: user });
      await get().refreshEngines();
      await socket.connect();
    },
    signOut: () => {
      get().socket?.close();
      links?.closeAll();
      links = undefined;
      deps.engines.getState().clear();
      set({ gateway: undefined, socket: undefined, signer: undefined, profile: undefined, connected: false });
    },
    refreshEngines: async () => {
      const gw = get().gateway;
      if (!gw) return;
      const [owned, shared] = await Promise.all([
        gw.get<EngineRow[]>("/user/engines"),
        gw.get<EngineRow[]>("/user/shared-engines"),
      ]);
      deps.engines.getState().setFromRest([...owned, ...shared]);
    },
    setProfile: (profile) => set({ profile }),
    rpc: async <T>(engineId: string, payload: { type: string } & Record<string, unknown>) => {
      const { socket, signer } = get();
      const pref = deps.connections.getState().prefOf(engineId);
      if (pref.mode === "direct") {
        if (!signer) throw new FloworkError("AUTH_MISSING", "not signed in");
        return unwrap<T>(await directLinks(signer).request(engineId, pref.url, payload));
      }
      if (!socket || !signer) throw new FloworkError("AUTH_MISSING", "not signed in");
      const envelope = await signEnvelope(signer, engineId, {
        ...payload,
        request_id: `gui-${Date.now()}-${++requestSeq}`,
      });
      const ack = await socket.rpc(engineId, envelope);
      if (!ack.ok) throw Object.assign(new Error(ack.error.message), ack.error);
      return unwrap<T>(ack.response);
    },
    probeDirect: async (engineId, url) => {
      const signer = get().signer;
      if (!signer) throw new FloworkError("AUTH_MISSING", "not signed in");
      const target = url.trim();
      const linksNow = directLinks(signer);
      const started = performance.now();
      try {
        const pong = unwrap<{ engine_id: string; version: string }>(
          await linksNow.request(engineId, target, { type: "ping" }),
        );
        return {
          engine_id: pong.engine_id,
          version: pong.version,
          ms: Math.round(performance.now() - started),
        };
      } finally {
        // A probe of a URL the engine is not (yet) set to use leaves no socket behind.
        const pref = deps.connections.getState().prefOf(engineId);
        if (pref.mode !== "direct" || pref.url !== target) linksNow.close(engineId);
      }
    },
  }));
}

export type SessionStore = ReturnType<typeof createSessionStore>;
