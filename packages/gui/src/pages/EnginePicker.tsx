import { roleAtLeast } from "@flowork/protocol";
import { useMemo } from "react";
import { useEngines } from "../app-context.js";
import { type EngineView, type Role, sortedEngines } from "../stores/engines.js";

/** The engine a page works on: the chosen one if still visible, else the first (owned first). */
export function useChosenEngine(engineId: string | undefined): {
  engines: EngineView[];
  engine: EngineView | undefined;
  loaded: boolean;
} {
  const map = useEngines((s) => s.engines);
  const loaded = useEngines((s) => s.loaded);
  const engines = useMemo(() => sortedEngines(map), [map]);
  const engine = (engineId !== undefined ? map[engineId] : undefined) ?? engines[0];
  return { engines, engine, loaded };
}

export function hasRole(engine: EngineView | undefined, need: Role): boolean {
  return engine !== undefined && roleAtLeast(engine.role, need);
}

/** A page-level engine choice: a select when there are several engines, the engine's name when one. */
export function EnginePicker({
  engines,
  engine,
  onChange,
}: {
  engines: EngineView[];
  engine: EngineView;
  onChange: (engineId: string) => void;
}) {
  const label = (e: EngineView) => `${e.name} (${e.role}${e.status === "offline" ? ", offline" : ""})`;
  if (engines.length < 2) {
    return (
      <p className="picker">
        Engine: <strong>{engine.name}</strong> <span className="muted">({engine.role})</span>{" "}
        <span className={`badge ${engine.status}`}>{engine.status}</span>
      </p>
    );
  }
  return (
    <div className="picker">
      <label htmlFor="engine-picker">Engine</label>
      <select id="engine-picker" value={engine.id} onChange={(e) => onChange(e.target.value)}>
        {engines.map((e) => (
          <option key={e.id} value={e.id}>
            {label(e)}
          </option>
        ))}
      </select>
    </div>
  );
}

/** What a page says when there is no engine to work on. */
export function NoEngine({ loaded }: { loaded: boolean }) {
  return loaded ? (
    <p className="empty">No engines yet. Pair or register one on the Engines page first.</p>
  ) : (
    <p className="muted">Loading engines…</p>
  );
}
