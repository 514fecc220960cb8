import type { Manifest } from "@flowork/protocol";
import { useMemo, useState } from "react";
import { useEditor } from "../app-context.js";

export const DRAG_TYPE = "application/x-flowork-module";

/** Components of the engine, grouped by category and searchable; drag one onto the canvas (or press Enter). */
export function Palette({ onAdd }: { onAdd: (moduleId: string) => void }) {
  const manifests = useEditor((s) => s.manifests);
  const viewing = useEditor((s) => s.view !== undefined);
  const [query, setQuery] = useState("");
  const groups = useMemo(() => {
    const q = query.trim().toLowerCase();
    const out = new Map<string, Manifest[]>();
    for (const m of Object.values(manifests)) {
      if (q && !`${m.name} ${m.id} ${m.category} ${m.description}`.toLowerCase().includes(q)) continue;
      const list = out.get(m.category) ?? [];
      list.push(m);
      out.set(m.category, list);
    }
    return [...out.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([cat, list]) => [cat, list.sort((a, b) => a.name.localeCompare(b.name))] as const);
  }, [manifests, query]);
  return (
    <aside className="palette" aria-label="Components">
      <input
        type="search"
        aria-label="Search components"
        placeholder="Search components"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
      />
      {viewing && <p className="muted">Viewing a run: go back to editing to add nodes.</p>}
      {Object.keys(manifests).length === 0 && (
        <p className="muted">No components loaded. Is the engine online?</p>
      )}
      {groups.map(([category, list]) => (
        <section key={category}>
          <h3>{category}</h3>
          <ul>
            {list.map((m) => (
              <li key={m.id}>
                <button
                  type="button"
                  className={`palette-item type-${m.type.toLowerCase()}`}
                  draggable={!viewing}
                  disabled={viewing}
                  aria-label={`Component ${m.name}`}
                  title={m.description}
                  onDragStart={(e) => {
                    e.dataTransfer.setData(DRAG_TYPE, m.id);
                    e.dataTransfer.effectAllowed = "move";
                  }}
                  onClick={() => onAdd(m.id)}
                >
                  {m.name}
                </button>
              </li>
            ))}
          </ul>
        </section>
      ))}
    </aside>
  );
}
