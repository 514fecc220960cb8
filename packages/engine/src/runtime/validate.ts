import { type Workflow, WorkflowSchema } from "@flowork/protocol";
import type { ComponentRegistry } from "../components/registry.js";
import { checkCommonKeys, checkProperty } from "./config-check.js";
import { defaultOutputPort, edgeOf } from "./graph.js";

/** One reason a workflow cannot run. Every problem is listed, not just the first. */
export interface WorkflowProblem {
  code:
    | "SCHEMA"
    | "DUPLICATE_ID"
    | "UNKNOWN_MODULE"
    | "DANGLING_CONNECTION"
    | "UNKNOWN_PORT"
    | "BAD_CONFIG"
    | "NO_ENTRY";
  message: string;
  node_id?: string;
  connection_id?: string;
  path?: string;
}

export type ValidationResult = { ok: true; workflow: Workflow } | { ok: false; problems: WorkflowProblem[] };

/**
 * The validation pass of SPEC section 5: unknown module ids, dangling connections, unknown ports, duplicate ids,
 * and config that breaks a component's property schema, all listed.
 */
export function validateWorkflow(
  document: unknown,
  registry: ComponentRegistry,
  options: { startNodeId?: string } = {},
): ValidationResult {
  const parsed = WorkflowSchema.safeParse(document);
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((issue) => ({
        code: "SCHEMA",
        message: issue.message,
        path: issue.path.map(String).join("."),
      })),
    };
  }
  const workflow = parsed.data;
  const problems: WorkflowProblem[] = [];
  const seen = new Set<string>();
  for (const node of workflow.nodes) {
    if (seen.has(node.id))
      problems.push({ code: "DUPLICATE_ID", node_id: node.id, message: `duplicate node id "${node.id}"` });
    seen.add(node.id);
    const component = registry.get(node.module_id);
    if (!component) {
      problems.push({
        code: "UNKNOWN_MODULE",
        node_id: node.id,
        message: `unknown module_id "${node.module_id}"`,
      });
      continue;
    }
    const config = node.config_values ?? {};
    const messages = [
      ...component.manifest.properties.map((p) => checkProperty(p, config[p.id])),
      ...checkCommonKeys(config),
      ...(component.validateConfig?.(config) ?? []),
    ];
    for (const message of messages) {
      if (message)
        problems.push({ code: "BAD_CONFIG", node_id: node.id, message: `node "${node.id}": ${message}` });
    }
  }
  const nodesById = new Map(workflow.nodes.map((n) => [n.id, n]));
  const connectionIds = new Set<string>();
  workflow.connections.forEach((c, i) => {
    const source = nodesById.get(c.source);
    const target = nodesById.get(c.target);
    const sourceComponent = source && registry.get(source.module_id);
    const edge = edgeOf(c, i, sourceComponent);
    if (connectionIds.has(edge.id)) {
      problems.push({
        code: "DUPLICATE_ID",
        connection_id: edge.id,
        message: `duplicate connection id "${edge.id}"`,
      });
    }
    connectionIds.add(edge.id);
    if (!source || !target) {
      const missing = source ? c.target : c.source;
      problems.push({
        code: "DANGLING_CONNECTION",
        connection_id: edge.id,
        message: `connection "${edge.id}" refers to missing node "${missing}"`,
      });
      return;
    }
    if (sourceComponent) {
      const ports = outputPortsOf(sourceComponent, source.config_values ?? {});
      if (!ports.includes(edge.sourcePort)) {
        problems.push({
          code: "UNKNOWN_PORT",
          connection_id: edge.id,
          message: `node "${source.id}" (${source.module_id}) has no output port "${edge.sourcePort}" (ports: ${ports.join(", ")})`,
        });
      }
    }
    const targetComponent = registry.get(target.module_id);
    if (targetComponent) {
      const inputs = targetComponent.manifest.input_ports.map((p) => p.name);
      if (!inputs.includes(edge.targetPort)) {
        problems.push({
          code: "UNKNOWN_PORT",
          connection_id: edge.id,
          message:
            inputs.length === 0
              ? `node "${target.id}" (${target.module_id}) takes no input`
              : `node "${target.id}" (${target.module_id}) has no input port "${edge.targetPort}" (ports: ${inputs.join(", ")})`,
        });
      }
    }
  });
  if (options.startNodeId !== undefined && !nodesById.has(options.startNodeId)) {
    problems.push({
      code: "NO_ENTRY",
      node_id: options.startNodeId,
      message: `start node "${options.startNodeId}" does not exist`,
    });
  } else if (options.startNodeId === undefined && workflow.nodes.length > 0) {
    const targets = new Set(workflow.connections.map((c) => c.target));
    if (workflow.nodes.every((n) => targets.has(n.id))) {
      problems.push({
        code: "NO_ENTRY",
        message: "every node has an incoming connection: no node to start from",
      });
    }
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, workflow };
}

/** Every port a node may emit on: the manifest's, the config-dependent ones, and the implicit `error` port. */
export function outputPortsOf(
  component: NonNullable<ReturnType<ComponentRegistry["get"]>>,
  config: Record<string, unknown>,
): string[] {
  const ports = component.outputPorts?.(config) ?? component.manifest.output_ports.map((p) => p.name);
  if (ports.length === 0) ports.push(defaultOutputPort(component));
  return [...ports, "error"];
}
