import { describe, expect, it } from "vitest";
import { STORAGE_KEY } from "../lib/keystore.js";
import { createIdentityStore } from "./identity.js";

function memoryStorage() {
  const m = new Map<string, string>();
  return {
    getItem: (k: string) => m.get(k) ?? null,
    setItem: (k: string, v: string) => void m.set(k, v),
    removeItem: (k: string) => void m.delete(k),
    raw: m,
  };
}

const KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
const ADDRESS = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8";

describe("identity store", () => {
  it("imports a key, stores it only encrypted, locks and unlocks it", async () => {
    const storage = memoryStorage();
    const s = createIdentityStore({ storage, iterations: 1000 });
    expect(s.getState().status).toBe("none");
    await s.getState().importKey(KEY, "a long passphrase");
    expect(s.getState()).toMatchObject({ status: "unlocked", address: ADDRESS, source: "key" });
    const stored = storage.raw.get(STORAGE_KEY) as string;
    expect(stored).not.toContain(KEY.slice(2));
    expect(JSON.parse(stored)).toMatchObject({ v: 1, address: ADDRESS, kdf: "PBKDF2-SHA256" });
    const sig = await s.getState().signer?.signMessage("hello");
    expect(sig).toMatch(/^0x[0-9a-f]{130}$/);

    s.getState().lock();
    expect(s.getState()).toMatchObject({ status: "locked", signer: undefined, address: ADDRESS });
    // A fresh page load sees the stored key as locked.
    const again = createIdentityStore({ storage });
    expect(again.getState().status).toBe("locked");
    await expect(again.getState().unlock("wrong passphrase")).rejects.toThrow("Wrong passphrase.");
    await again.getState().unlock("a long passphrase");
    expect(await again.getState().signer?.signMessage("hello")).toBe(sig);
    again.getState().forget();
    expect(storage.raw.has(STORAGE_KEY)).toBe(false);
  });

  it("creates a fresh key and refuses short passphrases and bad keys", async () => {
    const s = createIdentityStore({ storage: memoryStorage(), iterations: 1000 });
    await expect(s.getState().create("short")).rejects.toThrow(/at least 8/);
    await expect(s.getState().importKey("0x1234", "a long passphrase")).rejects.toThrow(/64 hex/);
    await s.getState().create("a long passphrase");
    expect(s.getState().address).toMatch(/^0x[0-9a-f]{40}$/);
  });

  it("uses an injected EIP-1193 wallet as the signer", async () => {
    const s = createIdentityStore({ storage: memoryStorage() });
    const provider = {
      request: async ({ method }: { method: string }) =>
        method === "eth_requestAccounts" ? [ADDRESS] : `0x${"11".repeat(65)}`,
    };
    await s.getState().connectWallet(provider);
    expect(s.getState()).toMatchObject({ status: "unlocked", source: "wallet", address: ADDRESS });
  });
});
