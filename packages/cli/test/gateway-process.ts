import { type Proc, spawnFlowork } from "./flowork-process.js";

export { type Proc, spawnFlowork } from "./flowork-process.js";

export function startGatewayProcess(
  dataDir: string,
  env: NodeJS.ProcessEnv = {},
): Promise<Proc & { url: string }> {
  return spawnFlowork(
    ["gateway", "--port", "0", "--data", dataDir],
    env,
    /flowork gateway ready: (http:\/\/127\.0\.0\.1:\d+)\//,
  ).then((p) => ({
    ...p,
    url: p.match[1] as string,
  }));
}
