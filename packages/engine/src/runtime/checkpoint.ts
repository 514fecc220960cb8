/**
 * A resumable picture of a run between two node steps (durable runs, SPEC section 4 `resume_interrupted`).
 * Everything in it is JSON: the engine stores it as text after node steps, and a restarted engine (or another
 * worker) resumes the run from it. Tasks that were running when the picture was taken run again, so a node may
 * run twice across a crash (at-least-once), never zero times.
 */
export interface RunCheckpoint {
  version: 1;
  iteration: number;
  steps: number;
  /** Tasks spawned and not finished: a payload waiting to enter (or inside) a node. */
  tasks: CheckpointTask[];
  /** Sequential emitters (loop) part-way through their emissions. */
  sequences: CheckpointSequence[];
  /** Payloads buffered at join nodes (merge), by node id, by input index. */
  joins: [nodeId: string, inputs: [index: number, payload: unknown][]][];
  /** Last payload each node emitted (for `{{nodes.<id>.payload}}`). */
  outputs: [nodeId: string, payload: unknown][];
  result: Record<string, unknown>;
  ran: string[];
}

export interface CheckpointTask {
  node_id: string;
  payload: unknown;
  edge_id: string | null;
  scope: number;
}

export interface CheckpointSequence {
  id: number;
  node_id: string;
  /** Scope the emitter itself belongs to (it holds that scope open until it is done). */
  parent_scope: number;
  /** Scope of the emission in progress: its tasks must finish before the next emission is sent. */
  current_scope: number;
  remaining: { payload: unknown; output_name?: string }[];
}

export function isRunCheckpoint(value: unknown): value is RunCheckpoint {
  if (value === null || typeof value !== "object") return false;
  const v = value as Partial<RunCheckpoint>;
  return (
    v.version === 1 &&
    Array.isArray(v.tasks) &&
    Array.isArray(v.sequences) &&
    Array.isArray(v.joins) &&
    Array.isArray(v.outputs)
  );
}
