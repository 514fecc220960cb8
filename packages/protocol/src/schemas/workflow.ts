import { z } from "zod";

/**
 * The workflow format of SPEC section 5, as existing Flowork presets write it. Objects are loose: fields this
 * version does not know (editor metadata, descriptions) are kept, so presets import and export unchanged.
 */
export const WorkflowNodeSchema = z.looseObject({
  id: z.string().min(1).max(200),
  name: z.string().max(500).optional(),
  x: z.number().optional(),
  y: z.number().optional(),
  module_id: z.string().min(1).max(200),
  config_values: z.record(z.string(), z.unknown()).optional(),
});
export type WorkflowNode = z.infer<typeof WorkflowNodeSchema>;

export const WorkflowConnectionSchema = z.looseObject({
  id: z.string().max(200).optional(),
  source: z.string().min(1),
  target: z.string().min(1),
  source_port_name: z.string().optional(),
  target_port_name: z.string().optional(),
  sourceHandle: z.string().nullish(),
  targetHandle: z.string().nullish(),
});
export type WorkflowConnection = z.infer<typeof WorkflowConnectionSchema>;

export const GlobalLoopConfigSchema = z.looseObject({
  isEnabled: z.boolean().default(false),
  iterations: z.number().int().min(1).max(1_000_000).default(1),
  isDelayEnabled: z.boolean().default(false),
  delayType: z.enum(["static", "random"]).default("static"),
  delayStatic: z.number().min(0).default(0),
  delayRandomMin: z.number().min(0).default(0),
  delayRandomMax: z.number().min(0).default(0),
});
export type GlobalLoopConfig = z.infer<typeof GlobalLoopConfigSchema>;

export const WorkflowSchema = z.looseObject({
  nodes: z.array(WorkflowNodeSchema).max(10_000),
  connections: z.array(WorkflowConnectionSchema).max(50_000).default([]),
  global_loop_config: GlobalLoopConfigSchema.optional(),
});
export type Workflow = z.infer<typeof WorkflowSchema>;

/** Source port of a connection: `source_port_name`, else `sourceHandle`, else undefined (the node's default). */
export function connectionSourcePort(c: WorkflowConnection): string | undefined {
  return c.source_port_name ?? c.sourceHandle ?? undefined;
}

/** Target port of a connection: `target_port_name`, else `targetHandle`, else `input`. */
export function connectionTargetPort(c: WorkflowConnection): string {
  return c.target_port_name ?? c.targetHandle ?? "input";
}
