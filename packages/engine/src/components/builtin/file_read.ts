import { FloworkError } from "@flowork/protocol";
import { builtinManifest, withFields } from "../define.js";
import { fileError, openInWorkspace } from "../fs/workspace.js";
import type { ComponentContext, ComponentDefinition, ComponentResult } from "../types.js";

/** Largest file `file_read` reads into a payload. */
export const FILE_READ_MAX_BYTES = 10 * 1024 * 1024;
const ENCODINGS = ["utf8", "base64", "json"] as const;
type Encoding = (typeof ENCODINGS)[number];

function readEncoding(value: unknown): Encoding {
  if (value === undefined || value === null || value === "") return "utf8";
  if (typeof value === "string" && (ENCODINGS as readonly string[]).includes(value)) return value as Encoding;
  throw new FloworkError("VALIDATION_FAILED", `encoding must be one of ${ENCODINGS.join(", ")}`);
}

const outputField = (value: unknown) =>
  typeof value === "string" && value.trim() !== "" ? value.trim() : "content";

function decode(data: Buffer, encoding: Encoding, relative: string): unknown {
  if (encoding === "base64") return data.toString("base64");
  const text = data.toString("utf8");
  if (encoding === "utf8") return text;
  try {
    return JSON.parse(text);
  } catch {
    throw new FloworkError("USER_ERROR", `${relative} is not valid JSON`, { details: { path: relative } });
  }
}

async function execute(payload: unknown, ctx: ComponentContext): Promise<ComponentResult> {
  const encoding = readEncoding(ctx.config.encoding);
  const { handle, path } = await openInWorkspace(ctx.services, ctx.config.path, "read");
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for (;;) {
      ctx.signal.throwIfAborted();
      const chunk = Buffer.allocUnsafe(256 * 1024);
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > FILE_READ_MAX_BYTES) {
        throw new FloworkError(
          "PAYLOAD_TOO_LARGE",
          `${path.relative} is over the ${FILE_READ_MAX_BYTES}-byte limit`,
          {
            details: { limit: FILE_READ_MAX_BYTES, path: path.relative },
          },
        );
      }
      chunks.push(chunk.subarray(0, bytesRead));
    }
  } catch (err) {
    throw ctx.signal.aborted ? ctx.signal.reason : fileError(err, path.relative);
  } finally {
    await handle.close();
  }
  const data = Buffer.concat(chunks, total);
  return {
    payload: withFields(payload, {
      [outputField(ctx.config.output_field)]: decode(data, encoding, path.relative),
    }),
  };
}

/**
 * `file_read`: reads a file inside the engine's workspace folder into `payload[output_field]` (text, base64, or
 * parsed JSON). Paths escaping the workspace, directly or through symlinks, are refused (`SANDBOX_VIOLATION`);
 * files over 10 MiB are `PAYLOAD_TOO_LARGE`. Reading changes nothing, so it has no side effects and also runs
 * in SIMULATE, giving the rest of a simulated run real data.
 *
 * @example
 * { "module_id": "file_read", "config_values": { "path": "data/input.json", "encoding": "json" } }
 */
export const fileRead: ComponentDefinition = {
  manifest: builtinManifest({
    id: "file_read",
    name: "Read File",
    type: "ACTION",
    category: "Files",
    description:
      "Reads a file from the engine's workspace folder into the payload (text, base64 or parsed JSON).",
    icon: "file-text",
    properties: [
      {
        id: "path",
        type: "string",
        label: "Path",
        required: true,
        description: "Relative to the workspace folder.",
      },
      { id: "encoding", type: "enum", label: "Encoding", default: "utf8", options: [...ENCODINGS] },
      { id: "output_field", type: "string", label: "Output field", default: "content" },
    ],
    side_effects: false,
  }),
  execute,
};
