/**
 * Buying credits on /credits: the packs, each a Stripe Checkout (the local sandbox in development), and
 * what happened when the buyer comes back (`?payment=<id>`, `&cancelled=1` when they backed out). The
 * credits arrive through Stripe's webhook; on return the page asks the API, which also checks Stripe,
 * until the payment is settled, then refreshes the balance and the history.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import { useSearchParams } from "react-router";
import { FormError, Notice } from "../components/Alert.tsx";
import { trpc } from "../lib/api.ts";
import { formatCredits, refreshCredits } from "../lib/credits.ts";
import { describeError } from "../lib/errors.ts";
import { formatDateTime } from "../lib/format.ts";
import styles from "./credits-buy.module.css";

const money = (cents: number, currency: string) =>
  new Intl.NumberFormat(undefined, { style: "currency", currency: currency.toUpperCase() }).format(cents / 100);

/** How long the return page keeps asking before it says the payment is still being confirmed. */
const SETTLE_TIMEOUT_MS = 60_000;

export function BuyCreditsCard() {
  const packs = useQuery(trpc.payments.packs.queryOptions(undefined, { staleTime: 10 * 60_000 }));
  const buy = useMutation(
    trpc.payments.buyPack.mutationOptions({
      // Off to the payment page; the browser comes back to /credits?payment=<id>.
      onSuccess: ({ url }) => window.location.assign(url),
    }),
  );
  return (
    <section className="card" aria-labelledby="buy-heading">
      <h2 id="buy-heading">Buy credits</h2>
      <p className="muted">
        Bought credits never expire and are used after your free and monthly credits. You pay on a secure payment page and come
        straight back here.
      </p>
      <PaymentReturn />
      <FormError problem={buy.error ? describeError(buy.error) : null} />
      {packs.isPending ? (
        <p className="loading" role="status">
          <span className="spinner" aria-hidden="true" /> Loading credit packs…
        </p>
      ) : packs.isError ? (
        <p className="status status-error" role="alert">
          {describeError(packs.error).message}
        </p>
      ) : !packs.data.available ? (
        <p className="muted">Buying credits is not available on this server.</p>
      ) : (
        <ul className={styles.packs}>
          {packs.data.packs.map((p) => (
            <li key={p.id} className={styles.pack}>
              <h3>{p.name}</h3>
              <p className={styles.credits}>{formatCredits(p.credits)} credits</p>
              <p className={styles.price}>{money(p.priceCents, p.currency)}</p>
              <button
                type="button"
                className="btn btn-primary"
                aria-label={`Buy ${p.name}: ${formatCredits(p.credits)} credits for ${money(p.priceCents, p.currency)}`}
                aria-disabled={buy.isPending || undefined}
                onClick={() => {
                  if (!buy.isPending) buy.mutate({ packId: p.id });
                }}
              >
                {buy.isPending && buy.variables?.packId === p.id ? "Opening checkout…" : "Buy"}
              </button>
            </li>
          ))}
        </ul>
      )}
      <RecentPayments />
    </section>
  );
}

const STATUS_LABELS = { pending: "Not completed", paid: "Paid", expired: "Expired", refunded: "Refunded" } as const;
const STATUS_BADGES = { pending: "", paid: "badge-success", expired: "", refunded: "badge-warning" } as const;

/**
 * The buyer's recent payments (their own, by RLS): what was bought, for how much, and where it stands.
 * On a phone four columns do not fit (the state and amount ended up scrolled off to the right), so
 * the Date and State columns hide and their values show under the purchase and the amount instead.
 */
function RecentPayments() {
  const list = useQuery(trpc.payments.list.queryOptions({ limit: 5 }));
  if (!list.data?.length) return null;
  return (
    <div className="table-wrap">
      <table className="data-table">
        <caption>Your recent payments</caption>
        <thead>
          <tr>
            <th scope="col" className={styles.wide}>
              Date
            </th>
            <th scope="col">Purchase</th>
            <th scope="col" className={styles.wide}>
              State
            </th>
            <th scope="col" className="num">
              Amount
            </th>
          </tr>
        </thead>
        <tbody>
          {list.data.map((p) => {
            const when = <time dateTime={new Date(p.createdAt).toISOString()}>{formatDateTime(p.createdAt)}</time>;
            const state = <span className={`badge badge-status ${STATUS_BADGES[p.status]}`}>{STATUS_LABELS[p.status]}</span>;
            return (
              <tr key={p.id} data-payment-status={p.status}>
                <td className={`nowrap ${styles.wide}`}>{when}</td>
                <td>
                  <span className="cell-title">{p.description}</span>
                  {p.outcome && <span className="cell-detail">{p.outcome}</span>}
                  <span className={`cell-detail ${styles.narrow}`}>{when}</span>
                </td>
                <td className={`nowrap ${styles.wide}`}>{state}</td>
                <td className="num">
                  <span>{money(p.amountCents, p.currency)}</span>
                  <span className={styles.narrow}>{state}</span>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** The outcome of a checkout the buyer just came back from. */
function PaymentReturn() {
  const [params] = useSearchParams();
  const paymentId = params.get("payment");
  const cancelled = params.get("cancelled") === "1";
  const started = useRef(Date.now());
  const queryClient = useQueryClient();
  const payment = useQuery({
    ...trpc.payments.get.queryOptions({ paymentId: paymentId ?? "" }),
    enabled: Boolean(paymentId) && !cancelled,
    refetchInterval: (q) =>
      q.state.data?.status === "pending" && Date.now() - started.current < SETTLE_TIMEOUT_MS ? 1_000 : false,
  });
  const status = payment.data?.status;
  useEffect(() => {
    if (status && status !== "pending") {
      void refreshCredits(queryClient);
      void queryClient.invalidateQueries(trpc.payments.list.pathFilter());
    }
  }, [status, queryClient]);

  if (!paymentId) return null;
  if (cancelled) {
    return (
      <div role="status">
        <Notice title="Checkout cancelled">
          <p>Nothing was charged. Pick a pack whenever you're ready.</p>
        </Notice>
      </div>
    );
  }
  if (payment.isError) return <FormError problem={describeError(payment.error)} />;
  const p = payment.data;
  return (
    <div role="status">
      {!p || p.status === "pending" ? (
        <Notice title="Confirming your payment…">
          <p>
            {Date.now() - started.current < SETTLE_TIMEOUT_MS
              ? "This takes a few seconds."
              : "The payment provider has not confirmed it yet. Your credits appear here as soon as it does; you will not be charged twice."}
          </p>
        </Notice>
      ) : p.status === "paid" ? (
        <Notice tone="success" title="Payment received">
          <p>
            {p.description} for {money(p.amountCents, p.currency)}. {p.outcome ?? ""}.
          </p>
        </Notice>
      ) : p.status === "refunded" ? (
        <Notice title="This payment was refunded">
          <p>{p.outcome}</p>
        </Notice>
      ) : (
        <Notice title="Checkout expired">
          <p>Nothing was charged. Pick a pack to try again.</p>
        </Notice>
      )}
    </div>
  );
}
