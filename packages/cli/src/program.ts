import { Command, CommanderError, Option } from "commander";
import { engineCommand } from "./commands/engine.js";
import { keygenCommand } from "./commands/keygen.js";
import { type Io, runCommand } from "./commands/run.js";
import { upCommand } from "./commands/up.js";
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
    .command("up")
    .description("run Flowork on this machine (SQLite in ./.flowork)")
    .option("--data <dir>", "data folder", ".flowork")
    .option("--engine-port <port>", "engine port", "8989")
    .option("--owner <address>", "make this address the engine's owner")
    .action(async (options) =>
      setExit(await upCommand(options, consoleLogger(io), (line) => io.stdout.write(`${line}\n`))),
    );

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
