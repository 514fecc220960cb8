import { FloworkError } from "@flowork/protocol";
import { bool, builtinManifest, withFields } from "../define.js";
import { fileError, openInWorkspace } from "../fs/workspace.js";
import type { ComponentContext, ComponentDefinition, ComponentResult } from "../types.js";

const MODES = ["overwrite", "append"] as const;
type WriteMode = (typeof MODES)[number];
const ENCODINGS = ["utf8", "base64"] as const;

const invalid = (message: string) =>
  new FloworkError("VALIDATION_FAILED", message, { details: { component: "file_write" } });

function readMode(value: unknown): WriteMode {
  if (value === undefined || value === null || value === "") return "overwrite";
  if (value === "overwrite" || value === "append") return value;
  throw invalid(`mode must be one of ${MODES.join(", ")}`);
}

/**
 * The bytes to write: a string as is (or base64-decoded with `encoding: base64`), any other JSON value as
 * pretty-printed JSON. A missing content (a template that found nothing) is an error, not an empty file.
 */
function contentBytes(content: unknown, encoding: unknown): Buffer {
  if (content === undefined || content === null)
    throw invalid('content is required (use "" for an empty file)');
  if (encoding === "base64") {
    if (typeof content !== "string" || !/^[A-Za-z0-9+/=_\-\s]*$/.test(content))
      throw invalid("content is not base64");
    return Buffer.from(content, "base64");
  }
  if (encoding !== undefined && encoding !== null && encoding !== "" && encoding !== "utf8") {
    throw invalid(`encoding must be one of ${ENCODINGS.join(", ")}`);
  }
  return Buffer.from(typeof content === "string" ? content : JSON.stringify(content, null, 2), "utf8");
}

async function execute(payload: unknown, ctx: ComponentContext): Promise<ComponentResult> {
  const { config } = ctx;
  const mode = readMode(config.mode);
  const data = contentBytes(config.content, config.encoding);
  const { handle, path } = await openInWorkspace(ctx.services, config.path, mode, {
    createDirs: bool(config.create_dirs, false),
  });
  try {
    await handle.writeFile(data, { signal: ctx.signal });
  } catch (err) {
    throw ctx.signal.aborted ? ctx.signal.reason : fileError(err, path.relative);
  } finally {
    await handle.close();
  }
  ctx.log("DEBUG", `${mode === "append" ? "appended" : "wrote"} ${data.length} bytes to ${path.relative}`);
  return {
    payload: withFields(payload, { file: { path: path.relative, bytes_written: data.length, mode } }),
  };
}

/** Reports what would be written, touching nothing (the config's `simulate_output` wins when set). */
function simulate(payload: unknown, ctx: ComponentContext): ComponentResult {
  if (ctx.config.simulate_output !== undefined) return { payload: ctx.config.simulate_output };
  const mode = readMode(ctx.config.mode);
  const bytes = contentBytes(ctx.config.content, ctx.config.encoding).length;
  const path = typeof ctx.config.path === "string" ? ctx.config.path : "";
  return { payload: withFields(payload, { file: { path, bytes_written: bytes, mode, simulated: true } }) };
}

/**
 * `file_write`: writes (or appends) content to a file inside the engine's workspace folder and emits
 * `{...payload, file: {path, bytes_written, mode}}`. Paths escaping the workspace, directly or through
 * symlinks, are refused (`SANDBOX_VIOLATION`); `create_dirs` creates missing parent folders. In SIMULATE
 * nothing is written and `file.simulated` is true.
 *
 * @example
 * { "module_id": "file_write", "config_values": { "path": "out/log.txt", "content": "{{payload.line}}\n", "mode": "append" } }
 */
export const fileWrite: ComponentDefinition = {
  manifest: builtinManifest({
    id: "file_write",
    name: "Write File",
    type: "ACTION",
    category: "Files",
    description: "Writes or appends text, base64 bytes or JSON to a file in the engine's workspace folder.",
    icon: "file-pen",
    properties: [
      {
        id: "path",
        type: "string",
        label: "Path",
        required: true,
        description: "Relative to the workspace folder.",
      },
      {
        id: "content",
        type: "json",
        label: "Content",
        description: "Text is written as is; any other JSON value as pretty-printed JSON.",
      },
      { id: "encoding", type: "enum", label: "Encoding", default: "utf8", options: [...ENCODINGS] },
      { id: "mode", type: "enum", label: "Mode", default: "overwrite", options: [...MODES] },
      { id: "create_dirs", type: "boolean", label: "Create missing folders", default: false },
    ],
    side_effects: true,
  }),
  validateConfig: (config) =>
    "content" in config ? [] : ['"content" is required (use "" for an empty file)'],
  execute,
  simulate,
};
