import { mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { LICENSE_KEY_FILE, loadOrCreateLicenseKey, publicKeyPem } from "./license.js";

let dir: string | undefined;
afterEach(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

describe("loadOrCreateLicenseKey", () => {
  it("creates the key once (mode 0600, no temp file left) and every later load, e.g. another replica's, gets the same", async () => {
    dir = await mkdtemp(join(tmpdir(), "flowork-license-"));
    const first = loadOrCreateLicenseKey(dir);
    const second = loadOrCreateLicenseKey(dir);
    expect(publicKeyPem(second)).toBe(publicKeyPem(first));
    expect(await readdir(dir)).toEqual([LICENSE_KEY_FILE]);
    expect((await stat(join(dir, LICENSE_KEY_FILE))).mode & 0o777).toBe(0o600);
  });
});
