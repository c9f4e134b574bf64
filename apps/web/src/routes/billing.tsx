/**
 * /billing: the plan (identity's tier and its expiry), the subscription behind it (next renewal,
 * cancel at period end / resume, upgrade / downgrade), a banner while a renewal is unpaid (the grace
 * period's end), and the invoice history. Payment happens on Stripe Checkout (the local sandbox in
 * development, whose test clock this page can move: renew now, make the next renewal fail).
 *
 * Stripe's events reach the server through its webhook a moment after each action, so after one the
 * page asks again every second for a little while.
 */
import type { PaidTier } from "@inkwell/domain/payments/schemas";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { Link, useSearchParams } from "react-router";
import { FormError, Notice } from "../components/Alert.tsx";
import { Button } from "../components/SubmitButton.tsx";
import { ConfirmDialog } from "../components/ui/confirm-dialog.tsx";
import { PageHeader } from "../components/ui/page-header.tsx";
import { type Outputs, trpc } from "../lib/api.ts";
import { formatCredits, refreshCredits } from "../lib/credits.ts";
import { describeError } from "../lib/errors.ts";
import { formatDate } from "../lib/format.ts";
import s from "./billing.module.css";

const TIER_NAMES = { free: "Free", basic: "Basic", pro: "Pro", enterprise: "Enterprise" } as const;
const money = (cents: number, currency: string) =>
  new Intl.NumberFormat(undefined, { style: "currency", currency: currency.toUpperCase() }).format(cents / 100);
/** How long after an action (or a return from checkout) the page keeps asking for Stripe's events. */
const WATCH_MS = 20_000;

export function BillingPage() {
  const [params] = useSearchParams();
  const returned = Boolean(params.get("payment")) && params.get("cancelled") !== "1";
  const [watchUntil, setWatchUntil] = useState(() => (returned ? Date.now() + 60_000 : 0));
  const watch = () => setWatchUntil(Date.now() + WATCH_MS);
  const queryClient = useQueryClient();
  const plans = useQuery(trpc.payments.plans.queryOptions(undefined, { staleTime: 10 * 60_000 }));
  const billing = useQuery({
    ...trpc.payments.billing.queryOptions(),
    refetchInterval: () => (Date.now() < watchUntil ? 1_000 : false),
  });
  const data = billing.data;
  const live = data?.subscription && data.subscription.status !== "canceled" ? data.subscription : null;
  const tierKey = data ? `${data.tier}:${live?.status}:${live?.tier}:${data.invoices.length}` : "";

  // When the plan or its invoices change, the balance and the header's tier change with them.
  useEffect(() => {
    if (!tierKey) return;
    void refreshCredits(queryClient);
    void queryClient.invalidateQueries(trpc.auth.me.pathFilter());
  }, [tierKey, queryClient]);

  return (
    <div className="page page-wide">
      <PageHeader
        title="Billing"
        lead={
          <>
            Your plan, its renewals and invoices. Each renewal adds the plan's monthly credits; see them on{" "}
            <Link to="/credits">Credits</Link>.
          </>
        }
      />
      {params.get("cancelled") === "1" && (
        <div role="status">
          <Notice title="Checkout cancelled">
            <p>Nothing was charged.</p>
          </Notice>
        </div>
      )}
      {returned && data && !live && Date.now() < watchUntil && (
        <div role="status">
          <Notice title="Confirming your subscription…">
            <p>This takes a few seconds.</p>
          </Notice>
        </div>
      )}
      {billing.isPending ? (
        <p className="loading" role="status">
          <span className="spinner" aria-hidden="true" /> Loading your plan…
        </p>
      ) : billing.isError ? (
        <p className="status status-error" role="alert">
          {describeError(billing.error).message}
        </p>
      ) : (
        <>
          {live?.status === "past_due" && (
            <div role="alert" className={s.banner}>
              <Notice tone="error" title="Your last payment failed">
                <p>
                  {live.graceUntil && new Date(live.graceUntil) > new Date() ? (
                    <>
                      You keep {TIER_NAMES[live.tier]} until{" "}
                      <time dateTime={new Date(live.graceUntil).toISOString()}>{formatDate(live.graceUntil)}</time>. If the
                      payment still fails by then, your account moves to Free.{" "}
                    </>
                  ) : (
                    <>The grace period has ended and your account is on Free for now. </>
                  )}
                  Stripe tries the card again; a successful payment restores your plan.
                </p>
              </Notice>
            </div>
          )}
          <CurrentPlan billing={billing.data} onChanged={watch} sandbox={Boolean(plans.data?.sandbox)} />
          <Plans billing={billing.data} plans={plans.data} onChanged={watch} />
          <Invoices invoices={billing.data.invoices} />
        </>
      )}
    </div>
  );
}

