import { constants } from "node:fs";
import { open } from "node:fs/promises";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { UsageError } from "../errors.js";

/**
 * `flowork keygen`: a new key pair, written as `{address, private_key}` to a file only its owner can read
 * (mode 0600). Refuses to overwrite an existing file unless `--force`.
 */
export async function keygenCommand(
  options: { out: string; force?: boolean },
  write: (line: string) => void,
): Promise<number> {
  const privateKey = generatePrivateKey();
  const address = privateKeyToAccount(privateKey).address.toLowerCase();
  const flags =
    constants.O_WRONLY | constants.O_CREAT | (options.force ? constants.O_TRUNC : constants.O_EXCL);
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(options.out, flags, 0o600);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(
      code === "EEXIST"
        ? `${options.out} exists (use --force to replace it)`
        : `cannot write ${options.out} (${code})`,
    );
  }
  try {
    await handle.chmod(0o600);
    await handle.writeFile(`${JSON.stringify({ address, private_key: privateKey }, null, 2)}\n`);
  } finally {
    await handle.close();
  }
  write(`address: ${address}`);
  write(`key written to ${options.out} (mode 0600); keep it secret`);
  return 0;
}
