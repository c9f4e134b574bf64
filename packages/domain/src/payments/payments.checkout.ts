/**
 * Starting a Stripe Checkout, for every kind: a pending payment row in the buyer's RLS transaction,
 * then — with no transaction open — the Checkout Session (idempotency key = the payment id, so an SDK
 * retry cannot make two), then the session id and URL saved. One-off payments (packs, book orders)
 * use `mode=payment`; subscriptions pass their own session parameters (`mode=subscription`).
 */
import { asSystem, asUser, type Database } from "@inkwell/db";
import type Stripe from "stripe";
import { DomainError } from "../platform/errors.ts";
import type { Enqueue, Logger } from "../platform/queue.ts";
import * as repo from "./payments.repository.ts";
import type { PaymentsRuntime } from "./payments.runtime.ts";
import { PAYMENT_CURRENCY, type PaymentKind } from "./payments.schemas.ts";

export interface PaymentsDeps {
  db: Database;
  /** Null when no Stripe account (or sandbox) is configured. */
  payments: PaymentsRuntime | null;
  enqueue: Enqueue;
  log: Logger;
}

export function stripeOf(deps: Pick<PaymentsDeps, "payments">): PaymentsRuntime {
  if (!deps.payments) throw new DomainError("PRECONDITION_FAILED", "Payments are not set up on this server.");
  return deps.payments;
}

export interface CheckoutInput {
  kind: PaymentKind;
  /** What the kind sells (a pack id, an order id). */
  referenceId: string;
  /** The line on the Checkout page and in the buyer's payments. */
  description: string;
  amountCents: number;
  currency?: string;
  /** For credit packs: the credits the payment adds. */
  credits?: number;
  /** The app page Checkout returns to (`?payment=<id>`, plus `&cancelled=1` when the buyer backs out). */
  returnPath: string;
}

/** What a kind adds to the session: by default one `price_data` line in `mode=payment`. */
type SessionParams = (paymentId: string) => Partial<Stripe.Checkout.SessionCreateParams>;

/**
 * Starts a Checkout for the user and returns where to send them. Takes the deps rather than a
 * transaction: the Stripe call must not run inside one, so it opens its own short ones around it.
 */
export async function createCheckout(deps: PaymentsDeps, userId: string, input: CheckoutInput, params?: SessionParams) {
  const runtime = stripeOf(deps);
  const currency = input.currency ?? PAYMENT_CURRENCY;
  const payment = await asUser(deps.db, userId, (tx) =>
    repo.insertPayment(tx, {
      userId,
      kind: input.kind,
      referenceId: input.referenceId,
      description: input.description,
      amountCents: input.amountCents,
      currency,
      credits: input.credits ?? null,
    }),
  );
  const back = `${runtime.appUrl}${input.returnPath}?payment=${payment.id}`;
  let session: { id: string; url: string | null };
  try {
    session = await runtime.stripe.checkout.sessions.create(
      {
        mode: "payment",
        client_reference_id: payment.id,
        metadata: { payment_id: payment.id, kind: input.kind, reference_id: input.referenceId },
        ...(params
          ? params(payment.id)
          : {
              payment_intent_data: { metadata: { payment_id: payment.id } },
              line_items: [
                {
                  quantity: 1,
                  price_data: { currency, unit_amount: input.amountCents, product_data: { name: input.description } },
                },
              ],
            }),
        success_url: back,
        cancel_url: `${back}&cancelled=1`,
      },
      { idempotencyKey: `checkout:${payment.id}` },
    );
  } catch (error) {
    deps.log.error({ err: error, paymentId: payment.id }, "stripe: creating a checkout session failed");
    await asSystem(deps.db, (tx) => repo.setStatus(tx, payment.id, { status: "expired", outcome: "Checkout could not start" }));
    throw new DomainError("UPSTREAM_FAILED", "The payment page could not be opened. Nothing was charged; please try again.");
  }
  if (!session.url) throw new DomainError("UPSTREAM_FAILED", "The payment provider returned no payment page.");
  await asSystem(deps.db, (tx) => repo.setCheckout(tx, payment.id, session.id, session.url as string));
  return { paymentId: payment.id, url: session.url };
}
