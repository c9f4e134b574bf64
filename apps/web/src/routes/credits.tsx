import { MONTHLY_GRANTS } from "@inkwell/domain/credits/schemas";
import { useQuery } from "@tanstack/react-query";
import { Link, NavLink, Outlet } from "react-router";
import { Notice } from "../components/Alert.tsx";
import { GenerationErrorView } from "../components/GenerationError.tsx";
import { meQuery } from "../lib/api.ts";
import {
  balanceQuery,
  creditsWord,
  formatCredits,
  operationName,
  shortfallExample,
  usePrice,
  usePrices,
} from "../lib/credits.ts";
import { describeError } from "../lib/errors.ts";
import { formatDateTime } from "../lib/format.ts";
import { BuyCreditsCard } from "./credits-buy.tsx";

/** /credits: the balance, credit packs to buy, the activity (history or usage, as tabs below), the price list. */
export function CreditsPage() {
  return (
    <div className="page page-wide">
      <header className="page-header">
        <h1 tabIndex={-1}>Credits</h1>
        <p className="muted">Every AI generation spends credits. What you have, where they went, and what things cost.</p>
      </header>
      <BalanceCard />
      <BuyCreditsCard />
      <nav aria-label="Credit activity" className="tabs">
        <NavLink to="/credits" className="tab" end state={{ keepFocus: true }} preventScrollReset>
          History
        </NavLink>
        <NavLink to="/credits/usage" className="tab" state={{ keepFocus: true }} preventScrollReset>
          Usage
        </NavLink>
      </nav>
      <Outlet />
      <div className="credits-reference">
        <PricesCard />
        <WhenGenerationsStop />
      </div>
    </div>
  );
}

const TIER_NAMES: Record<string, string> = { free: "Free", basic: "Basic", pro: "Pro", enterprise: "Enterprise" };

function BalanceCard() {
  const balance = useQuery(balanceQuery());
  const me = useQuery(meQuery()).data;
  const tier = me?.subscriptionTier ?? "free";
  const monthly = MONTHLY_GRANTS[tier as keyof typeof MONTHLY_GRANTS];

  return (
    <section className="card" aria-labelledby="balance-heading">
      <h2 id="balance-heading">Balance</h2>
      {balance.isPending ? (
        <p className="loading" role="status">
          <span className="spinner" aria-hidden="true" /> Loading your balance…
        </p>
      ) : balance.isError ? (
        <p className="status status-error" role="alert">
          {describeError(balance.error).message}
        </p>
      ) : (
        <>
          {balance.data.available === 0 && (
            <Notice tone="info" title="You have used all your credits">
              <p>New generations need credits. Your monthly grant tops you up at the start of next month.</p>
            </Notice>
          )}
          <dl className="stats">
            <div className="stat stat-main">
              <dt>Available</dt>
              <dd>
                <span className="stat-value">{formatCredits(balance.data.available)}</span> {creditsWord(balance.data.available)}
              </dd>
            </div>
            <div className="stat">
              <dt>On hold</dt>
              <dd>
                <span className="stat-value">{formatCredits(balance.data.held)}</span>
                <span className="stat-hint">
                  {balance.data.held > 0
                    ? "Reserved by generations still running; what they don't use comes back."
                    : "Nothing is reserved right now."}
                </span>
              </dd>
            </div>
            <div className="stat">
              <dt>Expiring</dt>
              <dd>
                {balance.data.expiring.length === 0 ? (
                  <span className="stat-hint">None of your credits expire in the next month.</span>
                ) : (
                  <ul className="expiring">
                    {balance.data.expiring.map((e) => (
                      <li key={`${e.expiresAt}-${e.amount}`}>
                        <strong>{formatCredits(e.amount)}</strong> on{" "}
                        <time dateTime={new Date(e.expiresAt).toISOString()}>{formatDateTime(e.expiresAt)}</time>
                      </li>
                    ))}
                  </ul>
                )}
              </dd>
            </div>
            {monthly !== undefined && (
              <div className="stat">
                <dt>Monthly grant</dt>
                <dd>
                  <span className="stat-value">{formatCredits(monthly)}</span>
                  <span className="stat-hint">
                    {tier === "free"
                      ? "Added at the start of each month on the Free plan."
                      : `Added at each renewal of your ${TIER_NAMES[tier] ?? tier} plan.`}{" "}
                    Unused monthly credits expire when the next month's arrive. <Link to="/billing">Plans and billing</Link>
                  </span>
                </dd>
              </div>
            )}
          </dl>
        </>
      )}
    </section>
  );
}

