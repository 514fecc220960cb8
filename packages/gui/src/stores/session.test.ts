/// <reference types="node" />
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { engineConfigFrom, type RunningEngine, startEngine } from "@flowork/engine";
import { signerFromPrivateKey } from "@flowork/protocol";
import type { WebSocketLike } from "@flowork/sdk";
import { generatePrivateKey } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { describeError, errorText } from "../lib/errors.js";
import { createConnectionsStore } from "./connections.js";
import { createEditorStore } from "./editor.js";
import { createEnginesStore } from "./engines.js";
import { createSessionStore } from "./session.js";
import { createToastStore } from "./toasts.js";

/**
 * Direct-to-engine mode against a real engine (standalone, its own authorization list): `session.rpc` signs in
 * the "browser", talks to the engine's WebSocket without any gateway, and feeds pushed events to the editor.
 */
const ENGINE_ID = "gui-direct-test";
const owner = signerFromPrivateKey(generatePrivateKey());
const reader = signerFromPrivateKey(generatePrivateKey());
const stranger = signerFromPrivateKey(generatePrivateKey());
const SECRET = "s3cret-direct-value";

let dir: string;
let engine: RunningEngine;
let url: string;
const connect = (u: string) => new WebSocket(u) as unknown as WebSocketLike;
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

function memoryStorage() {
  const m = new Map<string, string>();
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v) };
}

/** A session whose "unlocked key" is `signer`, with the engine set to direct at `engineUrl`. */
function directSession(signer = owner, engineUrl = url) {
  const connections = createConnectionsStore({ storage: memoryStorage() });
  connections.getState().setPref(ENGINE_ID, { mode: "direct", url: engineUrl });
  const editor = createEditorStore();
  const events: { name: string; data: unknown }[] = [];
  const apply = editor.getState().applyEngineEvent;
  editor.setState({
    applyEngineEvent: (name, data) => {
      events.push({ name, data });
      apply(name, data);
    },
  });
  const session = createSessionStore({
    baseUrl: "http://127.0.0.1:9", // no gateway: direct mode must not need one
    engines: createEnginesStore(),
    toasts: createToastStore(),
    editor,
    connections,
    directConnect: connect,
  });
  session.setState({ signer });
  return { session, connections, events };
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowork-gui-direct-"));
  engine = await startEngine(
    engineConfigFrom(
      { port: 0, data: dir },
      {
        FLOWORK_ENGINE_ID: ENGINE_ID,
        FLOWORK_AUTHORIZED_ADDRESSES: `${owner.address}:owner,${reader.address}:reader`,
      },
    ),
    quiet,
  );
  url = `ws://127.0.0.1:${engine.port}/`;
});

