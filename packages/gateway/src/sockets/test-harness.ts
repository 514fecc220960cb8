import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import {
  MemoryReplayCache,
  type Role,
  type Signer,
  signerFromPrivateKey,
  signSocketAuth,
} from "@flowork/protocol";
import { createNodeVerifier } from "@flowork/protocol/node";
import { type Socket as ClientSocket, io as connect } from "socket.io-client";
import { generatePrivateKey } from "viem/accounts";
import type { SocketDeps, SocketEngine, SocketOptions, VitalsRecord } from "./deps.js";
import { attachSockets, type GatewaySockets } from "./server.js";

/** An in-memory world of engines and roles for socket tests. */
export class MemoryWorld {
  readonly engines = new Map<string, SocketEngine & { token: string }>();
  readonly roles = new Map<string, Map<string, Role>>();
  readonly usage: { engineId: string; period: string; executions: number }[] = [];
  readonly presence: { engineId: string; status: string }[] = [];
  /** Every `saveVitals` call, in order. */
  readonly saved: VitalsRecord[][] = [];
  /** The order of writes: `vitals:<engine>` and `presence:<engine>:<status>`. */
  readonly writes: string[] = [];

  addEngine(engineId: string, owner: string, token = `dev_engine_${engineId}`): void {
    this.engines.set(engineId, {
      engine_id: engineId,
      name: `name-${engineId}`,
      owner_address: owner.toLowerCase(),
      last_seen: null,
      token,
    });
    this.roles.set(engineId, new Map([[owner.toLowerCase(), "owner"]]));
  }

  share(engineId: string, address: string, role: Role | undefined): void {
    const m = this.roles.get(engineId);
    if (role === undefined) m?.delete(address.toLowerCase());
    else m?.set(address.toLowerCase(), role);
  }

  deps(): SocketDeps {
    return {
      verifier: createNodeVerifier({ replayCache: new MemoryReplayCache() }),
      authenticateEngine: async (token) => {
        for (const e of this.engines.values()) if (e.token === token) return e;
        return undefined;
      },
      engine: async (id) => this.engines.get(id),
      visibleEngines: async (address) => {
        const out = [];
        for (const [id, roles] of this.roles) {
          const role = roles.get(address.toLowerCase());
          const e = this.engines.get(id);
          if (role !== undefined && e !== undefined) out.push({ ...e, role });
        }
        return out;
      },
      roleOf: async (id, address) => this.roles.get(id)?.get(address.toLowerCase()),
      recordUsage: async (engineId, period, executions) => {
        this.usage.push({ engineId, period, executions });
      },
      markPresence: async (engineId, status) => {
        this.presence.push({ engineId, status });
        this.writes.push(`presence:${engineId}:${status}`);
      },
      saveVitals: async (rows) => {
        this.saved.push(rows);
        for (const r of rows) this.writes.push(`vitals:${r.engine_id}`);
      },
    };
  }
}

/** A gateway with sockets on port 0, torn down by `close`. */
export interface TestGateway {
  url: string;
  http: HttpServer;
  sockets: GatewaySockets;
  clients: ClientSocket[];
  close(): Promise<void>;
}

export async function startTestGateway(
  world: MemoryWorld,
  options: SocketOptions = {},
): Promise<TestGateway> {
  const http = createServer();
  const sockets = attachSockets(http, world.deps(), options);
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const clients: ClientSocket[] = [];
  return {
    url,
    http,
    sockets,
    clients,
    close: async () => {
      for (const c of clients) c.disconnect();
      await sockets.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

/** A fresh random user. */
export function newUser(): Signer {
  return signerFromPrivateKey(generatePrivateKey());
}

/** A raw socket.io-client to a namespace, not yet connected, tracked for teardown. */
export function client(
  gw: TestGateway,
  nsp: string,
  auth: Record<string, unknown>,
  baseUrl = gw.url,
): ClientSocket {
  const socket = connect(`${baseUrl}${nsp}`, {
    auth,
    autoConnect: false,
    reconnection: false,
    forceNew: true,
    transports: ["websocket"],
  });
  gw.clients.push(socket);
  return socket;
}

/** A GUI socket signed in as `user`, connected; resolves with it and its `initial_engine_statuses`. */
export async function gui(
  gw: TestGateway,
  user: Signer,
  baseUrl = gw.url,
  extra: Record<string, unknown> = {},
): Promise<{ socket: ClientSocket; initial: unknown[] }> {
  const socket = client(gw, "/gui-socket", { ...(await signSocketAuth(user)), ...extra }, baseUrl);
  const initial = once<unknown[]>(socket, "initial_engine_statuses");
  socket.connect();
  return { socket, initial: await initial };
}

/** A GUI socket opted in to `engine_vitals_batch` (what the SDK's client does). */
export function batchGui(
  gw: TestGateway,
  user: Signer,
  baseUrl = gw.url,
): Promise<{ socket: ClientSocket; initial: unknown[] }> {
  return gui(gw, user, baseUrl, { vitals_batch: true });
}

/** An engine socket with `token`, connected after `auth_success`. */
export async function engine(gw: TestGateway, token: string, baseUrl = gw.url): Promise<ClientSocket> {
  const socket = client(gw, "/engine-socket", { token }, baseUrl);
  const ok = once(socket, "auth_success");
  socket.connect();
  await ok;
  return socket;
}

/** The next `event` on `socket`, or a rejection after `ms`. */
export function once<T = unknown>(socket: ClientSocket, event: string, ms = 3000): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} within ${ms} ms`)), ms);
    socket.once(event, (value: T) => {
      clearTimeout(timer);
      resolve(value);
    });
  });
}

/** The `connect_error` message of a socket that must fail to connect. */
export function connectFailure(socket: ClientSocket): Promise<string> {
  return new Promise((resolve, reject) => {
    socket.once("connect", () => reject(new Error("connected")));
    socket.once("connect_error", (err: Error) => resolve(err.message));
    socket.connect();
  });
}

/** Records every event a socket receives. */
export function record(socket: ClientSocket): { event: string; args: unknown[] }[] {
  const seen: { event: string; args: unknown[] }[] = [];
  socket.onAny((event: string, ...args: unknown[]) => seen.push({ event, args }));
  return seen;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
