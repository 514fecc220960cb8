import type { Eip1193Provider } from "@flowork/sdk";
import { type FormEvent, useState } from "react";
import { useIdentity, useStores } from "../app-context.js";

function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  const run = (fn: () => Promise<void>) => (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    fn().then(
      () => setBusy(false),
      (err: unknown) => {
        setBusy(false);
        setError(err instanceof Error ? err.message : String(err));
      },
    );
  };
  return { busy, error, run };
}

/** Create, import or unlock the key; or connect a browser wallet. */
export function IdentityPage({ signingIn }: { signingIn: boolean }) {
  const { identity } = useStores();
  const status = useIdentity((s) => s.status);
  const address = useIdentity((s) => s.address);
  const action = useAction();
  const [pass, setPass] = useState("");
  const [pass2, setPass2] = useState("");
  const [importKey, setImportKey] = useState("");
  const [importPass, setImportPass] = useState("");
  const ethereum = (window as unknown as { ethereum?: Eip1193Provider }).ethereum;

  if (status === "unlocked") {
    return <p className="muted">{signingIn ? "Signing in…" : "Signed in."}</p>;
  }

  if (status === "locked") {
    return (
      <section className="card narrow" aria-labelledby="unlock-title">
        <h1 id="unlock-title">Unlock your key</h1>
        <p>
          Address <code>{address}</code>
        </p>
        <form onSubmit={action.run(() => identity.getState().unlock(pass))}>
          <label>
            Passphrase
            <input
              type="password"
              autoComplete="current-password"
              value={pass}
              onChange={(e) => setPass(e.target.value)}
            />
          </label>
          <button type="submit" disabled={action.busy}>
            {action.busy ? "Unlocking…" : "Unlock"}
          </button>
        </form>
        {action.error && (
          <p role="alert" className="error">
            {action.error}
          </p>
        )}
        <button
          type="button"
          className="link danger"
          onClick={() => {
            if (window.confirm("Forget this key? Without a copy of it, this identity is lost."))
              identity.getState().forget();
          }}
        >
          Forget this key
        </button>
      </section>
    );
  }

  return (
    <div className="identity-grid">
      <section className="card" aria-labelledby="create-title">
        <h1 id="create-title">Create a key</h1>
        <p className="muted">
          Your identity is a key pair made in this browser. It is stored encrypted with your passphrase and
          never leaves this device in clear.
        </p>
        <form
          onSubmit={action.run(async () => {
            if (pass !== pass2) throw new Error("The two passphrases differ.");
            await identity.getState().create(pass);
          })}
        >
          <label>
            New passphrase
            <input
              type="password"
              autoComplete="new-password"
              value={pass}
              onChange={(e) => setPass(e.target.value)}
            />
          </label>
          <label>
            Repeat passphrase
            <input
              type="password"
              autoComplete="new-password"
              value={pass2}
              onChange={(e) => setPass2(e.target.value)}
            />
          </label>
          <button type="submit" disabled={action.busy}>
            {action.busy ? "Creating…" : "Create key"}
          </button>
        </form>
      </section>
      <section className="card" aria-labelledby="import-title">
        <h2 id="import-title">Import a key</h2>
        <form onSubmit={action.run(() => identity.getState().importKey(importKey, importPass))}>
          <label>
            Private key
            <input
              type="password"
              autoComplete="off"
              value={importKey}
              onChange={(e) => setImportKey(e.target.value)}
            />
          </label>
          <label>
            Passphrase for the imported key
            <input
              type="password"
              autoComplete="new-password"
              value={importPass}
              onChange={(e) => setImportPass(e.target.value)}
            />
          </label>
          <button type="submit" disabled={action.busy}>
            Import key
          </button>
        </form>
      </section>
      <section className="card" aria-labelledby="wallet-title">
        <h2 id="wallet-title">Use a browser wallet</h2>
        {ethereum ? (
          <form onSubmit={action.run(() => identity.getState().connectWallet(ethereum))}>
            <button type="submit" disabled={action.busy}>
              Connect wallet
            </button>
          </form>
        ) : (
          <p className="muted">No injected wallet (EIP-1193) was found in this browser.</p>
        )}
      </section>
      {action.error && (
        <p role="alert" className="error">
          {action.error}
        </p>
      )}
    </div>
  );
}
