import { Handle, type NodeProps, Position } from "@xyflow/react";
import { memo } from "react";
import { useEditor } from "../app-context.js";
import type { CanvasNodeData } from "../lib/workflow.js";
import { shownRun } from "../stores/editor.js";

const IMPLICIT_ERROR_PORT = "error";

/** A workflow node: one handle per manifest port (plus the implicit `error` port), the shown run's status. */
export const ComponentNode = memo(function ComponentNode({ id, data, selected }: NodeProps) {
  const d = data as CanvasNodeData;
  const manifest = useEditor((s) => s.manifests[d.module_id]);
  const run = useEditor((s) => shownRun(s).nodes[id]);
  const inputs = manifest?.input_ports ?? [];
  const outputs = [
    ...(manifest?.output_ports ?? []),
    ...(manifest?.type === "TRIGGER" ? [] : [{ name: IMPLICIT_ERROR_PORT, display_name: "error" }]),
  ];
  const rows = Math.max(inputs.length, outputs.length, 1);
  const status = run?.status ?? "IDLE";
  return (
    <div
      className={`fw-node status-${status.toLowerCase()}${selected ? " selected" : ""}${manifest ? "" : " unknown"}`}
      data-status={status}
      data-testid={`node-${id}`}
      title={`Node ${d.name}`}
      style={{ minHeight: 44 + rows * 18 }}
    >
      <div className="fw-node-title">{d.name}</div>
      <div className="fw-node-sub">
        {d.module_id}
        {run?.duration_ms !== undefined && <span className="duration"> · {run.duration_ms} ms</span>}
      </div>
      {inputs.map((p, i) => (
        <Handle
          key={`in-${p.name}`}
          id={p.name}
          type="target"
          position={Position.Left}
          style={{ top: 36 + i * 18 }}
          title={p.name}
        />
      ))}
      {outputs.map((p, i) => (
        <Handle
          key={`out-${p.name}`}
          id={p.name}
          type="source"
          position={Position.Right}
          style={{ top: 36 + i * 18 }}
          title={p.display_name}
          className={p.name === IMPLICIT_ERROR_PORT ? "error-port" : undefined}
        >
          <span className="port-label">{p.display_name}</span>
        </Handle>
      ))}
    </div>
  );
});
