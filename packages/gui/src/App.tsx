import { useEffect, useState } from "react";
import { type Page, useIdentity, useSession, useStores } from "./app-context.js";
import { Toasts } from "./components/Toasts.js";
import { errorText } from "./lib/errors.js";
import { EditorPage } from "./pages/EditorPage.js";
import { EnginesPage } from "./pages/EnginesPage.js";
import { IdentityPage } from "./pages/IdentityPage.js";

export function App() {
  const stores = useStores();
  const signer = useIdentity((s) => s.signer);
  const address = useIdentity((s) => s.address);
  const profile = useSession((s) => s.profile);
  const connected = useSession((s) => s.connected);
  const [page, setPage] = useState<Page>("identity");
  const [engineId, setEngineId] = useState<string | undefined>(undefined);
  const [signInError, setSignInError] = useState<string | undefined>(undefined);

  // Unlocking signs in: POST /auth/login, then the live socket.
  useEffect(() => {
    if (!signer) {
      stores.session.getState().signOut();
      setPage("identity");
      return;
    }
    let cancelled = false;
    setSignInError(undefined);
    stores.session
      .getState()
      .signIn(signer)
      .then(
        () => {
          if (!cancelled) setPage("engines");
        },
        (err: unknown) => {
          if (!cancelled) setSignInError(errorText(err));
        },
      );
    return () => {
      cancelled = true;
    };
  }, [signer, stores]);

  const signedIn = profile !== undefined;
  const openEditor = (id: string) => {
    setEngineId(id);
    setPage("editor");
  };

  return (
    <div className="app">
      <header className="topbar">
        <span className="brand">Flowork</span>
        {signedIn && (
          <nav aria-label="Main">
            <button type="button" aria-current={page === "engines"} onClick={() => setPage("engines")}>
              Engines
            </button>
            <button type="button" aria-current={page === "editor"} onClick={() => setPage("editor")}>
              Editor
            </button>
          </nav>
        )}
        <span className="spacer" />
        {signedIn && (
          <span className={connected ? "live on" : "live off"} title="Live connection to the gateway">
            {connected ? "live" : "reconnecting…"}
          </span>
        )}
        {address && signer && (
          <span className="who">
            <code title="Your address">{address}</code>
            <button
              type="button"
              onClick={() => {
                void navigator.clipboard?.writeText(address).then(
                  () =>
                    stores.toasts
                      .getState()
                      .push({ level: "success", title: "Copied", text: "Address copied." }),
                  () => undefined,
                );
              }}
            >
              Copy address
            </button>
            <button type="button" onClick={() => stores.identity.getState().lock()}>
              Lock
            </button>
          </span>
        )}
      </header>
      <main>
        {signInError && (
          <p role="alert" className="error">
            Sign-in failed: {signInError}
          </p>
        )}
        {!signedIn || page === "identity" ? (
          <IdentityPage signingIn={signer !== undefined && !signInError} />
        ) : page === "engines" ? (
          <EnginesPage onOpen={openEditor} />
        ) : (
          <EditorPage engineId={engineId} onEngineChange={setEngineId} />
        )}
      </main>
      <Toasts />
    </div>
  );
}
