import { createContext, useContext } from "react";
import { useStore } from "zustand";
import type { ConnectionsState, ConnectionsStore } from "./stores/connections.js";
import type { EditorState, EditorStore } from "./stores/editor.js";
import type { EnginesState, EnginesStore } from "./stores/engines.js";
import type { IdentityState, IdentityStore } from "./stores/identity.js";
import type { SessionState, SessionStore } from "./stores/session.js";
import type { ToastState, ToastStore } from "./stores/toasts.js";

export type Page = "identity" | "engines" | "editor" | "variables" | "settings" | "billing" | "profile";

/** Every store of the app, created once in main.tsx and handed down (no module singletons). */
export interface Stores {
  identity: IdentityStore;
  engines: EnginesStore;
  toasts: ToastStore;
  editor: EditorStore;
  session: SessionStore;
  connections: ConnectionsStore;
  baseUrl: string;
}

export const StoresContext = createContext<Stores | undefined>(undefined);

export function useStores(): Stores {
  const s = useContext(StoresContext);
  if (!s) throw new Error("StoresContext missing");
  return s;
}

export const useIdentity = <T,>(sel: (s: IdentityState) => T): T => useStore(useStores().identity, sel);
export const useEngines = <T,>(sel: (s: EnginesState) => T): T => useStore(useStores().engines, sel);
export const useToasts = <T,>(sel: (s: ToastState) => T): T => useStore(useStores().toasts, sel);
export const useEditor = <T,>(sel: (s: EditorState) => T): T => useStore(useStores().editor, sel);
export const useSession = <T,>(sel: (s: SessionState) => T): T => useStore(useStores().session, sel);
export const useConnections = <T,>(sel: (s: ConnectionsState) => T): T =>
  useStore(useStores().connections, sel);
