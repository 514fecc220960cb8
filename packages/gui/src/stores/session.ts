import { FloworkError, type Signer, signEnvelope } from "@flowork/protocol";
import { GatewayClient, GuiSocketClient } from "@flowork/sdk";
import { createStore } from "zustand/vanilla";
import type { EditorStore } from "./editor.js";
import type { EngineRow, EnginesStore } from "./engines.js";
import type { ToastStore } from "./toasts.js";

export interface Profile {
  public_address: string;
  username: string;
  tier?: string;
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
  /** Sends one signed command to an engine through the gateway relay; resolves with its response frame. */
  rpc<T = Record<string, unknown>>(
    engineId: string,
    payload: { type: string } & Record<string, unknown>,
  ): Promise<T>;
}

export interface SessionDeps {
  baseUrl: string;
  engines: EnginesStore;
  toasts: ToastStore;
  editor: EditorStore;
}

let requestSeq = 0;

/** The signed-in session: REST client, `/gui-socket`, and the wiring of socket events into the other stores. */
export function createSessionStore(deps: SessionDeps) {
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
    rpc: async <T>(engineId: string, payload: { type: string } & Record<string, unknown>) => {
      const { socket, signer } = get();
      if (!socket || !signer) throw new FloworkError("AUTH_MISSING", "not signed in");
      const envelope = await signEnvelope(signer, engineId, {
        ...payload,
        request_id: `gui-${Date.now()}-${++requestSeq}`,
      });
      const ack = await socket.rpc(engineId, envelope);
      if (!ack.ok) throw Object.assign(new Error(ack.error.message), ack.error);
      const response = ack.response;
      if (response.type === "error") {
        throw Object.assign(new Error(String(response.message ?? "error")), {
          code: response.code,
          details: response.details,
        });
      }
      return response as T;
    },
  }));
}

export type SessionStore = ReturnType<typeof createSessionStore>;
