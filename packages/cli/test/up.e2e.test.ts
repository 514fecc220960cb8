import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GatewayClient, GuiSocketClient } from "@flowork/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN } from "./engine-process.js";
import { type Proc, spawnFlowork } from "./gateway-process.js";

let dir: string;
let up: Proc;
let url: string;
let keyFile: string;
let address: string;

function flowork(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: dir,
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowork-up-"));
  up = await spawnFlowork(
    ["up", "--data", join(dir, "data"), "--port", "0", "--engine-port", "0"],
    {},
    /pairing code: ([A-Z0-9]{8})[\s\S]*Stop with Ctrl-C/,
  );
  url = /open:\s+(http:\/\/localhost:\d+)\//.exec(up.output())?.[1] as string;
  keyFile = join(dir, "me.json");
  const keygen = await flowork(["keygen", "--out", keyFile]);
  address = /address: (0x[0-9a-f]{40})/.exec(keygen.stdout)?.[1] as string;
});

afterAll(async () => {
  await up?.stop("SIGTERM");
  await rm(dir, { recursive: true, force: true });
});

describe("flowork up and flowork engines", () => {
  it("prints the URL and a pairing code; claiming it makes the caller the owner of the running engine", {
    timeout: 60_000,
  }, async () => {
    expect(url).toMatch(/^http:\/\/localhost:\d+$/);
    const code = up.match[1] as string;
    const { readFile } = await import("node:fs/promises");
    const key = JSON.parse(await readFile(keyFile, "utf8")) as { private_key: `0x${string}` };
    const { signerFromPrivateKey, signEnvelope } = await import("@flowork/protocol");
    const signer = signerFromPrivateKey(key.private_key);
    const gw = new GatewayClient({ baseUrl: url, signer });
    await gw.post("/auth/login");
    // Regression: a GUI connected before the claim must receive the engine's room-wide status events after it.
    const gui = new GuiSocketClient({ url, signer, timeoutMs: 15_000 });
    await gui.connect();
    const statuses: string[] = [];
    gui.socket.on("engine_event", (e) => {
      const data = e.event_data as { job_id?: string; status_data?: { status: string } };
      if (e.event_name === "workflow_status_update" && data.job_id === "claim-regression")
        statuses.push(data.status_data?.status ?? "");
    });
    const claimed = await gw.post<{ id: string; role: string }>("/user/engines/claim", { code });
    expect(claimed.role).toBe("owner");
    await expect(gw.post("/user/engines/claim", { code })).rejects.toMatchObject({
      code: expect.stringMatching(/NOT_FOUND|CONFLICT|VALIDATION_FAILED/),
    });
    const engines = await gw.get<{ id: string; status: string }[]>("/user/engines");
    expect(engines.find((e) => e.id === claimed.id)?.status).toBe("online");
    let ack: Awaited<ReturnType<GuiSocketClient["rpc"]>> = {
      ok: false,
      error: { code: "INTERNAL", message: "" },
    };
    for (let i = 0; i < 40 && !ack.ok; i++) {
      const envelope = await signEnvelope(signer, claimed.id, {
        type: "execute_workflow",
        request_id: `c${i}`,
        job_id: "claim-regression",
        workflow_data: { nodes: [{ id: "a", module_id: "manual_trigger", x: 0, y: 0 }], connections: [] },
        mode: "SIMULATE",
      });
      ack = await gui.rpc(claimed.id, envelope);
      if (!ack.ok) await new Promise((r) => setTimeout(r, 100)); // the engine refetches its list after the claim
    }
    expect(ack.ok).toBe(true);
    for (let i = 0; i < 100 && !statuses.includes("SUCCEEDED"); i++)
      await new Promise((r) => setTimeout(r, 50));
    expect(statuses).toContain("SUCCEEDED");
    gui.close();
  });

  it("engines list / create / share / unshare / delete", { timeout: 90_000 }, async () => {
    const list = await flowork(["engines", "list", "--key", keyFile, "--gateway", url]);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain("online");
    const created = await flowork([
      "engines",
      "create",
      "ci-box",
      "--key",
      keyFile,
      "--gateway",
      url,
      "--json",
    ]);
    expect(created.code).toBe(0);
    const engine = JSON.parse(created.stdout) as { id: string; raw_token: string };
    expect(engine.raw_token).toMatch(/^dev_engine_/);
    const friend = "0x" + "ab".repeat(20);
    expect(
      (await flowork(["engines", "share", engine.id, friend, "runner", "--key", keyFile, "--gateway", url]))
        .code,
    ).toBe(0);
    expect(
      (await flowork(["engines", "unshare", engine.id, friend, "--key", keyFile, "--gateway", url])).code,
    ).toBe(0);
    expect((await flowork(["engines", "delete", engine.id, "--key", keyFile, "--gateway", url])).code).toBe(
      0,
    );
    const after = await flowork(["engines", "list", "--key", keyFile, "--gateway", url, "--json"]);
    expect((JSON.parse(after.stdout) as { id: string }[]).some((e) => e.id === engine.id)).toBe(false);
    expect(address).toMatch(/^0x/);
  });

  it("answers bad arguments with exit 2 and a clear line", { timeout: 90_000 }, async () => {
    const cases: [string[], RegExp][] = [
      [
        ["engines", "share", "only-one", "--key", keyFile, "--gateway", url],
        /missing required argument|usage/,
      ],
      [["engines", "list", "--key", join(dir, "nope.json"), "--gateway", url], /cannot read the key file/],
      [["engines", "list", "--key", keyFile, "--gateway", "not a url"], /--gateway must be a URL/],
      [["up", "--owner", "0x123"], /--owner must be an address/],
      [["gateway", "--port", "99999"], /--port must be an integer/],
    ];
    for (const [args, message] of cases) {
      const out = await flowork(args);
      expect(out.code, args.join(" ")).toBe(2);
      expect(out.stderr, args.join(" ")).toMatch(message);
    }
    const denied = await flowork([
      "engines",
      "delete",
      "engine-that-is-not-mine",
      "--key",
      keyFile,
      "--gateway",
      url,
    ]);
    expect(denied.code).toBe(2);
    expect(denied.stderr).toMatch(/AUTH_NOT_AUTHORIZED/);
  });
});
