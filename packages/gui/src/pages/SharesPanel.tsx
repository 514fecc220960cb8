import type { GatewayClient } from "@flowork/sdk";
import { type FormEvent, useCallback, useEffect, useState } from "react";
import { errorText } from "../lib/errors.js";
import type { EngineView } from "../stores/engines.js";

interface Share {
  public_address: string;
  username: string;
  role: string;
  shared_at: string;
}

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const ROLES = ["reader", "runner", "admin"] as const;

/** Who an engine is shared with, and sharing it with one more person (by address or username). */
export function SharesPanel({
  engine: e,
  gateway,
  act,
}: {
  engine: EngineView;
  gateway: GatewayClient;
  act: (fn: () => Promise<unknown>, done?: string) => void;
}) {
  const [shares, setShares] = useState<Share[] | undefined>(undefined);
  const [loadError, setLoadError] = useState<string | undefined>(undefined);
  const [who, setWho] = useState("");
  const [role, setRole] = useState("runner");

  const load = useCallback(async () => {
    try {
      setShares(await gateway.get<Share[]>(`/user/engines/${e.id}/shares`));
      setLoadError(undefined);
    } catch (err) {
      setLoadError(errorText(err));
    }
  }, [gateway, e.id]);

  useEffect(() => {
    void load();
  }, [load]);

  const target = who.trim();
  const problem =
    target === "" || ADDRESS.test(target) || /^[a-z0-9_]{3,32}$/.test(target)
      ? undefined
      : "An address (0x and 40 hex characters) or a username.";

  const share = (ev: FormEvent) => {
    ev.preventDefault();
    if (target === "" || problem) return;
    act(async () => {
      await gateway.post(`/user/engines/${e.id}/shares`, {
        ...(ADDRESS.test(target) ? { address: target } : { username: target }),
        role,
      });
      setWho("");
      await load();
    }, "Engine shared");
  };

  return (
    <div className="panel">
      <form className="inline" aria-label={`Share ${e.name} with someone`} onSubmit={share} noValidate>
        <label>
          Address or username
          <input
            className="wide-input"
            value={who}
            onChange={(ev) => setWho(ev.target.value)}
            placeholder="0x…"
            autoComplete="off"
            aria-invalid={problem !== undefined}
          />
        </label>
        <label>
          Role
          <select value={role} onChange={(ev) => setRole(ev.target.value)}>
            <option value="reader">reader: sees runs, presets and variables</option>
            <option value="runner">runner: also runs and stops workflows</option>
            <option value="admin">admin: also edits presets, variables and settings</option>
          </select>
        </label>
        <button type="submit" disabled={target === "" || problem !== undefined}>
          Share engine
        </button>
      </form>
      {problem && <span className="field-error">{problem}</span>}
      {loadError ? (
        <p className="error">Could not load who this engine is shared with: {loadError}</p>
      ) : shares === undefined ? (
        <p className="muted">Loading shares…</p>
      ) : shares.length === 0 ? (
        <p className="muted">Not shared with anyone yet.</p>
      ) : (
        <table className="grid" aria-label={`People ${e.name} is shared with`}>
          <thead>
            <tr>
              <th>User</th>
              <th>Address</th>
              <th>Role</th>
              <th>Since</th>
              <th>Actions</th>
            </tr>
          </thead>
          <tbody>
            {shares.map((s) => (
              <tr key={s.public_address} data-share={s.public_address}>
                <td>{s.username}</td>
                <td>
                  <code>{s.public_address}</code>
                </td>
                <td>
                  <select
                    aria-label={`Role of ${s.username}`}
                    value={s.role}
                    onChange={(ev) => {
                      const next = ev.target.value;
                      act(async () => {
                        await gateway.post(`/user/engines/${e.id}/shares`, {
                          address: s.public_address,
                          role: next,
                        });
                        await load();
                      }, "Role changed");
                    }}
                  >
                    {ROLES.map((r) => (
                      <option key={r} value={r}>
                        {r}
                      </option>
                    ))}
                  </select>
                </td>
                <td>{new Date(s.shared_at).toLocaleDateString()}</td>
                <td>
                  <button
                    type="button"
                    className="danger"
                    aria-label={`Revoke ${s.username}`}
                    onClick={() =>
                      act(async () => {
                        await gateway.delete(`/user/engines/${e.id}/shares/${s.public_address}`);
                        await load();
                      }, "Share revoked")
                    }
                  >
                    Revoke
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