type Billing = Outputs["payments"]["billing"];
type Plans = Outputs["payments"]["plans"];

function CurrentPlan({ billing, onChanged, sandbox }: { billing: Billing; onChanged: () => void; sandbox: boolean }) {
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const refresh = () => {
    onChanged();
    return queryClient.invalidateQueries(trpc.payments.billing.pathFilter());
  };
  const cancel = useMutation(trpc.payments.cancelSubscription.mutationOptions({ onSuccess: refresh }));
  const resume = useMutation(trpc.payments.resumeSubscription.mutationOptions({ onSuccess: refresh }));
  const sub = billing.subscription && billing.subscription.status !== "canceled" ? billing.subscription : null;
  const end = sub?.currentPeriodEnd ? new Date(sub.currentPeriodEnd) : null;
  return (
    <section className="card" aria-labelledby="plan-heading">
      <h2 id="plan-heading">Current plan</h2>
      <dl className="stats">
        <div className="stat stat-main">
          <dt>Plan</dt>
          <dd>
            <span className="stat-value" data-testid="current-tier">
              {TIER_NAMES[billing.tier]}
            </span>
            {sub && (
              <span className={`badge badge-status ${sub.status === "active" ? "badge-success" : "badge-warning"}`}>
                {sub.status === "active"
                  ? sub.cancelAtPeriodEnd
                    ? "Ends at period end"
                    : "Active"
                  : sub.status === "past_due"
                    ? "Payment failed"
                    : "Starting"}
              </span>
            )}
          </dd>
        </div>
        <div className="stat">
          <dt>{sub?.cancelAtPeriodEnd ? "Ends on" : "Next renewal"}</dt>
          <dd>
            {end ? (
              <time className="stat-value" dateTime={end.toISOString()}>
                {formatDate(end)}
              </time>
            ) : (
              <span className="stat-hint">No renewal: the Free plan's credits arrive at the start of each month.</span>
            )}
            {sub?.cancelAtPeriodEnd && end && (
              <span className="stat-hint">Your plan stays until then, and then your account moves to Free.</span>
            )}
          </dd>
        </div>
      </dl>
      <FormError problem={cancel.error ? describeError(cancel.error) : resume.error ? describeError(resume.error) : null} />
      {sub && (
        <div className={s.actions}>
          {sub.cancelAtPeriodEnd ? (
            <Button pending={resume.isPending} pendingLabel="Resuming…" onClick={() => resume.mutate()}>
              Resume subscription
            </Button>
          ) : (
            <Button variant="secondary" onClick={() => setConfirming(true)}>
              Cancel subscription
            </Button>
          )}
        </div>
      )}
      <ConfirmDialog
        open={confirming}
        onOpenChange={setConfirming}
        title={`Cancel ${sub ? TIER_NAMES[sub.tier] : ""}?`}
        description={
          end
            ? `You keep your plan and its credits until ${formatDate(end)}; then your account moves to Free and nothing more is charged. You can resume until then.`
            : "Your account moves to Free at the end of the period."
        }
        confirmLabel="Cancel at period end"
        pendingLabel="Cancelling…"
        tone="neutral"
        onConfirm={() => cancel.mutateAsync()}
      />
      {sandbox && sub && <SandboxClock onChanged={refresh} />}
    </section>
  );
}

