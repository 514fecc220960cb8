import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** A request the fake gateway received. */
export interface SeenRequest {
  method: string;
  url: string;
  token: string | undefined;
}

/** A fake gateway on 127.0.0.1, port 0. `handler` may be swapped at any time. */
export interface FakeGateway {
  url: string;
  port: number;
  requests: SeenRequest[];
  handler: (req: IncomingMessage, res: ServerResponse) => void;
  close(): Promise<void>;
}

/** Answers 200 with `body` as JSON. */
export function json(body: unknown, status = 200): (req: IncomingMessage, res: ServerResponse) => void {
  return (_req, res) => {
    res.writeHead(status, { "Content-Type": "application/json" }).end(JSON.stringify(body));
  };
}

/** Starts a fake gateway; close it in `afterEach` (it drops open connections, so it always closes). */
export async function startFakeGateway(
  handler: (req: IncomingMessage, res: ServerResponse) => void = json({}),
): Promise<FakeGateway> {
  const requests: SeenRequest[] = [];
  const gateway: FakeGateway = {
    url: "",
    port: 0,
    requests,
    handler,
    close: async () => {},
  };
  const server = createServer((req, res) => {
    const token = req.headers["x-engine-token"];
    requests.push({
      method: req.method ?? "",
      url: req.url ?? "",
      token: typeof token === "string" ? token : undefined,
    });
    gateway.handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  gateway.port = port;
  gateway.url = `http://127.0.0.1:${port}`;
  gateway.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return gateway;
}