function PricesCard() {
  const prices = usePrices();
  return (
    <section className="card" aria-labelledby="prices-heading">
      <h2 id="prices-heading">What things cost</h2>
      <p className="muted">
        Credits are reserved when a generation starts and charged when it succeeds. A failed generation costs nothing. With your
        own AI model connected (<Link to="/settings#ai-model">Settings → AI model</Link>), chat, writer and voice generations cost
        0 credits; images are charged as listed.
      </p>
      {prices.isPending ? (
        <p className="loading" role="status">
          <span className="spinner" aria-hidden="true" /> Loading prices…
        </p>
      ) : prices.isError ? (
        <p className="status status-error" role="alert">
          {describeError(prices.error).message}
        </p>
      ) : (
        <div className="table-wrap">
          <table className="data-table">
            <caption className="visually-hidden">Price per operation, in credits</caption>
            <thead>
              <tr>
                <th scope="col">Operation</th>
                <th scope="col" className="num">
                  Credits
                </th>
              </tr>
            </thead>
            <tbody>
              {[...prices.data]
                .sort((a, b) => a.credits - b.credits || a.operation.localeCompare(b.operation))
                .map((p) => (
                  <tr key={p.operation}>
                    <th scope="row">
                      <span className="cell-title">{operationName(p.operation)}</span>
                      <span className="cell-detail">{p.description}</span>
                    </th>
                    <td className="num">{formatCredits(p.credits)}</td>
                  </tr>
                ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/** The operation the "not enough credits" example is told with: one everybody can run, and the dearest of those. */
const EXAMPLE_OPERATION = "writer.generate";

/** The error states every Generate button shares, shown as examples so they are familiar when they happen. */
function WhenGenerationsStop() {
  const price = usePrice(EXAMPLE_OPERATION);
  const available = useQuery(balanceQuery()).data?.available;
  return <GenerationExamples price={price} available={available} />;
}

/** The examples themselves, told with the reader's real balance once it (and the price) have loaded. */
export function GenerationExamples({ price, available }: { price: number | undefined; available: number | undefined }) {
  const shortfall = price !== undefined && available !== undefined ? shortfallExample(available, price, EXAMPLE_OPERATION) : null;
  return (
    <section className="card" aria-labelledby="stops-heading">
      <h2 id="stops-heading">When a generation can't run</h2>
      <p className="muted">What you'll see next to a Generate button, and what to do about it.</p>
      <ul className="examples">
        {shortfall && (
          <li>
            <p className="example-caption">When your balance is too low for what you start:</p>
            <GenerationErrorView
              preview
              problem={{
                kind: "insufficient-credits",
                message: shortfall.message,
                needed: shortfall.needed,
                available: shortfall.available,
              }}
              needed={shortfall.needed}
              available={shortfall.available}
            />
          </li>
        )}
        <li>
          <p className="example-caption">When many generations start in a short time, a countdown until you can go on:</p>
          <GenerationErrorView preview problem={{ kind: "rate-limited", message: "", retryAfterSeconds: 24 }} />
        </li>
        <li>
          <p className="example-caption">When the AI provider fails or is too slow (you are not charged):</p>
          <GenerationErrorView preview problem={{ kind: "upstream-failed", message: "" }} />
        </li>
      </ul>
    </section>
  );
}
