import { resolve } from "node:path";
import {
  compileWorkflow,
  createBuiltinRegistry,
  createRun,
  createSandbox,
  loadPlugins,
  MemoryVariables,
  parseVariableDocument,
} from "@flowork/engine";
import {
  type EngineSettingsPatch,
  EngineSettingsPatchSchema,
  FloworkError,
  type JobEvent,
} from "@flowork/protocol";
import { EXIT, UsageError } from "../errors.js";
import { parseJson, readJsonFile } from "../files.js";
import { paletteFor } from "../render/colors.js";
import { ProgressRenderer } from "../render/progress.js";

export interface RunCommandOptions {
  simulate?: boolean;
  input?: string;
  vars?: string;
  settings?: string;
  json?: boolean;
  data?: string;
  workspace?: string;
}

export interface Io {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

/** Accepts a workflow document, or a preset export that wraps one in `workflow_data`. */
function unwrapWorkflow(doc: unknown): unknown {
  if (
    doc !== null &&
    typeof doc === "object" &&
    !Array.isArray(doc) &&
    !("nodes" in doc) &&
    "workflow_data" in doc
  ) {
    return (doc as { workflow_data: unknown }).workflow_data;
  }
  return doc;
}

async function readSettings(path: string | undefined): Promise<EngineSettingsPatch> {
  if (path === undefined) return {};
  const parsed = EngineSettingsPatchSchema.safeParse(await readJsonFile(path, "settings file"));
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
    throw new UsageError(`settings file ${path} is invalid: ${issues}`);
  }
  return parsed.data;
}

async function readVariables(path: string | undefined): Promise<MemoryVariables> {
  if (path === undefined) return new MemoryVariables();
  const doc = await readJsonFile(path, "variables file");
  try {
    return new MemoryVariables(parseVariableDocument(doc));
  } catch (err) {
    if (err instanceof FloworkError) {
      const issues = (err.details?.issues as { path: string; message: string }[] | undefined) ?? [];
      throw new UsageError(
        `variables file ${path} is invalid: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`,
      );
    }
    throw err;
  }
}

/**
 * `flowork run <file>`: runs a workflow locally with no servers. Exit 0 on success, 1 on a failed or stopped run,
 * 2 on an invalid workflow or bad arguments (SPEC section 7).
 */
export async function runCommand(file: string, options: RunCommandOptions, io: Io): Promise<number> {
  const writeOut = (line: string) => io.stdout.write(`${line}\n`);
  const document = unwrapWorkflow(await readJsonFile(file, "workflow file"));
  const initialPayload = options.input === undefined ? {} : parseJson(options.input, "--input");
  const settings = await readSettings(options.settings);
  const variables = await readVariables(options.vars);
  const registry = createBuiltinRegistry();
  const dataDir = resolve(options.data ?? ".flowork");
  const plugins = await loadPlugins(resolve(dataDir, "components"), registry);
  for (const problem of plugins.errors) {
    io.stderr.write(`warning: plugin ${problem.id} skipped: ${problem.code}: ${problem.message}\n`);
  }

  let compiled: ReturnType<typeof compileWorkflow>;
  try {
    compiled = compileWorkflow(document, registry);
  } catch (err) {
    if (!(err instanceof FloworkError) || err.code !== "WORKFLOW_INVALID") throw err;
    const problems = (err.details?.problems ?? []) as { message: string; path?: string }[];
    if (options.json) {
      writeOut(JSON.stringify({ type: "error", code: err.code, message: err.message, details: err.details }));
    } else {
      io.stderr.write(`${file}: ${err.message}\n`);
      for (const p of problems) io.stderr.write(`  - ${p.path ? `${p.path}: ` : ""}${p.message}\n`);
    }
    return EXIT.INVALID;
  }

  const sandbox = createSandbox({ poolSize: 1 });
  const names = new Map(compiled.workflow.nodes.map((n) => [n.id, n.name ?? n.id]));
  const renderer = options.json
    ? undefined
    : new ProgressRenderer({ write: writeOut }, paletteFor(io.stdout), names);
  const mode = options.simulate ? "SIMULATE" : "EXECUTE";
  const onEvent = (event: JobEvent) => {
    if (options.json) writeOut(JSON.stringify(event));
    else renderer?.handle(event);
  };
  const run = createRun(compiled, {
    mode,
    initialPayload,
    variables,
    settings,
    onEvent,
    services: { sandbox, workspaceDir: resolve(options.workspace ?? process.cwd()) },
  });
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts === 1) {
      io.stderr.write("stopping (Ctrl-C again to quit at once)\n");
      run.stop();
    } else {
      process.exit(130);
    }
  };
  process.on("SIGINT", onSigint);
  renderer?.header(file, mode, run.jobId);
  const started = performance.now();
  try {
    const outcome = await run.start();
    renderer?.summary(outcome.status, performance.now() - started, outcome.result, outcome.error);
    return outcome.status === "SUCCEEDED" ? EXIT.OK : EXIT.RUN_FAILED;
  } finally {
    process.off("SIGINT", onSigint);
    await sandbox.close();
  }
}
