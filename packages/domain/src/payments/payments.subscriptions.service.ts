/**
 * Subscriptions, the user's side: identity's paid tiers sold through Stripe Billing.
 *
 * - **Subscribe**: a Checkout Session in `mode=subscription` for the tier's monthly price (prices are
 *   found by lookup key, created once if missing), with the user and tier in the subscription's metadata
 *   (Stripe copies it onto every invoice). The checkout's payment row is the first month's payment. One
 *   subscription checkout is open per user at a time (`createCheckout`'s `openOnce: "kind"`): started
 *   twice at once, both get the same page; another tier's replaces it.
 * - **Change plan**: an upgrade takes effect at once, charged the prorated difference now
 *   (`proration_behavior=always_invoice`) and topped up with that share of the difference in monthly credits; a
 *   downgrade takes effect at once with no proration (`none`): nothing is refunded, the credits already
 *   granted this period stay until it ends, and the next renewal bills and grants the lower tier.
 *   Cancel sets `cancel_at_period_end` (resume clears it): the tier is kept until the period ends, then
 *   Stripe's `customer.subscription.deleted` makes the account free.
 *
 * Stripe's events (and so the subscription rows and the plan) are `payments.subscriptions.events.ts`;
 * Stripe's answer to each of our updates is applied at once through the same `applySnapshot`.
 */
import { asSystem, asUser, type Tx } from "@inkwell/db";
import { identity } from "../identity/index.ts";
import { DomainError } from "../platform/errors.ts";
import { createCheckout, type PaymentsDeps, stripeOf } from "./payments.checkout.ts";
import { registerFulfilment } from "./payments.fulfilment.ts";
import type { PaymentsRuntime } from "./payments.runtime.ts";
import { type BillingView, PAYMENT_CURRENCY, type PaidTier, SUBSCRIPTION_PLANS, type TierInput } from "./payments.schemas.ts";
import { applySnapshot, lookupKey, planOf, subscriptionSchema } from "./payments.subscriptions.events.ts";
import * as repo from "./payments.subscriptions.repository.ts";

export {
  type Applied,
  applySubscriptionEvent,
  endLapsedGrace,
  SUBSCRIPTION_EVENTS,
} from "./payments.subscriptions.events.ts";

// ---------------------------------------------------------------------------------------------------
// The user's side.

export async function billing(tx: Tx, userId: string): Promise<BillingView> {
  const plan = await identity.plan(tx, userId);
  const sub = await repo.findLatest(tx, userId);
  const invoices = await repo.listInvoices(tx, userId, 24);
  return {
    tier: plan.tier,
    tierExpiresAt: plan.expiresAt,
    subscription: sub ? repo.toView(sub) : null,
    invoices: invoices.map(repo.invoiceView),
  };
}

export function plans() {
  return SUBSCRIPTION_PLANS.map((p) => ({ ...p, currency: PAYMENT_CURRENCY }));
}

const priceCache = new WeakMap<PaymentsRuntime, Map<PaidTier, string>>();

/** The tier's monthly price at Stripe, by lookup key; created the first time (then cached per runtime). */
async function priceFor(runtime: PaymentsRuntime, tier: PaidTier): Promise<string> {
  let cache = priceCache.get(runtime);
  if (!cache) {
    cache = new Map();
    priceCache.set(runtime, cache);
  }
  const cached = cache.get(tier);
  if (cached) return cached;
  const plan = planOf(tier);
  const key = lookupKey(tier);
  const found = await runtime.stripe.prices.list({ lookup_keys: [key], active: true, limit: 1 });
  const existing = found.data.find((p) => p.unit_amount === plan.priceCents && p.currency === PAYMENT_CURRENCY);
  const id =
    existing?.id ??
    (
      await runtime.stripe.prices.create(
        {
          currency: PAYMENT_CURRENCY,
          unit_amount: plan.priceCents,
          recurring: { interval: "month" },
          lookup_key: key,
          transfer_lookup_key: true,
          product_data: { name: `Inkwell ${plan.name}` },
          metadata: { tier },
        },
        { idempotencyKey: `price:${key}:${plan.priceCents}` },
      )
    ).id;
  cache.set(tier, id);
  return id;
}

