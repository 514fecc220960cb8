import { type FormEvent, useMemo, useState } from "react";
import { useConnections, useEngines, useSession, useStores } from "../app-context.js";
import { errorText } from "../lib/errors.js";
import { type EngineView, sortedEngines } from "../stores/engines.js";
import { ConnectionPanel, connectionText } from "./ConnectionPanel.js";
import { SharesPanel } from "./SharesPanel.js";

function pct(n: number | undefined): string {
  return n === undefined ? "–" : `${Math.round(n)}%`;
}

/** Owned and shared engines, live; register, claim, rename, reset token, delete, share. */
export function EnginesPage({ onOpen }: { onOpen: (engineId: string) => void }) {
  const { session, toasts, baseUrl } = useStores();
  const engineMap = useEngines((s) => s.engines);
  const engines = useMemo(() => sortedEngines(engineMap), [engineMap]);
  const loaded = useEngines((s) => s.loaded);
  const gateway = useSession((s) => s.gateway);
  const [name, setName] = useState("");
  const [code, setCode] = useState("");
  const [created, setCreated] = useState<{ id: string; name: string; token: string } | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);

  const act = (fn: () => Promise<unknown>, done?: string) => {
    setError(undefined);
    fn().then(
      () => {
        if (done) toasts.getState().push({ level: "success", title: done, text: "" });
        void session
          .getState()
          .refreshEngines()
          .catch(() => undefined);
      },
      (err: unknown) => setError(errorText(err)),
    );
  };

  const register = (e: FormEvent) => {
    e.preventDefault();
    if (!gateway || name.trim() === "") return;
    act(async () => {
      const r = await gateway.post<{ id: string; name: string; raw_token: string }>("/user/engines", {
        name: name.trim(),
      });
      setCreated({ id: r.id, name: r.name, token: r.raw_token });
      setName("");
    });
  };

  const claim = (e: FormEvent) => {
    e.preventDefault();
    if (!gateway || code.trim() === "") return;
    act(async () => {
      await gateway.post("/user/engines/claim", { code: code.trim().toUpperCase() });
      setCode("");
    }, "Engine paired");
  };

  return (
    <div className="page">
      <h1>Engines</h1>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {!loaded ? (
        <p className="muted">Loading engines…</p>
      ) : engines.length === 0 ? (
        <p className="empty">
          No engines yet. Claim the engine started by `flowork up` with its pairing code, or register one.
        </p>
      ) : (
        <table className="engines" aria-label="Engines">
          <thead>
            <tr>
              <th>Name</th>
              <th>Status</th>
              <th>Role</th>
              <th>CPU</th>
              <th>Memory</th>
              <th>Active jobs</th>
              <th>Connection</th>
              <th>Actions</th>
            </tr>
          </thead>
          <tbody>
            {engines.map((e) => (
              <EngineRowView key={e.id} engine={e} onOpen={onOpen} act={act} />
            ))}
          </tbody>
        </table>
      )}
      <div className="forms">
        <form className="card" onSubmit={claim} aria-label="Claim an engine">
          <h2>Pair an engine</h2>
          <label>
            Pairing code
            <input value={code} onChange={(e) => setCode(e.target.value)} placeholder="ABCD2345" />
          </label>
          <button type="submit">Claim</button>
        </form>
        <form className="card" onSubmit={register} aria-label="Register an engine">
          <h2>Register an engine</h2>
          <label>
            Engine name
            <input value={name} onChange={(e) => setName(e.target.value)} />
          </label>
          <button type="submit">Register</button>
        </form>
      </div>
      {created && (
        <section className="card token" aria-label="New engine token">
          <h2>Engine “{created.name}” registered</h2>
          <p>This token is shown once. Run this on the engine's machine:</p>
          <pre>
            <code>{`GATEWAY_API_URL=${baseUrl} FLOWORK_ENGINE_TOKEN=${created.token} npx flowork engine`}</code>
          </pre>
          <button type="button" onClick={() => setCreated(undefined)}>
            I have saved it
          </button>
        </section>
      )}
    </div>
  );
}

function EngineRowView({
  engine: e,
  onOpen,
  act,
}: {
  engine: EngineView;
  onOpen: (id: string) => void;
  act: (fn: () => Promise<unknown>, done?: string) => void;
}) {
  const gateway = useSession((s) => s.gateway);
  const pref = useConnections((s) => s.prefs[e.id]);
  const direct = useConnections((s) => s.status[e.id]);
  const [panel, setPanel] = useState<"share" | "connection" | undefined>(undefined);
  const owner = e.role === "owner";
  const toggle = (which: "share" | "connection") => setPanel(panel === which ? undefined : which);
  return (
    <>
      <tr data-engine-id={e.id}>
        <td>{e.name}</td>
        <td>
          <span className={`badge ${e.status}`} data-status={e.status} title={`${e.name} is ${e.status}`}>
            {e.status}
          </span>
        </td>
        <td>
          <span data-testid="role">{e.role}</span>
          {e.owner && <span className="muted"> · shared by {e.owner.username}</span>}
        </td>
        <td>{pct(e.vitals?.cpu_percent)}</td>
        <td>{pct(e.vitals?.memory_percent)}</td>
        <td>{e.vitals?.active_jobs ?? "–"}</td>
        <td data-testid="connection">{connectionText(pref, direct)}</td>
        <td className="actions">
          <button type="button" onClick={() => onOpen(e.id)} aria-label={`Open ${e.name} in the editor`}>
            Open editor
          </button>
          <button
            type="button"
            aria-expanded={panel === "connection"}
            aria-label={`Connection of ${e.name}`}
            onClick={() => toggle("connection")}
          >
            Connection
          </button>
          {owner && gateway && (
            <>
              <button
                type="button"
                onClick={() => {
                  const name = window.prompt("New name", e.name);
                  if (name) act(() => gateway.patch(`/user/engines/${e.id}`, { name }), "Engine renamed");
                }}
              >
                Rename
              </button>
              <button
                type="button"
                aria-expanded={panel === "share"}
                aria-label={`Share ${e.name}`}
                onClick={() => toggle("share")}
              >
                Share
              </button>
              <button
                type="button"
                onClick={() => {
                  if (
                    window.confirm(
                      `Reset the token of ${e.name}? The engine is disconnected until it uses the new one.`,
                    )
                  ) {
                    act(async () => {
                      const r = await gateway.post<{ token: string }>(`/user/engines/${e.id}/reset-token`);
                      window.prompt("New token (shown once):", r.token);
                    });
                  }
                }}
              >
                Reset token
              </button>
              <button
                type="button"
                className="danger"
                onClick={() => {
                  if (window.confirm(`Delete ${e.name}? This cannot be undone.`)) {
                    act(() => gateway.delete(`/user/engines/${e.id}`), "Engine deleted");
                  }
                }}
              >
                Delete
              </button>
            </>
          )}
        </td>
      </tr>
      {panel === "share" && gateway && (
        <tr>
          <td colSpan={8}>
            <SharesPanel engine={e} gateway={gateway} act={act} />
          </td>
        </tr>
      )}
      {panel === "connection" && (
        <tr>
          <td colSpan={8}>
            <ConnectionPanel engine={e} onDone={() => setPanel(undefined)} />
          </td>
        </tr>
      )}
    </>
  );
}
