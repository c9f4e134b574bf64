/**
 * Starting a Stripe Checkout, for every kind: a pending payment row in the buyer's RLS transaction,
 * then — with no transaction open — the Checkout Session (idempotency key = the payment id, so an SDK
 * retry cannot make two), then the session id and URL saved. One-off payments (packs, book orders)
 * use `mode=payment`; subscriptions pass their own session parameters (`mode=subscription`).
 *
 * `openOnce` keeps one payable page per thing bought, so two clicks (two tabs, a double submit, two
 * requests at the same instant) never become two payments: the pending row is looked for and inserted
 * under a per-user, per-kind transaction lock, and the second request gets the first's page — waiting
 * for it while the first is still opening it. With `"kind"` (subscriptions: one per user) a checkout of
 * another reference (another tier) expires the open one at Stripe first, so the old page cannot be paid
 * too; if it has just been paid instead, the new one is refused (CONFLICT).
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
  /** One open checkout per kind and reference (`"reference"`), or per kind (`"kind"`); see the file's comment. */
  openOnce?: "reference" | "kind";
}

/** How long a second request waits for the first to open its page before it is told to try again. */
const OPENING_WAIT_MS = 10_000;
const POLL_MS = 100;

/** What a kind adds to the session: by default one `price_data` line in `mode=payment`. */
type SessionParams = (paymentId: string) => Partial<Stripe.Checkout.SessionCreateParams>;

/**
 * Starts a Checkout for the user and returns where to send them. Takes the deps rather than a
 * transaction: the Stripe call must not run inside one, so it opens its own short ones around it.
 */
export async function createCheckout(deps: PaymentsDeps, userId: string, input: CheckoutInput, params?: SessionParams) {
  const runtime = stripeOf(deps);
  const currency = input.currency ?? PAYMENT_CURRENCY;
  const skip: string[] = [];
  const waitUntil = Date.now() + OPENING_WAIT_MS;
  let payment: Awaited<ReturnType<typeof repo.insertPayment>>;
  for (;;) {
    const step = await asUser(deps.db, userId, async (tx) => {
      if (input.openOnce) {
        await repo.lockCheckouts(tx, userId, input.kind);
        const open = await repo.findOpenCheckout(tx, {
          userId,
          kind: input.kind,
          referenceId: input.openOnce === "reference" ? input.referenceId : undefined,
          skip,
        });
        if (open) return { open };
      }
      const inserted = await repo.insertPayment(tx, {
        userId,
        kind: input.kind,
        referenceId: input.referenceId,
        description: input.description,
        amountCents: input.amountCents,
        currency,
        credits: input.credits ?? null,
      });
      return { inserted };
    });
    if (step.inserted) {
      payment = step.inserted;
      break;
    }
    const open = step.open;
    if (!open.stripe_session_id || !open.checkout_url) {
      // Another request is opening this page right now: wait for it (no transaction held). A row left
      // without a page by a crash is given up after five minutes (longer than the SDK's timeouts and retries).
      if (open.stale_if_unopened) {
        await asSystem(deps.db, (tx) => repo.setStatus(tx, open.id, { status: "expired", outcome: "Checkout never opened" }));
        continue;
      }
      if (Date.now() > waitUntil)
        throw new DomainError("CONFLICT", "A payment page is being opened for this already; please try again in a moment.");
      await new Promise((r) => setTimeout(r, POLL_MS));
      continue;
    }
    const settled = await settleOpenCheckout(deps, runtime, open, input);
    if (settled === "reuse") return { paymentId: open.id, url: open.checkout_url };
    skip.push(open.id);
  }
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
  if (!session.url) {
    // Left pending without a page, it would hold up the user's next checkout of this kind for five minutes.
    await asSystem(deps.db, (tx) => repo.setStatus(tx, payment.id, { status: "expired", outcome: "Checkout could not start" }));
    throw new DomainError("UPSTREAM_FAILED", "The payment provider returned no payment page.");
  }
  await asSystem(deps.db, (tx) => repo.setCheckout(tx, payment.id, session.id, session.url as string));
  return { paymentId: payment.id, url: session.url };
}

/**
 * What to do with the user's open checkout when they start another (no transaction open: it asks
 * Stripe). The same thing, still open: "reuse" its page. Paid meanwhile: the same reference (a second
 * pack) is a new purchase ("skip" it); with `openOnce: "kind"` (a second subscription) it is refused.
 * Another reference under `"kind"`: the open one is expired at Stripe (and here) first.
 */
async function settleOpenCheckout(
  deps: PaymentsDeps,
  runtime: PaymentsRuntime,
  open: { id: string; reference_id: string; stripe_session_id: string | null },
  input: CheckoutInput,
): Promise<"reuse" | "skip"> {
  const sessionId = open.stripe_session_id as string;
  let status: string | null;
  let replaced = false;
  try {
    status = (await runtime.stripe.checkout.sessions.retrieve(sessionId)).status;
    if (status === "open" && open.reference_id !== input.referenceId) {
      status = (await runtime.stripe.checkout.sessions.expire(sessionId)).status;
      replaced = true;
    }
  } catch (error) {
    // Expiring fails when the page was paid in the meantime: asked again, Stripe says "complete".
    try {
      status = (await runtime.stripe.checkout.sessions.retrieve(sessionId)).status;
    } catch {
      deps.log.error({ err: error, paymentId: open.id }, "stripe: checking an open checkout failed");
      throw new DomainError("UPSTREAM_FAILED", "The payment page could not be opened. Nothing was charged; please try again.");
    }
  }
  if (status === "open") {
    // Not expired (Stripe refused, or the call failed): never hand this request another reference's page.
    if (open.reference_id !== input.referenceId)
      throw new DomainError(
        "CONFLICT",
        "Your other payment page is still open and could not be closed (it may be being paid). Finish or leave it, then try again.",
      );
    return "reuse";
  }
  if (status === "expired") {
    await markExpired(deps, open.id, replaced ? "Replaced by another checkout; nothing was charged" : "Checkout expired");
    return "skip";
  }
  // Complete: paid (the webhook or the return page is settling it).
  if (input.openOnce === "kind")
    throw new DomainError("CONFLICT", "Your last checkout was just paid; it will show in a moment. Reload the page.");
  return "skip";
}

async function markExpired(deps: PaymentsDeps, paymentId: string, outcome: string) {
  await asSystem(deps.db, async (tx) => {
    const locked = await repo.lockPayment(tx, { id: paymentId });
    if (locked?.status === "pending") await repo.setStatus(tx, paymentId, { status: "expired", outcome });
  });
}