afterAll(async () => {
  await engine?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("session.rpc in direct mode (real engine, no gateway)", () => {
  it("sends signed commands straight to the engine; secrets come back masked", async () => {
    const { session, connections } = directSession();
    const pong = await session
      .getState()
      .rpc<{ type: string; engine_id: string }>(ENGINE_ID, { type: "ping" });
    expect(pong).toMatchObject({ type: "pong", engine_id: ENGINE_ID });
    expect(connections.getState().status[ENGINE_ID]).toEqual({ state: "open" });
    await session.getState().rpc(ENGINE_ID, {
      type: "update_variable",
      name: "API_TOKEN",
      data: { value: SECRET, mode: "single", is_secret: true, is_enabled: true },
    });
    const { variables } = await session
      .getState()
      .rpc<{ variables: { name: string; value: string; is_secret: boolean }[] }>(ENGINE_ID, {
        type: "request_variables",
      });
    expect(variables).toContainEqual(
      expect.objectContaining({ name: "API_TOKEN", value: "", is_secret: true }),
    );
    expect(JSON.stringify(variables)).not.toContain(SECRET);
    session.getState().signOut();
    expect(connections.getState().status[ENGINE_ID]).toEqual({ state: "closed" });
  });

  it("feeds events pushed on the direct connection to the editor, as engine_event would", async () => {
    const { session, events } = directSession();
    const started = await session.getState().rpc<{ job_id: string }>(ENGINE_ID, {
      type: "execute_workflow",
      mode: "EXECUTE",
      workflow_data: {
        nodes: [
          { id: "n1", name: "Start", x: 0, y: 0, module_id: "manual_trigger", config_values: {} },
          {
            id: "n2",
            name: "Say",
            x: 200,
            y: 0,
            module_id: "log_message",
            config_values: { message: "token is {{vars.API_TOKEN}}" },
          },
        ],
        connections: [
          { id: "c1", source: "n1", target: "n2", source_port_name: "output", target_port_name: "input" },
        ],
      },
    });
    const done = () =>
      events.some(
        (e) =>
          e.name === "workflow_status_update" &&
          (e.data as { job_id: string; status_data: { status: string } }).job_id === started.job_id &&
          (e.data as { status_data: { status: string } }).status_data.status === "SUCCEEDED",
      );
    await expect.poll(done, { timeout: 10_000 }).toBe(true);
    const names = new Set(events.map((e) => e.name));
    expect(names).toContain("NODE_EXECUTION_METRIC");
    expect(names).toContain("log");
    const said = events.find(
      (e) => e.name === "log" && String((e.data as { message: string }).message).startsWith("token"),
    );
    expect(said?.data).toMatchObject({ message: "token is ***" });
    expect(JSON.stringify(events)).not.toContain(SECRET);
    session.getState().signOut();
  });

  it("reports the engine's refusals as sentences: a weak role, an address not on the list", async () => {
    const weak = directSession(reader);
    const refused = await weak.session
      .getState()
      .rpc(ENGINE_ID, { type: "delete_variable", name: "API_TOKEN" })
      .catch((e: unknown) => e);
    expect(describeError(refused).code).toBe("AUTH_FORBIDDEN_ROLE");
    expect(errorText(refused)).toMatch(/^Your role on this engine does not allow this action/);
    weak.session.getState().signOut();

    const nobody = directSession(stranger);
    const denied = await nobody.session
      .getState()
      .rpc(ENGINE_ID, { type: "ping" })
      .catch((e: unknown) => e);
    expect(describeError(denied).code).toBe("AUTH_NOT_AUTHORIZED");
    nobody.session.getState().signOut();
  });

  it("says so in a sentence when the URL cannot be reached", async () => {
    const port = await closedPort();
    const { session, connections } = directSession(owner, `ws://127.0.0.1:${port}/`);
    const err = await session
      .getState()
      .rpc(ENGINE_ID, { type: "ping" })
      .catch((e: unknown) => e);
    expect(describeError(err).code).toBe("DIRECT_UNREACHABLE");
    expect(errorText(err)).toMatch(/could not be reached directly.*127\.0\.0\.1:\d+/);
    expect(connections.getState().status[ENGINE_ID]?.state).toBe("error");
    // A later call tries again (no poisoned link): still unreachable, still a sentence.
    await expect(session.getState().rpc(ENGINE_ID, { type: "ping" })).rejects.toMatchObject({
      code: "DIRECT_UNREACHABLE",
    });
  });

  it("drops the direct socket when the engine is switched back to the gateway, and routes there", async () => {
    const { session, connections } = directSession();
    await session.getState().rpc(ENGINE_ID, { type: "ping" });
    expect(connections.getState().status[ENGINE_ID]?.state).toBe("open");
    connections.getState().setPref(ENGINE_ID, { mode: "gateway", url });
    expect(connections.getState().status[ENGINE_ID]?.state).toBe("closed");
    // Through the gateway needs a signed-in socket, which this session has not: the call is refused as such.
    await expect(session.getState().rpc(ENGINE_ID, { type: "ping" })).rejects.toMatchObject({
      code: "AUTH_MISSING",
    });
  });

  it("probes a URL before it is saved, leaving no socket open", async () => {
    const { session, connections } = directSession();
    connections.getState().setPref(ENGINE_ID, { mode: "gateway", url: "" });
    const probe = await session.getState().probeDirect(ENGINE_ID, ` ${url} `);
    expect(probe).toMatchObject({ engine_id: ENGINE_ID, version: expect.any(String) });
    expect(probe.ms).toBeGreaterThanOrEqual(0);
    expect(connections.getState().status[ENGINE_ID]?.state).toBe("closed");
  });
});
