import type { GuiEngineStatusRow, GuiVitals } from "@flowork/sdk";
import { createStore } from "zustand/vanilla";

export type Role = "reader" | "runner" | "admin" | "owner";

/** An engine as the dashboard shows it (owned or shared). */
export interface EngineView {
  id: string;
  name: string;
  status: "online" | "offline";
  last_seen: string | null;
  vitals: GuiVitals | null;
  role: Role;
  owner?: { public_address: string; username: string } | undefined;
}

/** A REST row of `GET /user/engines` or `GET /user/shared-engines`. */
export interface EngineRow {
  id: string;
  name: string;
  status: "online" | "offline";
  last_seen: string | null;
  vitals?: GuiVitals | null;
  role: Role;
  owner?: { public_address: string; username: string };
}

export interface EnginesState {
  engines: Record<string, EngineView>;
  loaded: boolean;
  /** REST lists (owned + shared) replace what is known, keeping live vitals. */
  setFromRest(rows: EngineRow[]): void;
  applyInitial(rows: GuiEngineStatusRow[]): void;
  applyStatus(u: {
    engine_id: string;
    name: string;
    status: "online" | "offline";
    last_seen: string | null;
  }): void;
  applyVitals(u: { engine_id: string; vitals: GuiVitals }): void;
  applyShared(u: {
    engine_id: string;
    name?: string;
    role: string;
    status?: "online" | "offline";
    last_seen?: string | null;
  }): void;
  remove(engineId: string): void;
  clear(): void;
}

const ROLES: readonly string[] = ["reader", "runner", "admin", "owner"];
const asRole = (r: string): Role => (ROLES.includes(r) ? (r as Role) : "reader");

/** Live engine list: REST for the first picture, `/gui-socket` events for every change after. */
export function createEnginesStore() {
  return createStore<EnginesState>()((set) => ({
    engines: {},
    loaded: false,
    setFromRest: (rows) =>
      set((s) => {
        const engines: Record<string, EngineView> = {};
        for (const r of rows) {
          const known = s.engines[r.id];
          engines[r.id] = {
            id: r.id,
            name: r.name,
            status: r.status,
            last_seen: r.last_seen,
            vitals: r.vitals ?? known?.vitals ?? null,
            role: asRole(r.role),
            owner: r.owner,
          };
        }
        return { engines, loaded: true };
      }),
    applyInitial: (rows) =>
      set((s) => {
        const engines = { ...s.engines };
        for (const r of rows) {
          engines[r.engine_id] = {
            ...engines[r.engine_id],
            id: r.engine_id,
            name: r.name,
            status: r.status,
            last_seen: r.last_seen,
            vitals: r.vitals ?? engines[r.engine_id]?.vitals ?? null,
            role: asRole(r.role),
          };
        }
        return { engines };
      }),
    applyStatus: (u) =>
      set((s) => {
        const known = s.engines[u.engine_id];
        if (!known) return s; // a status for an engine we cannot see yet: the REST refresh brings it
        return {
          engines: {
            ...s.engines,
            [u.engine_id]: { ...known, name: u.name, status: u.status, last_seen: u.last_seen },
          },
        };
      }),
    applyVitals: (u) =>
      set((s) => {
        const known = s.engines[u.engine_id];
        if (!known) return s;
        return { engines: { ...s.engines, [u.engine_id]: { ...known, vitals: u.vitals } } };
      }),
    applyShared: (u) =>
      set((s) => {
        const known = s.engines[u.engine_id];
        return {
          engines: {
            ...s.engines,
            [u.engine_id]: {
              id: u.engine_id,
              name: u.name ?? known?.name ?? u.engine_id,
              status: u.status ?? known?.status ?? "offline",
              last_seen: u.last_seen ?? known?.last_seen ?? null,
              vitals: known?.vitals ?? null,
              role: asRole(u.role),
              owner: known?.owner,
            },
          },
        };
      }),
    remove: (engineId) =>
      set((s) => {
        const { [engineId]: _gone, ...rest } = s.engines;
        return { engines: rest };
      }),
    clear: () => set({ engines: {}, loaded: false }),
  }));
}

export type EnginesStore = ReturnType<typeof createEnginesStore>;

/** Sorted for display: owned first, then by name. */
export function sortedEngines(engines: Record<string, EngineView>): EngineView[] {
  return Object.values(engines).sort(
    (a, b) => Number(b.role === "owner") - Number(a.role === "owner") || a.name.localeCompare(b.name),
  );
}
