import { type Signer, signerFromPrivateKey } from "@flowork/protocol";
import { type Eip1193Provider, signerFromEip1193 } from "@flowork/sdk";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { createStore } from "zustand/vanilla";
import {
  decryptPrivateKey,
  type EncryptedKey,
  encryptPrivateKey,
  PBKDF2_ITERATIONS,
  parseStoredKey,
  STORAGE_KEY,
} from "../lib/keystore.js";

/** `none`: no key stored; `locked`: an encrypted key is stored; `unlocked`: a signer is in memory. */
export type IdentityStatus = "none" | "locked" | "unlocked";

export interface IdentityState {
  status: IdentityStatus;
  address: string | undefined;
  source: "key" | "wallet" | undefined;
  signer: Signer | undefined;
  stored: EncryptedKey | undefined;
  create(passphrase: string): Promise<void>;
  importKey(privateKey: string, passphrase: string): Promise<void>;
  unlock(passphrase: string): Promise<void>;
  connectWallet(provider: Eip1193Provider): Promise<void>;
  lock(): void;
  forget(): void;
}

export interface IdentityDeps {
  storage: Pick<Storage, "getItem" | "setItem" | "removeItem">;
  /** PBKDF2 iterations for new keys; tests lower it. */
  iterations?: number;
}

const MIN_PASSPHRASE = 8;

function checkPassphrase(passphrase: string): void {
  if (passphrase.length < MIN_PASSPHRASE) {
    throw new Error(`The passphrase must be at least ${MIN_PASSPHRASE} characters.`);
  }
}

/** The user's key: created or imported here, kept only encrypted in storage, unlocked into memory. */
export function createIdentityStore(deps: IdentityDeps) {
  const stored = parseStoredKey(deps.storage.getItem(STORAGE_KEY));
  const iterations = deps.iterations ?? PBKDF2_ITERATIONS;
  return createStore<IdentityState>()((set, get) => {
    const keep = async (privateKey: `0x${string}`, passphrase: string) => {
      checkPassphrase(passphrase);
      const account = privateKeyToAccount(privateKey);
      const blob = await encryptPrivateKey(privateKey, passphrase, account.address, iterations);
      deps.storage.setItem(STORAGE_KEY, JSON.stringify(blob));
      set({
        status: "unlocked",
        address: account.address.toLowerCase(),
        source: "key",
        signer: signerFromPrivateKey(privateKey),
        stored: blob,
      });
    };
    return {
      status: stored ? "locked" : "none",
      address: stored?.address,
      source: stored ? "key" : undefined,
      signer: undefined,
      stored,
      create: (passphrase) => keep(generatePrivateKey(), passphrase),
      importKey: (privateKey, passphrase) => {
        const hex = (
          privateKey.trim().startsWith("0x") ? privateKey.trim() : `0x${privateKey.trim()}`
        ) as `0x${string}`;
        if (!/^0x[0-9a-fA-F]{64}$/.test(hex)) {
          return Promise.reject(new Error("A private key is 64 hex characters, optionally after 0x."));
        }
        return keep(hex, passphrase);
      },
      unlock: async (passphrase) => {
        const blob = get().stored;
        if (!blob) throw new Error("There is no stored key to unlock.");
        let key: `0x${string}`;
        try {
          key = await decryptPrivateKey(blob, passphrase);
        } catch {
          throw new Error("Wrong passphrase.");
        }
        set({ status: "unlocked", signer: signerFromPrivateKey(key), address: blob.address, source: "key" });
      },
      connectWallet: async (provider) => {
        const signer = await signerFromEip1193(provider);
        set({ status: "unlocked", signer, address: signer.address.toLowerCase(), source: "wallet" });
      },
      lock: () => {
        const blob = get().stored;
        set({
          signer: undefined,
          status: blob ? "locked" : "none",
          address: blob?.address,
          source: blob ? "key" : undefined,
        });
      },
      forget: () => {
        deps.storage.removeItem(STORAGE_KEY);
        set({ status: "none", signer: undefined, address: undefined, source: undefined, stored: undefined });
      },
    };
  });
}

export type IdentityStore = ReturnType<typeof createIdentityStore>;