/** The local Stripe sandbox's test clock (development only; says so). */
function SandboxClock({ onChanged }: { onChanged: () => unknown }) {
  const renew = useMutation(trpc.payments.sandboxRenewNow.mutationOptions({ onSuccess: onChanged }));
  const fail = useMutation(trpc.payments.sandboxFailNextRenewal.mutationOptions({ onSuccess: onChanged }));
  const [failing, setFailing] = useState(false);
  return (
    <aside className={s.sandbox} aria-labelledby="sandbox-heading">
      <h3 id="sandbox-heading">
        <span className="badge badge-warning">Stripe sandbox</span> Test clock
      </h3>
      <p className="muted">
        This server pays through a local Stripe sandbox: no money moves. Move your subscription's clock to its next renewal, or
        make the next renewal's payment fail to see the grace period.
      </p>
      <FormError problem={renew.error ? describeError(renew.error) : fail.error ? describeError(fail.error) : null} />
      <div className={s.actions}>
        <Button variant="secondary" pending={renew.isPending} pendingLabel="Renewing…" onClick={() => renew.mutate()}>
          Renew now
        </Button>
        <Button
          variant="secondary"
          pending={fail.isPending}
          aria-pressed={failing}
          onClick={() => fail.mutate({ fail: !failing }, { onSuccess: () => setFailing(!failing) })}
        >
          Make the next renewal fail
        </Button>
      </div>
    </aside>
  );
}

function Plans({ billing, plans, onChanged }: { billing: Billing; plans: Plans | undefined; onChanged: () => void }) {
  const queryClient = useQueryClient();
  const [target, setTarget] = useState<PaidTier | null>(null);
  const subscribe = useMutation(
    trpc.payments.subscribe.mutationOptions({
      // Off to the payment page; the browser comes back to /billing?payment=<id>.
      onSuccess: ({ url }) => window.location.assign(url),
    }),
  );
  const change = useMutation(
    trpc.payments.changePlan.mutationOptions({
      onSuccess: () => {
        onChanged();
        return queryClient.invalidateQueries(trpc.payments.billing.pathFilter());
      },
    }),
  );
  if (!plans) return null;
  const live = billing.subscription && billing.subscription.status !== "canceled" ? billing.subscription : null;
  const current = live ? plans.plans.find((p) => p.tier === live.tier) : undefined;
  const chosen = plans.plans.find((p) => p.tier === target);
  const upgrade = Boolean(chosen && current && chosen.priceCents > current.priceCents);
  return (
    <section className="card" aria-labelledby="plans-heading">
      <h2 id="plans-heading">{live ? "Change plan" : "Plans"}</h2>
      {!plans.available ? (
        <p className="muted">Subscriptions are not available on this server.</p>
      ) : (
        <>
          <p className="muted">
            Billed monthly. Free includes {formatCredits(500)} credits a month. An upgrade starts at once: you pay the difference
            for the rest of this month and get the same share of the difference in credits now. A downgrade also starts at once,
            with no refund; the credits you already have stay until the month ends.
          </p>
          {/* A refused change (a declined card, a failed payment) says why; the plan stays as it was. */}
          <FormError
            problem={subscribe.error ? describeError(subscribe.error) : change.error ? describeError(change.error) : null}
          />
          <ul className={s.plans}>
            {plans.plans.map((p) => {
              const isCurrent = live?.tier === p.tier;
              const label = !live
                ? "Subscribe"
                : isCurrent
                  ? "Current plan"
                  : current && p.priceCents > current.priceCents
                    ? "Upgrade"
                    : "Downgrade";
              return (
                <li key={p.tier} className={s.plan} data-current={isCurrent || undefined}>
                  <h3>{p.name}</h3>
                  <p className={s.credits}>{formatCredits(p.monthlyCredits)} credits a month</p>
                  <p className={s.price}>{money(p.priceCents, p.currency)} a month</p>
                  <Button
                    variant={isCurrent ? "secondary" : "primary"}
                    aria-disabled={isCurrent || undefined}
                    aria-label={
                      isCurrent
                        ? `${p.name}: your current plan`
                        : `${label} to ${p.name} for ${money(p.priceCents, p.currency)} a month`
                    }
                    pending={(subscribe.isPending && subscribe.variables?.tier === p.tier) || undefined}
                    pendingLabel="Opening checkout…"
                    onClick={() => {
                      if (isCurrent) return;
                      if (!live) subscribe.mutate({ tier: p.tier });
                      else setTarget(p.tier);
                    }}
                  >
                    {label}
                  </Button>
                </li>
              );
            })}
          </ul>
        </>
      )}
      <ConfirmDialog
        open={target !== null}
        onOpenChange={(open) => {
          if (!open) setTarget(null);
        }}
        title={`${upgrade ? "Upgrade" : "Downgrade"} to ${chosen?.name ?? ""}?`}
        description={
          upgrade
            ? `You pay the difference for the rest of this month now, and the difference in monthly credits is added at once. Then ${chosen ? money(chosen.priceCents, chosen.currency) : ""} a month.`
            : `It starts now, with no refund for this month; the credits you already have stay until the month ends. From the next renewal: ${chosen ? `${money(chosen.priceCents, chosen.currency)} and ${formatCredits(chosen.monthlyCredits)} credits` : ""} a month.`
        }
        confirmLabel={upgrade ? "Upgrade" : "Downgrade"}
        pendingLabel="Changing…"
        tone="neutral"
        onConfirm={() => (target ? change.mutateAsync({ tier: target }) : undefined)}
      />
    </section>
  );
}

