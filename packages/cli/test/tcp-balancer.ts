import { createServer, type Server, type Socket, connect as tcpConnect } from "node:net";

/** A backend of the balancer: a loopback port. */
export interface Backend {
  port: number;
  /** False while the test has taken it out of rotation (its open connections are cut). */
  enabled: boolean;
}

/** A tiny round-robin TCP load balancer for tests (loopback only). */
export interface TcpBalancer {
  port: number;
  url: string;
  backends: Backend[];
  /** Index of the backend each open Socket.IO connection (first bytes `GET /socket.io/`) goes to. */
  socketIoBackends(): number[];
  /** Takes a backend out of rotation (cutting its open connections) or puts it back. */
  setEnabled(index: number, enabled: boolean): void;
  close(): Promise<void>;
}

interface Pipe {
  backend: number;
  socketIo: boolean;
  client: Socket;
  upstream: Socket;
}

/**
 * Listens on 127.0.0.1:0 and pipes each connection to the next enabled backend, round robin; a backend that
 * refuses the connection is skipped (each one tried at most once per connection), and when none accepts, the
 * client is closed.
 */
export async function startTcpBalancer(ports: number[]): Promise<TcpBalancer> {
  const backends: Backend[] = ports.map((port) => ({ port, enabled: true }));
  const pipes = new Set<Pipe>();
  let next = 0;

  const dial = (client: Socket, first: Buffer, tried: number): void => {
    if (tried >= backends.length || client.destroyed) {
      client.destroy();
      return;
    }
    const index = next++ % backends.length;
    const backend = backends[index];
    if (backend === undefined || !backend.enabled) {
      dial(client, first, tried + 1);
      return;
    }
    const upstream = tcpConnect(backend.port, "127.0.0.1");
    upstream.once("error", () => {
      upstream.destroy();
      dial(client, first, tried + 1);
    });
    upstream.once("connect", () => {
      upstream.removeAllListeners("error");
      const pipe: Pipe = {
        backend: index,
        socketIo: first.subarray(0, 15).toString("latin1") === "GET /socket.io/",
        client,
        upstream,
      };
      pipes.add(pipe);
      const end = () => {
        pipes.delete(pipe);
        client.destroy();
        upstream.destroy();
      };
      upstream.on("error", end).on("close", end);
      client.on("error", end).on("close", end);
      upstream.write(first);
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
    });
  };

  const server: Server = createServer((client) => {
    client.once("data", (first: Buffer) => {
      client.pause();
      dial(client, first, 0);
    });
    client.on("error", () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;

  return {
    port,
    url: `http://127.0.0.1:${port}`,
    backends,
    socketIoBackends: () => [...pipes].filter((p) => p.socketIo).map((p) => p.backend),
    setEnabled(index, enabled) {
      const backend = backends[index];
      if (backend === undefined) return;
      backend.enabled = enabled;
      if (enabled) return;
      for (const p of pipes) {
        if (p.backend !== index) continue;
        p.client.destroy();
        p.upstream.destroy();
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const p of pipes) {
          p.client.destroy();
          p.upstream.destroy();
        }
        server.close(() => resolve());
      }),
  };
}
