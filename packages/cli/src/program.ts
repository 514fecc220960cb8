import { Command, CommanderError, Option } from "commander";
import { engineCommand } from "./commands/engine.js";
import { enginesCommand } from "./commands/engines.js";
import { gatewayCommand } from "./commands/gateway.js";
import { keygenCommand } from "./commands/keygen.js";
import { type Io, runCommand } from "./commands/run.js";
import { upCommand } from "./commands/up.js";
import { workerCommand } from "./commands/worker.js";
import { loadDotEnv } from "./env-file.js";
import { describeError, EXIT } from "./errors.js";

const VERSION = "0.1.0";

/** Builds the `flowork` command line. Each action resolves to an exit status. */
export function buildProgram(io: Io, setExit: (code: number) => void): Command {
  const program = new Command("flowork")
    .description("Flowork: self-hosted workflow automation")
    .version(VERSION)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    })
    .showHelpAfterError("(run flowork --help for usage)");

  program
    .command("run")
    .description("run a workflow file locally, no servers needed")
    .argument("<workflow>", "workflow JSON file (or a preset export with workflow_data)")
    .option("--simulate", "run without side effects (SIMULATE mode)")
    .option("--input <json>", "initial payload as JSON text")
    .option(
      "--vars <file>",
      'variables JSON: {"NAME": "value"} or {"NAME": {"value": "...", "is_secret": true}}',
    )
    .option("--settings <file>", "engine settings JSON (SPEC section 4)")
    .option("--json", "print one engine event per line instead of the progress view")
    .option("--data <dir>", "data folder; plugins are loaded from <data>/components", ".flowork")
    .option("--workspace <dir>", "folder file_read/file_write are confined to (default: the current folder)")
    .action(async (workflow: string, options) => setExit(await runCommand(workflow, options, io)));

  program
    .command("keygen")
    .description("create a new key pair for signing (address + private key in a 0600 file)")
    .addOption(new Option("--out <file>", "where to write the key").default("flowork-key.json"))
    .option("--force", "replace an existing file")
    .action(async (options) => setExit(await keygenCommand(options, (line) => io.stdout.write(`${line}\n`))));

  program
    .command("engine")
    .description("run the Core Engine (WebSocket API, internal HTTP, triggers)")
    .option("--port <port>", "port for the WebSocket and internal HTTP (0 = any free port)", "8989")
    .option("--host <host>", "address to listen on", "127.0.0.1")
    .option("--data <dir>", "data folder (database, secret key, plugins, workspace)", ".flowork")
    .action(async (options) =>
      setExit(await engineCommand(options, consoleLogger(io), (line) => io.stdout.write(`${line}\n`))),
    );

  program
    .command("worker")
    .description("run an engine's queued jobs (queue mode: FLOWORK_QUEUE_URL)")
    .option("--queue <redis-url>", "the engine's queue (default FLOWORK_QUEUE_URL)")
    .option("--engine-id <id>", "the engine whose jobs to run (default FLOWORK_ENGINE_ID)")
    .option("--concurrency <n>", "runs at once", "4")
    .option(
      "--data <dir>",
      "the engine's data folder (shared disk) unless FLOWORK_ENGINE_DATABASE_URL is set",
    )
    .action(async (options) =>
      setExit(await workerCommand(options, consoleLogger(io), (line) => io.stdout.write(`${line}\n`))),
    );

  program
    .command("up")
    .description("run Flowork on this machine: gateway and engine, SQLite in ./.flowork")
    .option("--data <dir>", "data folder", ".flowork")
    .option("--port <port>", "gateway port (REST, Socket.IO, GUI)", "8000")
    .option("--engine-port <port>", "engine port", "8989")
    .option("--owner <address>", "register the local engine to this address directly (no pairing code)")
    .action(async (options) =>
      setExit(await upCommand(options, consoleLogger(io), (line) => io.stdout.write(`${line}\n`))),
    );

  program
    .command("gateway")
    .description("run the gateway (REST API, Socket.IO relay)")
    .option("--port <port>", "port (0 = any free port)", "8000")
    .option("--host <host>", "address to listen on", "127.0.0.1")
    .option("--data <dir>", "data folder (SQLite database, license key)", ".flowork")
    .action(async (options) =>
      setExit(await gatewayCommand(options, consoleLogger(io), (line) => io.stdout.write(`${line}\n`))),
    );

  const engines = program
    .command("engines")
    .description("manage engines on a gateway (signed with your key)");
  const common = (cmd: Command) =>
    cmd
      .requiredOption("--key <file>", "key file written by flowork keygen")
      .option("--gateway <url>", "gateway URL", "http://localhost:8000")
      .option("--json", "print JSON");
  const write = (line: string) => io.stdout.write(`${line}\n`);
  common(engines.command("list").description("engines you own or that are shared with you")).action(
    async (o) => setExit(await enginesCommand("list", [], o, write)),
  );
  common(
    engines.command("create").argument("<name>").description("register a new engine; prints its token once"),
  ).action(async (name: string, o) => setExit(await enginesCommand("create", [name], o, write)));
  common(
    engines
      .command("share")
      .argument("<engine-id>")
      .argument("<address-or-username>")
      .argument("[role]", "reader, runner or admin", "reader")
      .description("share an engine"),
  ).action(async (id: string, who: string, role: string, o) =>
    setExit(await enginesCommand("share", [id, who, role], o, write)),
  );
  common(
    engines.command("unshare").argument("<engine-id>").argument("<address>").description("revoke a share"),
  ).action(async (id: string, address: string, o) =>
    setExit(await enginesCommand("unshare", [id, address], o, write)),
  );
  common(
    engines.command("delete").argument("<engine-id>").description("delete an engine (its token dies)"),
  ).action(async (id: string, o) => setExit(await enginesCommand("delete", [id], o, write)));

  return program;
}

function consoleLogger(io: Io) {
  const stamp = () => new Date().toISOString();
  return {
    info: (m: string) => io.stdout.write(`${stamp()} INFO  ${m}\n`),
    warn: (m: string) => io.stderr.write(`${stamp()} WARN  ${m}\n`),
    error: (m: string, err?: unknown) =>
      io.stderr.write(`${stamp()} ERROR ${m}${err instanceof Error ? `: ${err.message}` : ""}\n`),
  };
}

/** Runs the CLI and returns the exit status: 0 ok, 1 failed run, 2 bad arguments or invalid input. */
export async function main(argv: string[], io: Io): Promise<number> {
  try {
    loadDotEnv();
  } catch (err) {
    io.stderr.write(`flowork: ${describeError(err)}\n`);
    return EXIT.INVALID;
  }
  let exitCode: number = EXIT.OK;
  const program = buildProgram(io, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? EXIT.OK : EXIT.INVALID;
    }
    io.stderr.write(`flowork: ${describeError(err)}\n`);
    return EXIT.INVALID;
  }
  return exitCode;
}
