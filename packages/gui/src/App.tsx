import { lazy, Suspense, useEffect, useState } from "react";
import { type Page, useIdentity, useSession, useStores } from "./app-context.js";
import { Toasts } from "./components/Toasts.js";
import { errorText } from "./lib/errors.js";
import { checkoutIdFromPath } from "./lib/route.js";
import { BillingPage } from "./pages/BillingPage.js";
import { EnginesPage } from "./pages/EnginesPage.js";
import { IdentityPage } from "./pages/IdentityPage.js";
import { PageBoundary } from "./pages/PageBoundary.js";
import { ProfilePage } from "./pages/ProfilePage.js";
import { SettingsPage } from "./pages/SettingsPage.js";
import { VariablesPage } from "./pages/VariablesPage.js";

// The editor, the canvas library under it and its stylesheet load when first opened, not with the first page.
const EditorPage = lazy(() => import("./pages/editor-entry.js").then((m) => ({ default: m.EditorPage })));

const NAV: { page: Exclude<Page, "identity">; label: string }[] = [
  { page: "engines", label: "Engines" },
  { page: "editor", label: "Editor" },
  { page: "variables", label: "Variables" },
  { page: "settings", label: "Settings" },
  { page: "billing", label: "Billing" },
  { page: "profile", label: "Profile" },
];

export function App() {
  const stores = useStores();
  const signer = useIdentity((s) => s.signer);
  const address = useIdentity((s) => s.address);
  const profile = useSession((s) => s.profile);
  const connected = useSession((s) => s.connected);
  const [page, setPage] = useState<Page>("identity");
  const [engineId, setEngineId] = useState<string | undefined>(undefined);
  const [signInError, setSignInError] = useState<string | undefined>(undefined);
  const [checkoutId] = useState(() => checkoutIdFromPath(window.location.pathname));

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
          if (!cancelled) setPage(checkoutId ? "billing" : "engines");
        },
        (err: unknown) => {
          if (!cancelled) setSignInError(errorText(err));
        },
      );
    return () => {
      cancelled = true;
    };
  }, [signer, stores, checkoutId]);

  const signedIn = profile !== undefined;
  const openEditor = (id: string) => {
    setEngineId(id);
    setPage("editor");
  };
  const enginePage = { engineId, onEngineChange: setEngineId };

  return (
    <div className="app">
      <header className="topbar">
        <span className="brand">Flowork</span>
        {signedIn && (
          <nav aria-label="Main">
            {NAV.map((n) => (
              <button
                key={n.page}
                type="button"
                aria-current={page === n.page ? "page" : undefined}
                onClick={() => setPage(n.page)}
              >
                {n.label}
              </button>
            ))}
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
        <PageBoundary key={page}>
          {!signedIn || page === "identity" ? (
            <IdentityPage signingIn={signer !== undefined && !signInError} />
          ) : page === "engines" ? (
            <EnginesPage onOpen={openEditor} />
          ) : page === "editor" ? (
            <Suspense fallback={<p className="muted">Loading the editor…</p>}>
              <EditorPage {...enginePage} />
            </Suspense>
          ) : page === "variables" ? (
            <VariablesPage {...enginePage} />
          ) : page === "settings" ? (
            <SettingsPage {...enginePage} />
          ) : page === "billing" ? (
            <BillingPage pendingCheckoutId={checkoutId} />
          ) : (
            <ProfilePage onBilling={() => setPage("billing")} />
          )}
        </PageBoundary>
      </main>
      <Toasts />
    </div>
  );
}
