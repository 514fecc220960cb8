import { type FormEvent, useEffect, useRef, useState } from "react";
import { useIdentity, useSession, useStores } from "../app-context.js";
import { describeError, errorText } from "../lib/errors.js";
import type { Profile } from "../stores/session.js";

const USERNAME = /^[a-z0-9_]{3,32}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

interface ProfileForm {
  username: string;
  name: string;
  email: string;
}

const formOf = (p: Profile): ProfileForm => ({
  username: p.username,
  name: p.name ?? "",
  email: p.email ?? "",
});

function formErrors(f: ProfileForm): Partial<Record<keyof ProfileForm, string>> {
  const errors: Partial<Record<keyof ProfileForm, string>> = {};
  if (!USERNAME.test(f.username)) errors.username = "3 to 32 lower-case letters, digits or _.";
  if (f.name.length > 100) errors.name = "At most 100 characters.";
  if (f.email !== "" && (!EMAIL.test(f.email) || f.email.length > 254))
    errors.email = "Not an email address.";
  return errors;
}

/** Address, username and profile fields (`PATCH /user/profile`), tier; sign out and lock. */
export function ProfilePage({ onBilling }: { onBilling: () => void }) {
  const { session, identity, toasts } = useStores();
  const profile = useSession((s) => s.profile);
  const gateway = useSession((s) => s.gateway);
  const address = useIdentity((s) => s.address);
  const source = useIdentity((s) => s.source);
  const [form, setForm] = useState<ProfileForm | undefined>(profile ? formOf(profile) : undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState("");
  /** The user has typed into the form: a late profile read must not overwrite what they typed. */
  const edited = useRef(false);

  // The login answer may be older than the profile: read it fresh once.
  useEffect(() => {
    if (!gateway) return;
    gateway.get<Profile>("/user/profile").then(
      (p) => {
        session.getState().setProfile(p);
        setForm((current) => (edited.current && current !== undefined ? current : formOf(p)));
      },
      (err: unknown) => setError(errorText(err)),
    );
  }, [gateway, session]);

  if (!profile || !form) return <p className="muted">Loading your profile…</p>;
  const errors = formErrors(form);
  const changes: Record<string, string | null> = {};
  if (form.username !== profile.username) changes.username = form.username;
  if (form.name !== (profile.name ?? "")) changes.name = form.name === "" ? null : form.name;
  if (form.email !== (profile.email ?? "")) changes.email = form.email === "" ? null : form.email;
  const dirty = Object.keys(changes).length > 0;

  const save = (e: FormEvent) => {
    e.preventDefault();
    if (!gateway || !dirty || Object.keys(errors).length > 0) return;
    setBusy(true);
    setError(undefined);
    setStatus("");
    gateway
      .patch<Profile>("/user/profile", changes)
      .then(
        (p) => {
          session.getState().setProfile(p);
          setForm(formOf(p));
          setStatus("Profile saved.");
        },
        (err: unknown) =>
          setError(
            describeError(err).code === "CONFLICT"
              ? "That username is taken: choose another one."
              : errorText(err),
          ),
      )
      .finally(() => setBusy(false));
  };

  const field = (key: keyof ProfileForm, label: string, type = "text") => (
    <label>
      {label}
      <input
        type={type}
        value={form[key]}
        autoComplete="off"
        aria-invalid={errors[key] !== undefined}
        aria-describedby={errors[key] ? `profile-${key}-error` : undefined}
        onChange={(e) => {
          edited.current = true;
          setStatus("");
          setForm({ ...form, [key]: key === "username" ? e.target.value.toLowerCase() : e.target.value });
        }}
      />
      {errors[key] && (
        <span id={`profile-${key}-error`} className="field-error" role="alert">
          {errors[key]}
        </span>
      )}
    </label>
  );

  const signOut = () => {
    // Stateless on the gateway (nothing to revoke); the key is locked here, which ends the session.
    const done = () => identity.getState().lock();
    if (gateway) void gateway.post("/auth/logout").then(done, done);
    else done();
  };

  return (
    <div className="page">
      <h1>Profile</h1>
      <section className="card" aria-labelledby="identity-title">
        <h2 id="identity-title">Identity</h2>
        <p>
          Address <code data-testid="profile-address">{profile.public_address}</code>{" "}
          <button
            type="button"
            onClick={() => {
              void navigator.clipboard?.writeText(profile.public_address).then(
                () => toasts.getState().push({ level: "success", title: "Copied", text: "Address copied." }),
                () => setError("The browser did not allow copying; select the address and copy it."),
              );
            }}
          >
            Copy my address
          </button>
        </p>
        <p>
          Tier <strong data-testid="profile-tier">{profile.tier ?? "–"}</strong>{" "}
          <button type="button" className="link" onClick={onBilling}>
            Plans and billing
          </button>
        </p>
        <p className="muted">
          {source === "wallet"
            ? "Your key is in your browser wallet."
            : `Your key is stored in this browser, encrypted with your passphrase (${address ?? ""}).`}
          {profile.created_at && <> Member since {new Date(profile.created_at).toLocaleDateString()}.</>}
        </p>
      </section>
      <form className="card form-card" aria-label="Edit profile" onSubmit={save} noValidate>
        <h2>Public profile</h2>
        {field("username", "Username")}
        {field("name", "Display name")}
        {field("email", "Email", "email")}
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        <div className="row">
          <button type="submit" disabled={busy || !dirty || Object.keys(errors).length > 0}>
            {busy ? "Saving…" : "Save profile"}
          </button>
          <span role="status" className="muted">
            {status}
          </span>
        </div>
      </form>
      <section className="card" aria-labelledby="session-title">
        <h2 id="session-title">Session</h2>
        <p className="muted">
          Signing out locks your key: you unlock it with your passphrase next time. Nothing is stored on the
          gateway to revoke, since every request is signed.
        </p>
        <div className="row">
          <button type="button" onClick={signOut}>
            Sign out
          </button>
          <button type="button" onClick={() => identity.getState().lock()}>
            Lock this key
          </button>
        </div>
      </section>
    </div>
  );
}