const REASONS: Record<string, string> = {
  subscription_create: "First month",
  subscription_cycle: "Renewal",
  subscription_update: "Plan change",
};

/** Invoices, newest first; on a phone the period and state fold under the plan and amount. */
function Invoices({ invoices }: { invoices: Billing["invoices"] }) {
  return (
    <section className="card" aria-labelledby="invoices-heading">
      <h2 id="invoices-heading">Invoices</h2>
      {invoices.length === 0 ? (
        <p className="muted">No invoices yet.</p>
      ) : (
        <div className="table-wrap">
          <table className="data-table">
            <caption className="visually-hidden">Your invoices, newest first</caption>
            <thead>
              <tr>
                <th scope="col" className={s.wide}>
                  Period
                </th>
                <th scope="col">Invoice</th>
                <th scope="col" className={s.wide}>
                  State
                </th>
                <th scope="col" className="num">
                  Amount
                </th>
              </tr>
            </thead>
            <tbody>
              {invoices.map((i) => {
                const period = (
                  <>
                    <time dateTime={new Date(i.periodStart).toISOString()}>{formatDate(i.periodStart)}</time> –{" "}
                    <time dateTime={new Date(i.periodEnd).toISOString()}>{formatDate(i.periodEnd)}</time>
                  </>
                );
                const state = (
                  <span className={`badge badge-status ${i.status === "paid" ? "badge-success" : "badge-warning"}`}>
                    {i.status === "paid" ? "Paid" : "Failed"}
                  </span>
                );
                return (
                  <tr key={i.id} data-invoice-status={i.status}>
                    <td className={`nowrap ${s.wide}`}>{period}</td>
                    <td>
                      <span className="cell-title">
                        {TIER_NAMES[i.tier]} · {REASONS[i.billingReason] ?? i.billingReason}
                      </span>
                      {i.outcome && <span className="cell-detail">{i.outcome}</span>}
                      <span className={`cell-detail ${s.narrow}`}>{period}</span>
                    </td>
                    <td className={`nowrap ${s.wide}`}>{state}</td>
                    <td className="num">
                      <span>{money(i.amountCents, i.currency)}</span>
                      <span className={s.narrow}>{state}</span>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