/** Stripe's answer when the card is declined (402, a card error): the customer's to fix, not ours. */
const isCardError = (error: unknown) =>
  typeof error === "object" &&
  error !== null &&
  ((error as { type?: unknown }).type === "StripeCardError" || (error as { statusCode?: unknown }).statusCode === 402);

const upstream = (deps: PaymentsDeps, error: unknown, what: string) => {
  if (error instanceof DomainError) return error;
  deps.log.error({ err: error }, `stripe: ${what} failed`);
  return new DomainError("UPSTREAM_FAILED", `The payment provider could not ${what}. Nothing was changed; please try again.`);
};

/** Starts a Checkout for a monthly subscription to `tier`; refused while the user has a live one. */
export async function subscribe(deps: PaymentsDeps, userId: string, input: TierInput) {
  const runtime = stripeOf(deps);
  const found = await asUser(deps.db, userId, async (tx) => ({
    live: await repo.findLive(tx, userId),
    arriving: await repo.paidCheckoutAwaitingSubscription(tx, userId),
  }));
  if (found.live) throw new DomainError("CONFLICT", "You already have a subscription; change or cancel it on the billing page.");
  if (found.arriving)
    throw new DomainError("CONFLICT", "Your subscription was just paid; it will show on the billing page in a moment.");
  const plan = planOf(input.tier);
  let price: string;
  try {
    price = await priceFor(runtime, input.tier);
  } catch (error) {
    throw upstream(deps, error, "open the payment page");
  }
  return createCheckout(
    deps,
    userId,
    {
      kind: "subscription",
      referenceId: input.tier,
      description: `Inkwell ${plan.name}: ${plan.monthlyCredits.toLocaleString("en-US")} credits a month`,
      amountCents: plan.priceCents,
      returnPath: "/billing",
      // One subscription checkout open per user: a second click gets the first's page, another tier
      // replaces it (expired at Stripe), so two subscriptions can never both be paid.
      openOnce: "kind",
    },
    (paymentId) => ({
      mode: "subscription",
      line_items: [{ price, quantity: 1 }],
      subscription_data: { metadata: { user_id: userId, tier: input.tier, payment_id: paymentId } },
    }),
  );
}

async function liveOf(deps: PaymentsDeps, userId: string) {
  const row = await asUser(deps.db, userId, (tx) => repo.findLive(tx, userId));
  if (!row) throw new DomainError("PRECONDITION_FAILED", "You have no subscription.");
  return row;
}

/** Applies Stripe's answer to our own update at once (the webhook brings the same state later). */
async function applyAnswer(deps: PaymentsDeps, answer: unknown) {
  const sub = subscriptionSchema.parse(answer);
  await asSystem(deps.db, (tx) => applySnapshot(tx, sub, { at: "now", log: deps.log }));
}

/** Upgrade (at once, prorated difference charged now) or downgrade (at once, no proration); see the file's comment. */
export async function changePlan(deps: PaymentsDeps, userId: string, input: TierInput) {
  const runtime = stripeOf(deps);
  const row = await liveOf(deps, userId);
  if (row.status === "past_due")
    throw new DomainError("PRECONDITION_FAILED", "Your last payment failed; the plan can change once it is paid.");
  if (row.status !== "active" || !row.stripe_item_id)
    throw new DomainError("PRECONDITION_FAILED", "Your subscription is not active yet; try again in a moment.");
  if (row.tier === input.tier) throw new DomainError("PRECONDITION_FAILED", `You are already on ${planOf(input.tier).name}.`);
  const upgrade = planOf(input.tier).priceCents > planOf(row.tier as PaidTier).priceCents;
  try {
    const price = await priceFor(runtime, input.tier);
    const answer = await runtime.stripe.subscriptions.update(row.stripe_subscription_id, {
      items: [{ id: row.stripe_item_id, price }],
      proration_behavior: upgrade ? "always_invoice" : "none",
      // Stripe's default (allow_incomplete) applies the new price even when the prorated charge fails,
      // leaving the subscription past due on the higher tier: a paid tier, with its grace period,
      // without paying. Refused instead: nothing changes unless the difference is paid.
      ...(upgrade ? { payment_behavior: "error_if_incomplete" as const } : {}),
      metadata: { tier: input.tier },
    });
    await applyAnswer(deps, answer);
  } catch (error) {
    if (isCardError(error))
      throw new DomainError(
        "PRECONDITION_FAILED",
        "Your card was declined, so your plan is unchanged. Update your card and try again.",
      );
    throw upstream(deps, error, "change the plan");
  }
  return { tier: input.tier, upgrade };
}

