import { chmod, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { deriveKeyFromPassphrase, loadOrCreateKeyFile, parseSecretKey, SecretBox } from "./index.js";

describe("SecretBox", () => {
  const box = new SecretBox(Buffer.alloc(32, 1));

  it("round-trips with a fresh IV each time, in the v1 format", () => {
    const a = box.encrypt("hunter2 ✓", "aad");
    const b = box.encrypt("hunter2 ✓", "aad");
    expect(a).not.toBe(b);
    expect(a).toMatch(/^v1:[A-Za-z0-9+/=]{16}:[A-Za-z0-9+/=]{24}:[A-Za-z0-9+/=]+$/);
    expect(box.decrypt(a, "aad")).toBe("hunter2 ✓");
    expect(box.decrypt(box.encrypt("", "aad"), "aad")).toBe("");
  });

  it("fails clearly for another AAD, another key, a tampered or unknown value", () => {
    const sealed = box.encrypt("v", "variable:A");
    expect(() => box.decrypt(sealed, "variable:B")).toThrow(/could not be decrypted/);
    expect(() => new SecretBox(Buffer.alloc(32, 2)).decrypt(sealed, "variable:A")).toThrow(
      /wrong secret key/,
    );
    const parts = sealed.split(":");
    const flipped = [parts[0], parts[1], parts[2], Buffer.from("x").toString("base64")].join(":");
    expect(() => box.decrypt(flipped, "variable:A")).toThrow(expect.objectContaining({ code: "INTERNAL" }));
    expect(() => box.decrypt("v2:a:b:c", "variable:A")).toThrow(/unsupported secret format/);
    expect(() => box.decrypt("v1:AAAA:AAAA:AAAA", "variable:A")).toThrow(/malformed/);
    expect(() => new SecretBox(Buffer.alloc(16))).toThrow(/32 bytes/);
  });
});

describe("parseSecretKey", () => {
  it("reads 64 hex chars and base64 of 32 bytes as raw keys, anything else as a passphrase", () => {
    const key = Buffer.alloc(32, 0xab);
    expect(parseSecretKey(key.toString("hex").toUpperCase())).toEqual({ kind: "raw", key });
    expect(parseSecretKey(` ${key.toString("base64")}\n`)).toEqual({ kind: "raw", key });
    expect(parseSecretKey(key.toString("base64url"))).toEqual({ kind: "raw", key });
    expect(parseSecretKey("a".repeat(63))).toEqual({ kind: "passphrase", passphrase: "a".repeat(63) });
    expect(parseSecretKey(Buffer.alloc(31).toString("base64"))).toMatchObject({ kind: "passphrase" });
    expect(() => parseSecretKey("  ")).toThrow(expect.objectContaining({ code: "VALIDATION_FAILED" }));
  });

  it("derives a stable 32-byte key per passphrase and salt", async () => {
    const salt = Buffer.alloc(16, 3);
    const a = await deriveKeyFromPassphrase("pass phrase", salt);
    expect(a).toHaveLength(32);
    expect(await deriveKeyFromPassphrase("pass phrase", salt)).toEqual(a);
    expect(await deriveKeyFromPassphrase("pass phrase", Buffer.alloc(16, 4))).not.toEqual(a);
  });
});

describe("key file", () => {
  let dir: string;
  const warnings: string[] = [];
  const warn = (message: string) => void warnings.push(message);
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "flowork-key-"));
    warnings.length = 0;
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("creates secret.key once, mode 0600, 64 hex chars, and reads the same key back", async () => {
    const key = await loadOrCreateKeyFile(dir, warn);
    expect(key).toHaveLength(32);
    const path = join(dir, "secret.key");
    if (process.platform !== "win32") expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await readFile(path, "utf8")).trim()).toBe(key.toString("hex"));
    expect(await loadOrCreateKeyFile(dir, warn)).toEqual(key);
    expect(await readdir(dir)).toEqual(["secret.key"]);
    expect(warnings).toEqual([]);
  });

  it("agrees on one key when many start at once", async () => {
    const keys = await Promise.all(Array.from({ length: 16 }, () => loadOrCreateKeyFile(dir, warn)));
    expect(new Set(keys.map((k) => k.toString("hex"))).size).toBe(1);
    expect(await readdir(dir)).toEqual(["secret.key"]);
  });

  it.skipIf(process.platform === "win32")(
    "tightens a key file readable by others to 0600 and reports it",
    async () => {
      const key = await loadOrCreateKeyFile(dir, warn);
      await chmod(join(dir, "secret.key"), 0o644);
      expect(await loadOrCreateKeyFile(dir, warn)).toEqual(key);
      expect((await stat(join(dir, "secret.key"))).mode & 0o777).toBe(0o600);
      expect(warnings).toEqual([expect.stringMatching(/tightened to 0600/)]);
    },
  );

  it("refuses a key file that does not hold a key", async () => {
    await writeFile(join(dir, "secret.key"), "garbage", { mode: 0o600 });
    await expect(loadOrCreateKeyFile(dir, warn)).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
  });
});
