import { readFile } from "node:fs/promises";
import { signerFromPrivateKey } from "@flowork/protocol";
import { GatewayClient } from "@flowork/sdk";
import { UsageError } from "../errors.js";

export interface EnginesOptions {
  key: string;
  gateway: string;
  json?: boolean;
}

async function clientFor(options: EnginesOptions): Promise<GatewayClient> {
  let text: string;
  try {
    text = await readFile(options.key, "utf8");
  } catch {
    throw new UsageError(`cannot read the key file ${options.key} (create one with flowork keygen)`);
  }
  let key: unknown;
  try {
    key = (JSON.parse(text) as { private_key?: unknown }).private_key;
  } catch {
    throw new UsageError(`${options.key} is not a key file written by flowork keygen`);
  }
  if (typeof key !== "string" || !/^0x[0-9a-fA-F]{64}$/.test(key)) {
    throw new UsageError(`${options.key} holds no private_key (0x + 64 hex)`);
  }
  try {
    new URL(options.gateway);
  } catch {
    throw new UsageError(`--gateway must be a URL such as http://localhost:8000`);
  }
  return new GatewayClient({ baseUrl: options.gateway, signer: signerFromPrivateKey(key as `0x${string}`) });
}

type Row = Record<string, unknown>;

function table(rows: Row[], columns: string[]): string[] {
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c] ?? "").length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  return [line(columns), ...rows.map((r) => line(columns.map((c) => String(r[c] ?? ""))))];
}

/** `flowork engines list|create|share|unshare|delete`: manage engines on a gateway with a signing key. */
export async function enginesCommand(
  action: "list" | "create" | "share" | "unshare" | "delete",
  args: string[],
  options: EnginesOptions,
  write: (line: string) => void,
): Promise<number> {
  const gw = await clientFor(options);
  const out = (value: unknown, lines: () => string[]) => {
    if (options.json) write(JSON.stringify(value));
    else for (const l of lines()) write(l);
  };
  switch (action) {
    case "list": {
      const owned = await gw.get<Row[]>("/user/engines");
      const shared = await gw.get<Row[]>("/user/shared-engines");
      const rows = [...owned, ...shared];
      out(rows, () =>
        rows.length === 0
          ? ["no engines yet (flowork engines create <name>)"]
          : table(rows, ["id", "name", "status", "role", "last_seen"]),
      );
      return 0;
    }
    case "create": {
      const [name] = args;
      if (!name) throw new UsageError("usage: flowork engines create <name>");
      const created = await gw.post<Row>("/user/engines", { name });
      out(created, () => [
        `engine ${String(created.id)} created; its token is shown once:`,
        `  ${String(created.raw_token)}`,
        `run it with:`,
        `  GATEWAY_API_URL=${options.gateway} FLOWORK_ENGINE_TOKEN=${String(created.raw_token)} npx flowork engine`,
      ]);
      return 0;
    }
    case "share": {
      const [engineId, who, role = "reader"] = args;
      if (!engineId || !who)
        throw new UsageError("usage: flowork engines share <engine-id> <address|username> [role]");
      const body = /^0x[0-9a-fA-F]{40}$/.test(who) ? { address: who, role } : { username: who, role };
      const share = await gw.post<Row>(`/user/engines/${encodeURIComponent(engineId)}/shares`, body);
      out(share, () => [`shared ${engineId} with ${who} as ${role}`]);
      return 0;
    }
    case "unshare": {
      const [engineId, address] = args;
      if (!engineId || !address) throw new UsageError("usage: flowork engines unshare <engine-id> <address>");
      await gw.delete(`/user/engines/${encodeURIComponent(engineId)}/shares/${encodeURIComponent(address)}`);
      out({ ok: true }, () => [`unshared ${engineId} from ${address}`]);
      return 0;
    }
    case "delete": {
      const [engineId] = args;
      if (!engineId) throw new UsageError("usage: flowork engines delete <engine-id>");
      await gw.delete(`/user/engines/${encodeURIComponent(engineId)}`);
      out({ ok: true }, () => [`deleted ${engineId}`]);
      return 0;
    }
  }
}
