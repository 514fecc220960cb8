import { spawn } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { wf } from "./workflows.js";

const BIN = resolve(fileURLToPath(new URL(".", import.meta.url)), "../bin/flowork.js");
const EXAMPLE = resolve(fileURLToPath(new URL(".", import.meta.url)), "../../../examples/hello.json");

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function flowork(args: string[], env: NodeJS.ProcessEnv = {}, cwd?: string): Promise<Result> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: cwd ?? dir,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("error", reject);
    child.on("close", (code) => resolvePromise({ code, stdout, stderr }));
  });
}

let dir: string;
async function file(name: string, content: unknown): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, typeof content === "string" ? content : JSON.stringify(content));
  return path;
}

let server: Server;
let baseUrl: string;
const hits: string[] = [];
let flakyCount = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowork-cli-"));
  server = createServer((req, res) => {
    hits.push(req.url ?? "");
    if (req.url === "/flaky") {
      flakyCount++;
      if (flakyCount < 3) {
        res.writeHead(503).end("busy");
        return;
      }
    }
    res
      .writeHead(200, { "content-type": "application/json" })
      .end(JSON.stringify({ ok: true, url: req.url }));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
  await rm(dir, { recursive: true, force: true });
});

describe("flowork run", () => {
  it("runs the README example and exits 0 with the result", async () => {
    const out = await flowork(["run", EXAMPLE, "--input", '{"name":"Ada"}']);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain("SUCCEEDED");
    expect(out.stdout).toContain("Hello, Ada!");
    expect(out.stdout).not.toContain("\u001b[");
  });

  it("--json prints one event per line, the final status last", async () => {
    const out = await flowork(["run", EXAMPLE, "--json", "--input", '{"name":"Ada"}']);
    expect(out.code).toBe(0);
    const events = out.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(events.length).toBeGreaterThan(5);
    for (const e of events) expect(typeof e.type).toBe("string");
    const last = events.at(-1);
    expect(last.type).toBe("workflow_status_update");
    expect(last.status_data.status).toBe("SUCCEEDED");
    expect(last.status_data.result.log.greeting).toBe("Hello, Ada!");
  });

  it("colours only on a terminal (FORCE_COLOR forces them)", async () => {
    const out = await flowork(["run", EXAMPLE], { FORCE_COLOR: "1" });
    expect(out.stdout).toContain("\u001b[32m");
  });

  it("exits 1 on a failed run", async () => {
    const path = await file("fail.json", wf([["boom", "throw_error", { message: "it broke" }]]));
    const out = await flowork(["run", path]);
    expect(out.code).toBe(1);
    expect(out.stdout).toContain("USER_ERROR");
    expect(out.stdout).toContain("it broke");
  });

  it("exits 2 on an invalid workflow, listing every problem", async () => {
    const path = await file("invalid.json", {
      nodes: [
        { id: "a", module_id: "nope" },
        { id: "b", module_id: "delay", config_values: { milliseconds: "soon" } },
        { id: "b", module_id: "set_data" },
      ],
      connections: [{ id: "x", source: "a", target: "ghost" }],
    });
    const out = await flowork(["run", path]);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('unknown module_id "nope"');
    expect(out.stderr).toContain('"milliseconds" must be an integer');
    expect(out.stderr).toContain('duplicate node id "b"');
    expect(out.stderr).toContain('missing node "ghost"');
    const json = await flowork(["run", path, "--json"]);
    expect(json.code).toBe(2);
    const line = JSON.parse(json.stdout.trim());
    expect(line).toMatchObject({ type: "error", code: "WORKFLOW_INVALID" });
    expect(line.details.problems).toHaveLength(4);
  });

  it("exits 2 on bad arguments, with a clear line and never a stack trace", async () => {
    const notJson = await file("notjson.json", "{ nope");
    const badVars = await file("badvars.json", { lower: "x" });
    const badSettings = await file("badsettings.json", { max_concurrent_executions: -1, unknown_key: true });
    const cases: [string[], string][] = [
      [["run"], "missing required argument"],
      [["run", EXAMPLE, "--bogus"], "unknown option"],
      [["run", join(dir, "missing.json")], "cannot read workflow file"],
      [["run", notJson], "not valid JSON"],
      [["run", EXAMPLE, "--input", "{bad"], "--input is not valid JSON"],
      [["run", EXAMPLE, "--vars", badVars], "variables file"],
      [["run", EXAMPLE, "--settings", badSettings], "settings file"],
      [["nosuchcommand"], "unknown command"],
    ];
    for (const [args, message] of cases) {
      const out = await flowork(args);
      expect(out.code, args.join(" ")).toBe(2);
      expect(out.stderr, args.join(" ")).toContain(message);
      expect(out.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it("never prints a secret, in either output mode", async () => {
    const vars = await file("vars.json", {
      TOKEN: { value: "tok-very-secret-1234", is_secret: true },
      PLAIN: "visible",
    });
    const path = await file(
      "secret.json",
      wf(
        [
          ["s", "manual_trigger"],
          ["log", "log_message", { message: "using {{vars.TOKEN}} and {{vars.PLAIN}}" }],
          ["set", "set_data", { fields: { auth: "Bearer {{vars.TOKEN}}" } }],
          ["code", "code_javascript", { code: "console.log('in code', vars.TOKEN); return payload;" }],
          ["fail", "throw_error", { message: "failed with {{vars.TOKEN}}" }],
        ],
        [
          ["s", "log"],
          ["log", "set"],
          ["set", "code"],
          ["code", "fail"],
        ],
      ),
    );
    for (const extra of [[], ["--json"]]) {
      const out = await flowork(["run", path, "--vars", vars, ...extra]);
      expect(out.code).toBe(1);
      expect(out.stdout + out.stderr).not.toContain("tok-very-secret-1234");
      expect(out.stdout).toContain("visible");
      expect(out.stdout).toContain("***");
    }
  });

  it("--simulate never reaches the network", async () => {
    const before = hits.length;
    const settings = await file("allow.json", { http_allowed_hosts: ["127.0.0.1"] });
    const path = await file(
      "http.json",
      wf([["h", "http_request", { url: `${baseUrl}/simulated`, method: "POST" }]]),
    );
    const out = await flowork(["run", path, "--simulate", "--settings", settings]);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain("[SIMULATE]");
    expect(hits.length).toBe(before);
    const real = await flowork(["run", path, "--settings", settings]);
    expect(real.code).toBe(0);
    expect(hits.at(-1)).toBe("/simulated");
  });

  it("retries a flaky HTTP endpoint until it answers", async () => {
    flakyCount = 0;
    const settings = await file("allow2.json", { http_allowed_hosts: ["127.0.0.1"] });
    const path = await file(
      "flaky.json",
      wf([["h", "http_request", { url: `${baseUrl}/flaky`, retry_attempts: 4, retry_delay_seconds: 0.01 }]]),
    );
    const out = await flowork(["run", path, "--settings", settings, "--json"]);
    expect(out.code).toBe(0);
    expect(flakyCount).toBe(3);
    const last = JSON.parse(out.stdout.trim().split("\n").at(-1) ?? "{}");
    expect(last.status_data.result.h.body).toEqual({ ok: true, url: "/flaky" });
  });

  it("refuses private addresses unless listed in http_allowed_hosts", async () => {
    const path = await file("private.json", wf([["h", "http_request", { url: `${baseUrl}/private` }]]));
    const before = hits.length;
    const out = await flowork(["run", path]);
    expect(out.code).toBe(1);
    expect(hits.length).toBe(before);
  });

  it("loads plugins from <data>/components and reports a broken one without failing", async () => {
    const data = join(dir, "data");
    await mkdir(join(data, "components", "greet"), { recursive: true });
    await mkdir(join(data, "components", "broken"), { recursive: true });
    await writeFile(
      join(data, "components", "greet", "manifest.json"),
      JSON.stringify({
        id: "greet",
        name: "Greet",
        version: "1.0.0",
        type: "ACTION",
        category: "Examples",
        description: "greets",
        properties: [{ id: "name", type: "string", label: "Name", required: true }],
        input_ports: [{ name: "input" }],
        output_ports: [{ name: "success", display_name: "Success" }],
        side_effects: false,
      }),
    );
    await writeFile(
      join(data, "components", "greet", "index.js"),
      // biome-ignore lint/suspicious/noTemplateCurlyInString: this string is the plugin's own source code
      "export default function execute(payload, ctx) { return { payload: { ...payload, greeting: `Hello, ${ctx.config.name}!` } }; }",
    );
    await writeFile(join(data, "components", "broken", "manifest.json"), "{ not json");
    const path = await file("plugin.json", wf([["g", "greet", { name: "{{payload.who}}" }]]));
    const out = await flowork(["run", path, "--data", data, "--input", '{"who":"Grace"}', "--json"]);
    expect(out.code).toBe(0);
    expect(out.stderr).toContain("plugin broken skipped");
    const last = JSON.parse(out.stdout.trim().split("\n").at(-1) ?? "{}");
    expect(last.status_data.result.g.greeting).toBe("Hello, Grace!");
  });

  it("keygen writes a 0600 key file and refuses to overwrite it", async () => {
    const keyPath = join(dir, "key.json");
    const first = await flowork(["keygen", "--out", keyPath]);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/address: 0x[0-9a-f]{40}/);
    const { stat, readFile } = await import("node:fs/promises");
    expect((await stat(keyPath)).mode & 0o777).toBe(0o600);
    const key = JSON.parse(await readFile(keyPath, "utf8"));
    expect(key.private_key).toMatch(/^0x[0-9a-f]{64}$/);
    const again = await flowork(["keygen", "--out", keyPath]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain("exists");
  });
});
