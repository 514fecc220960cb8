import type { ComponentProperty } from "@flowork/protocol";
import { useState } from "react";
import { useEditor, useStores } from "../app-context.js";
import { fieldsFor, formatValue, parseValue } from "../lib/config-form.js";
import type { CanvasNode } from "../lib/workflow.js";

/** The selected node's settings, generated from its component's property schema, validated as you type. */
export function ConfigPanel() {
  const nodes = useEditor((s) => s.nodes);
  const selected = nodes.filter((n) => n.selected);
  const node = selected.length === 1 ? selected[0] : undefined;
  if (!node) {
    return (
      <aside className="config" aria-label="Node settings">
        <p className="muted">Select a node to configure it.</p>
      </aside>
    );
  }
  return <NodeConfig key={node.id} node={node} />;
}

function NodeConfig({ node }: { node: CanvasNode }) {
  const { editor } = useStores();
  const manifest = useEditor((s) => s.manifests[node.data.module_id]);
  const viewing = useEditor((s) => s.view !== undefined);
  const properties = manifest?.properties ?? [];
  const [drafts, setDrafts] = useState<Record<string, string>>(() =>
    Object.fromEntries(
      properties.map((p) => [p.id, formatValue(p, node.data.config_values[p.id] ?? p.default)]),
    ),
  );
  const [errors, setErrors] = useState<Record<string, string>>(() => {
    const out: Record<string, string> = {};
    for (const p of properties) {
      const r = parseValue(p, formatValue(p, node.data.config_values[p.id] ?? p.default));
      if (!r.ok) out[p.id] = r.error;
    }
    return out;
  });

  const change = (p: ComponentProperty, text: string) => {
    setDrafts((d) => ({ ...d, [p.id]: text }));
    const r = parseValue(p, text);
    setErrors((e) => {
      const { [p.id]: _old, ...rest } = e;
      return r.ok ? rest : { ...rest, [p.id]: r.error };
    });
    if (r.ok) {
      const values = { ...editor.getState().nodes.find((n) => n.id === node.id)?.data.config_values };
      if (r.value === undefined) delete values[p.id];
      else values[p.id] = r.value;
      editor.getState().updateNode(node.id, { config_values: values });
    }
  };

  return (
    <aside className="config" aria-label="Node settings">
      <h2>{manifest?.name ?? node.data.module_id}</h2>
      {!manifest && <p className="error">This engine has no component “{node.data.module_id}”.</p>}
      {manifest?.description && <p className="muted">{manifest.description}</p>}
      <fieldset className="config-fields" disabled={viewing}>
        <label>
          Node name
          <input
            value={node.data.name}
            onChange={(e) => editor.getState().updateNode(node.id, { name: e.target.value })}
          />
        </label>
        {fieldsFor(properties).map((f) => {
          const p = properties.find((x) => x.id === f.id) as ComponentProperty;
          const text = drafts[f.id] ?? "";
          const err = errors[f.id];
          const common = {
            id: `cfg-${f.id}`,
            "aria-invalid": err !== undefined,
            "aria-describedby": err ? `err-${f.id}` : undefined,
          };
          let input: React.ReactNode;
          switch (f.widget) {
            case "checkbox":
              return (
                <label key={f.id} className="check">
                  <input
                    type="checkbox"
                    checked={text === "true"}
                    onChange={(e) => change(p, String(e.target.checked))}
                  />
                  {f.label}
                </label>
              );
            case "select":
              input = (
                <select value={text} onChange={(e) => change(p, e.target.value)} {...common}>
                  {!f.required && <option value="">(none)</option>}
                  {f.options.map((o) => (
                    <option key={o.value} value={o.value}>
                      {o.label}
                    </option>
                  ))}
                </select>
              );
              break;
            case "textarea":
            case "code":
              input = (
                <textarea
                  value={text}
                  rows={f.widget === "code" ? 6 : 3}
                  className={f.widget === "code" ? "mono" : undefined}
                  placeholder={f.placeholder}
                  spellCheck={f.widget !== "code"}
                  onChange={(e) => change(p, e.target.value)}
                  {...common}
                />
              );
              break;
            default:
              input = (
                <input
                  type="text"
                  inputMode={f.widget === "number" ? "decimal" : undefined}
                  value={text}
                  placeholder={f.placeholder}
                  onChange={(e) => change(p, e.target.value)}
                  {...common}
                />
              );
          }
          return (
            <div key={f.id} className="field">
              <label htmlFor={`cfg-${f.id}`}>
                {f.label}
                {f.required && <span aria-hidden="true"> *</span>}
              </label>
              {input}
              {f.description && <small className="muted">{f.description}</small>}
              {err && (
                <small id={`err-${f.id}`} role="alert" className="error">
                  {err}
                </small>
              )}
            </div>
          );
        })}
      </fieldset>
    </aside>
  );
}
