import { useCallback, useEffect, useState } from "react";
import { useEngines, useSession, useStores } from "../app-context.js";
import {
  type Checkout,
  durationText,
  formatLimit,
  formatMoney,
  type Invoice,
  type Plan,
  purchasablePlans,
  type Subscription,
  type SystemInfo,
  type Usage,
  usageBars,
} from "../lib/billing.js";
import { errorText } from "../lib/errors.js";

interface BillingData {
  info: SystemInfo;
  plans: Plan[];
  subscription: Subscription;
  usage: Usage;
  invoices: Invoice[];
}

/** While a checkout waits for its payment, the page rechecks the subscription this often. */
const PENDING_POLL_MS = 5000;

/** Plan, usage against quota, plans with checkout, invoices (the gateway's `/billing/*` routes). */
export function BillingPage({ pendingCheckoutId }: { pendingCheckoutId?: string | undefined }) {
  const { toasts } = useStores();
  const gateway = useSession((s) => s.gateway);
  const engineNames = useEngines((s) => s.engines);
  const [data, setData] = useState<BillingData | undefined>(undefined);
  const [loadError, setLoadError] = useState<string | undefined>(undefined);
  // `before`: the subscription when the checkout started, so a renewal's completion is seen as a change.
  const [checkout, setCheckout] = useState<(Checkout & { plan: string; before: string }) | undefined>(
    undefined,
  );
  const [actionError, setActionError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    if (!gateway) return;
    setLoadError(undefined);
    try {
      const [info, plans, subscription, usage, invoices] = await Promise.all([
        gateway.get<SystemInfo>("/system/info"),
        gateway.get<Plan[]>("/billing/plans"),
        gateway.get<Subscription>("/billing/subscription"),
        gateway.get<Usage>("/billing/usage"),
        gateway.get<Invoice[]>("/billing/invoices"),
      ]);
      setData({ info, plans, subscription, usage, invoices });
    } catch (err) {
      setLoadError(errorText(err));
    }
  }, [gateway]);

  useEffect(() => {
    void load();
  }, [load]);

  const pending = data?.subscription.status === "pending" || checkout !== undefined;
  useEffect(() => {
    if (!pending) return;
    const timer = setInterval(() => void load(), PENDING_POLL_MS);
    return () => clearInterval(timer);
  }, [pending, load]);

  // A completed checkout shows as the new plan: the notice of the started one is done.
  useEffect(() => {
    const now = data?.subscription;
    if (
      checkout &&
      now?.status === "active" &&
      now.plan_id === checkout.plan &&
      JSON.stringify(now) !== checkout.before
    ) {
      setCheckout(undefined);
      toasts
        .getState()
        .push({ level: "success", title: "Plan active", text: `You are on ${checkout.plan} now.` });
    }
  }, [checkout, data, toasts]);

  if (loadError) {
    return (
      <div className="page">
        <h1>Billing</h1>
        <div role="alert" className="error">
          Could not load billing: {loadError}{" "}
          <button type="button" onClick={() => void load()}>
            Retry
          </button>
        </div>
      </div>
    );
  }
  if (!data || !gateway) {
    return (
      <div className="page">
        <h1>Billing</h1>
        <p className="muted">Loading billing…</p>
      </div>
    );
  }

  const { info, plans, subscription: sub, usage, invoices } = data;
  const enabled = info.billing_enabled;
  const planName = (id: string) => plans.find((p) => p.id === id)?.name ?? id;
  const buy = (plan: Plan, months: number) => {
    const before = JSON.stringify(sub);
    setBusy(true);
    setActionError(undefined);
    gateway
      .post<Checkout>("/billing/checkout", { plan_id: plan.id, duration_months: months })
      .then(
        (c) => {
          setCheckout({ ...c, plan: plan.id, before });
          return load();
        },
        (err: unknown) => setActionError(errorText(err)),
      )
      .finally(() => setBusy(false));
  };

  return (
    <div className="page">
      <div className="page-head">
        <h1>Billing</h1>
        <button type="button" onClick={() => void load()}>
          Refresh billing
        </button>
      </div>
      {!enabled && (
        <p className="notice" data-testid="billing-disabled">
          Billing is disabled on this gateway: every account is on the {planName("enterprise")} tier, no limit
          applies and there is nothing to pay.
        </p>
      )}
      {actionError && (
        <p role="alert" className="error">
          {actionError}
        </p>
      )}
      <section className="card" aria-labelledby="plan-title">
        <h2 id="plan-title">Your plan</h2>
        <p data-testid="current-plan">
          <strong>{planName(sub.plan_id)}</strong> · tier {sub.tier} ·{" "}
          <span className={`tag ${sub.status}`}>{sub.status}</span>
          {sub.expires_at && <> · renews or ends on {new Date(sub.expires_at).toLocaleDateString()}</>}
        </p>
        {sub.status === "pending" && (
          <p className="muted">
            A checkout for {planName(sub.plan_id)} is waiting for its payment; until it completes, the{" "}
            {planName(sub.tier)} limits apply.
          </p>
        )}
        {sub.status === "expired" && (
          <p className="muted">Your subscription has ended; the free limits apply until you renew.</p>
        )}
        {pendingCheckoutId && (
          <p className="notice">
            Checkout <code>{pendingCheckoutId}</code>: this gateway completes payments through its operator
            (or its payment provider's webhook). This page updates when the payment is confirmed.
          </p>
        )}
      </section>
      {checkout && (
        <section className="card" aria-label="Checkout started">
          <h2>Checkout started</h2>
          <p>
            {planName(checkout.plan)} · checkout <code>{checkout.checkout_id}</code> · {checkout.status}{" "}
            (provider {checkout.provider})
          </p>
          <p>
            <a href={checkout.payment_url} target="_blank" rel="noopener noreferrer">
              Continue to payment
            </a>{" "}
            <span className="muted">This page updates by itself once the payment is confirmed.</span>
          </p>
        </section>
      )}
      <section className="card" aria-labelledby="usage-title">
        <h2 id="usage-title">Usage</h2>
        {usageBars(usage).map((b) => (
          <div className="usage" key={b.label}>
            <div className="usage-head">
              <span>{b.label}</span>
              <span className={b.over ? "error" : "muted"}>{b.text}</span>
            </div>
            {b.percent !== null && (
              <div
                className={b.over ? "meter over" : "meter"}
                role="progressbar"
                aria-label={b.label}
                aria-valuemin={0}
                aria-valuemax={100}
                aria-valuenow={b.percent}
                aria-valuetext={b.text}
              >
                <div style={{ width: `${b.percent}%` }} />
              </div>
            )}
          </div>
        ))}
        {usage.per_engine.length > 0 && (
          <ul className="plain">
            {usage.per_engine.map((e) => (
              <li key={e.engine_id}>
                {engineNames[e.engine_id]?.name ?? e.engine_id}: {e.executions.toLocaleString("en-US")}{" "}
                executions
              </li>
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="plans-title">
        <h2 id="plans-title">Plans</h2>
        <div className="plans">
          {plans.map((p) => {
            const buyable = enabled && purchasablePlans(plans, sub.tier).some((x) => x.id === p.id);
            return (
              <article
                className={p.id === sub.tier ? "card plan current" : "card plan"}
                key={p.id}
                aria-label={`Plan ${p.name}`}
              >
                <h3>
                  {p.name} {p.id === sub.tier && <span className="tag">current</span>}
                </h3>
                <p className="muted">{p.description}</p>
                <ul className="plain">
                  <li>{formatLimit(p.limits.engines, "engine", "engines")}</li>
                  <li>{formatLimit(p.limits.shares_per_engine, "share per engine", "shares per engine")}</li>
                  <li>
                    {formatLimit(p.limits.monthly_executions, "execution a month", "executions a month")}
                  </li>
                </ul>
                {p.prices.length === 0 ? (
                  <p className="muted">Free</p>
                ) : (
                  <ul className="plain">
                    {p.prices.map((price) => {
                      const text = `${formatMoney(price.price, price.currency)} / ${durationText(price.duration_months)}`;
                      const verb = p.id === sub.tier ? "Renew" : "Upgrade to";
                      return (
                        <li key={price.duration_months}>
                          {buyable ? (
                            <button
                              type="button"
                              disabled={busy}
                              aria-label={`${verb} ${p.name} for ${text}`}
                              onClick={() => buy(p, price.duration_months)}
                            >
                              {verb === "Renew" ? "Renew" : "Upgrade"}: {text}
                            </button>
                          ) : (
                            text
                          )}
                        </li>
                      );
                    })}
                  </ul>
                )}
              </article>
            );
          })}
        </div>
      </section>
      <section className="card" aria-labelledby="invoices-title">
        <h2 id="invoices-title">Invoices</h2>
        {invoices.length === 0 ? (
          <p className="empty">No invoices yet.</p>
        ) : (
          <table className="grid" aria-label="Invoices">
            <thead>
              <tr>
                <th>Date</th>
                <th>Plan</th>
                <th>Amount</th>
                <th>Status</th>
                <th>Invoice</th>
              </tr>
            </thead>
            <tbody>
              {invoices.map((i) => (
                <tr key={i.id}>
                  <td>{new Date(i.created_at).toLocaleDateString()}</td>
                  <td>{planName(i.plan_id)}</td>
                  <td>{formatMoney(i.amount, i.currency)}</td>
                  <td>{i.status}</td>
                  <td>
                    <code>{i.id}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}
