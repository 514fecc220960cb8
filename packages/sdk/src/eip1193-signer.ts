import { FloworkError, type Signer } from "@flowork/protocol";

/** The one method of an EIP-1193 provider (MetaMask's `window.ethereum`, WalletConnect, ...) the signer uses. */
export interface Eip1193Provider {
  request(args: { method: string; params?: unknown[] }): Promise<unknown>;
}

function toHexUtf8(text: string): string {
  let hex = "0x";
  for (const byte of new TextEncoder().encode(text)) hex += byte.toString(16).padStart(2, "0");
  return hex;
}

/**
 * A {@link Signer} backed by an injected wallet: messages are signed with `personal_sign` (EIP-191), exactly what
 * the engine and gateway verify. Asks for the account with `eth_requestAccounts` unless `address` is given.
 *
 * @example
 * const signer = await signerFromEip1193(window.ethereum);
 * const gw = new GatewayClient({ baseUrl: location.origin, signer });
 */
export async function signerFromEip1193(provider: Eip1193Provider, address?: string): Promise<Signer> {
  let account = address;
  if (account === undefined) {
    const accounts = await provider.request({ method: "eth_requestAccounts" });
    account = Array.isArray(accounts) && typeof accounts[0] === "string" ? accounts[0] : undefined;
  }
  if (account === undefined || !/^0x[0-9a-fA-F]{40}$/.test(account)) {
    throw new FloworkError("AUTH_MISSING", "the wallet gave no account");
  }
  const from = account;
  return {
    address: from,
    async signMessage(message: string) {
      const signature = await provider.request({
        method: "personal_sign",
        params: [toHexUtf8(message), from],
      });
      if (typeof signature !== "string" || !/^0x[0-9a-fA-F]{130}$/.test(signature)) {
        throw new FloworkError("AUTH_MALFORMED", "the wallet returned no signature");
      }
      return signature as `0x${string}`;
    },
  };
}