/** Cancel at the period's end (`cancel: true`) or resume (`false`). */
export async function setCancelAtPeriodEnd(deps: PaymentsDeps, userId: string, cancel: boolean) {
  const runtime = stripeOf(deps);
  const row = await liveOf(deps, userId);
  if (row.cancel_at_period_end === cancel) return { cancelAtPeriodEnd: cancel };
  try {
    const answer = await runtime.stripe.subscriptions.update(row.stripe_subscription_id, { cancel_at_period_end: cancel });
    await applyAnswer(deps, answer);
  } catch (error) {
    throw upstream(deps, error, cancel ? "cancel the subscription" : "resume the subscription");
  }
  return { cancelAtPeriodEnd: cancel };
}

/**
 * Ends the user's live subscription at Stripe at once, for account deletion: without it Stripe would go
 * on charging a card for an account that no longer exists. No refund of the current period (as when
 * cancelling at the period's end). Idempotent: nothing live, or already ended at Stripe, is fine.
 */
export async function endSubscriptionsNow(deps: PaymentsDeps, userId: string): Promise<void> {
  const row = await asUser(deps.db, userId, (tx) => repo.findLive(tx, userId));
  if (!row) return;
  const runtime = stripeOf(deps);
  try {
    const answer = await runtime.stripe.subscriptions.cancel(row.stripe_subscription_id);
    await applyAnswer(deps, answer);
  } catch (error) {
    if ((error as { code?: unknown }).code === "resource_missing") return;
    throw upstream(deps, error, "end your subscription, so your account was not deleted");
  }
}

/**
 * The sandbox's test clock, for the billing page's sandbox panel and the browser test: renew the
 * caller's subscription now, or make its next renewal fail. Refused unless the server talks to the sandbox.
 */
export async function sandboxControl(
  deps: PaymentsDeps,
  userId: string,
  action: { kind: "advance" } | { kind: "fail-next-renewal"; fail: boolean },
) {
  const control = stripeOf(deps).sandboxControl;
  if (!control) throw new DomainError("PRECONDITION_FAILED", "The test clock exists only in the Stripe sandbox.");
  const row = await liveOf(deps, userId);
  const res = await fetch(
    `${control.url}/sandbox/subscriptions/${encodeURIComponent(row.stripe_subscription_id)}/${action.kind}`,
    {
      method: "POST",
      headers: { authorization: `Bearer ${control.secretKey}`, "content-type": "application/x-www-form-urlencoded" },
      body: action.kind === "fail-next-renewal" ? `fail=${action.fail}` : "",
      signal: AbortSignal.timeout(10_000),
    },
  ).catch(() => null);
  if (!res?.ok) throw new DomainError("UPSTREAM_FAILED", "The Stripe sandbox did not answer.");
  await res.arrayBuffer();
  return { ok: true as const };
}

// The checkout's payment is the first month's: the subscription and its credits come from Stripe's
// subscription and invoice events (the invoice's grant is the one grant), so fulfilling it only says so.
registerFulfilment("subscription", {
  async fulfil(_tx, payment) {
    return `Subscribed: ${payment.description}`;
  },
  async refund() {
    return "Refunded; the plan is managed on the billing page";
  },
});
