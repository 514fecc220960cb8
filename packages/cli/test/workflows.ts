/** Builds a workflow document from terse node and edge lists: `[id, module_id, config?]`, `[from, to, port?]`. */
export function wf(
  nodes: [string, string, Record<string, unknown>?][],
  edges: [string, string, string?][] = [],
) {
  return {
    nodes: nodes.map(([id, module_id, config_values]) => ({
      id,
      name: id,
      x: 0,
      y: 0,
      module_id,
      config_values: config_values ?? {},
    })),
    connections: edges.map(([source, target, port], i) => ({
      id: `c${i}`,
      source,
      target,
      ...(port && { source_port_name: port }),
      target_port_name: "input",
    })),
  };
}
