import "./styles.css";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App.js";
import { type Stores, StoresContext } from "./app-context.js";
import { createConnectionsStore } from "./stores/connections.js";
import { createEditorStore } from "./stores/editor.js";
import { createEnginesStore } from "./stores/engines.js";
import { createIdentityStore } from "./stores/identity.js";
import { createSessionStore } from "./stores/session.js";
import { createToastStore } from "./stores/toasts.js";

const engines = createEnginesStore();
const toasts = createToastStore();
const editor = createEditorStore();
const connections = createConnectionsStore({
  storage: window.localStorage,
  pageProtocol: window.location.protocol,
});
const baseUrl = window.location.origin;
const stores: Stores = {
  identity: createIdentityStore({ storage: window.localStorage }),
  engines,
  toasts,
  editor,
  session: createSessionStore({ baseUrl, engines, toasts, editor, connections }),
  connections,
  baseUrl,
};

const root = document.getElementById("root");
if (root) {
  createRoot(root).render(
    <StrictMode>
      <StoresContext.Provider value={stores}>
        <App />
      </StoresContext.Provider>
    </StrictMode>,
  );
}
