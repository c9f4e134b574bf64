/**
 * Payments through Stripe Checkout. The flow, for every kind (credit packs now, book orders later):
 *
 * 1. `createCheckout`: a pending payment row (the buyer's RLS transaction), then — with no transaction
 *    open — a Checkout Session at Stripe (idempotency key = the payment id, so an SDK retry cannot make
 *    two), then the session id and URL saved. The buyer is sent to that URL.
 * 2. Stripe calls the webhook. `receiveWebhook` checks the signature with the SDK
 *    (`stripe.webhooks.constructEvent`) before anything else, stores the event once by its id and
 *    enqueues `payments.fulfil-event` in the same transaction; a replayed or re-delivered event id is
 *    acknowledged and ignored.
 * 3. `processEvent` (the job) applies it in one system transaction: locks the event and the payment,
 *    moves the payment's status (pending → paid → refunded; expired) and runs the kind's fulfilment.
 *    The status is the second guard (a paid payment is not fulfilled again, whatever event says so)
 *    and the credits grant's key the third.
 * 4. When the buyer comes back, `get` asks Stripe about a still-pending payment and applies a paid
 *    session through the same function, so a late webhook does not leave them waiting.
 *
 * Events arrive in any order: a refund seen before its payment's completion marks the payment
 * refunded, and the completion that follows finds it refunded and delivers nothing.
 */
import { asSystem, asUser, type Database, type Tx } from "@inkwell/db";
import { z } from "zod";
import { DomainError, notFound } from "../platform/errors.ts";
import type { Enqueue, Logger } from "../platform/queue.ts";
import { createCheckout, type PaymentsDeps, stripeOf } from "./payments.checkout.ts";
import { fulfilmentFor } from "./payments.fulfilment.ts";
import { fulfilEventJob } from "./payments.jobs.ts";
import * as repo from "./payments.repository.ts";
import {
  type AdminRefundInput,
  type BuyPackInput,
  CREDIT_PACKS,
  PAYMENT_CURRENCY,
  type PaymentKind,
  type PaymentView,
} from "./payments.schemas.ts";
import { applySubscriptionEvent } from "./payments.subscriptions.events.ts";

export { type CheckoutInput, createCheckout, type PaymentsDeps } from "./payments.checkout.ts";

export function creditPacks() {
  return CREDIT_PACKS.map((p) => ({ ...p, currency: PAYMENT_CURRENCY }));
}

export function buyCreditPack(deps: PaymentsDeps, userId: string, input: BuyPackInput) {
  const pack = CREDIT_PACKS.find((p) => p.id === input.packId);
  if (!pack) throw notFound("Credit pack");
  return createCheckout(deps, userId, {
    kind: "credit_pack",
    referenceId: pack.id,
    description: `${pack.name}: ${pack.credits.toLocaleString("en-US")} credits`,
    amountCents: pack.priceCents,
    credits: pack.credits,
    returnPath: "/credits",
    // A double click, or the same pack bought in two tabs, gets the one open page (buying the pack again
    // after paying is a new checkout).
    openOnce: "reference",
  });
}

/**
 * The webhook: verify, store once, enqueue. A bad or missing signature is INVALID_INPUT (the route
 * answers 400) and nothing is stored. Returns whether the event was new.
 */
export async function receiveWebhook(deps: PaymentsDeps, rawBody: Buffer | string, signature: string | undefined) {
  const runtime = stripeOf(deps);
  if (!signature) throw new DomainError("INVALID_INPUT", "Missing Stripe-Signature header.");
  let verified: unknown;
  try {
    verified = runtime.stripe.webhooks.constructEvent(rawBody, signature, runtime.webhookSecret);
  } catch {
    throw new DomainError("INVALID_INPUT", "The webhook signature does not verify.");
  }
  // A verified body is still checked for the shape we store and process (a signed `null` or an event
  // without an id must be a 400, not a crash that Stripe retries for days).
  const shaped = storableEventSchema.safeParse(verified);
  if (!shaped.success) throw new DomainError("INVALID_INPUT", "The webhook body is not a Stripe event.");
  const event = verified as { id: string; type: string };
  return asSystem(deps.db, async (tx) => {
    const fresh = await repo.insertEvent(tx, { id: event.id, type: event.type, payload: event, paymentId: null });
    if (fresh) await deps.enqueue(tx, fulfilEventJob, { eventId: event.id });
    return { received: true as const, duplicate: !fresh };
  });
}

// The parts of Stripe's objects we read, checked (the payload is our stored copy of a verified event).
const sessionSchema = z.object({
  id: z.string(),
  object: z.literal("checkout.session"),
  client_reference_id: z.string().nullish(),
  metadata: z.record(z.string(), z.string()).nullish(),
  payment_status: z.string(),
  status: z.string().nullish(),
  amount_total: z.number().nullish(),
  currency: z.string().nullish(),
  payment_intent: z.union([z.string(), z.object({ id: z.string() })]).nullish(),
});
const chargeSchema = z.object({
  id: z.string(),
  object: z.literal("charge"),
  payment_intent: z.union([z.string(), z.object({ id: z.string() })]).nullish(),
  refunded: z.boolean(),
  metadata: z.record(z.string(), z.string()).nullish(),
});
const eventSchema = z.object({
  id: z.string(),
  type: z.string(),
  created: z.number().optional(),
  data: z.object({ object: z.unknown() }),
});
/** What `payment_events` accepts (its CHECKs), so a stored event always fits and always parses. */
const storableEventSchema = eventSchema.extend({ id: z.string().min(1).max(255), type: z.string().min(1).max(100) });

const idOf = (v: string | { id: string } | null | undefined) => (typeof v === "string" ? v : (v?.id ?? null));
const uuid = z.uuid();
const paymentIdFrom = (metadata: Record<string, string> | null | undefined, fallback?: string | null) => {
  const candidate = metadata?.payment_id ?? fallback ?? undefined;
  return uuid.safeParse(candidate).success ? candidate : undefined;
};

type Session = z.infer<typeof sessionSchema>;
interface Applied {
  result: string;
  paymentId: string | null;
}

/** A paid Checkout Session: mark the payment paid and deliver, once. Shared by the webhook and the return page. */
async function applyPaidSession(tx: Tx, session: Session, log?: Logger): Promise<Applied> {
  const payment =
    (await repo.lockPayment(tx, { id: paymentIdFrom(session.metadata, session.client_reference_id) })) ??
    (await repo.lockPayment(tx, { sessionId: session.id }));
  if (!payment) return { result: "ignored: no payment for this session", paymentId: null };
  if (session.payment_status !== "paid") return { result: `waiting: payment ${session.payment_status}`, paymentId: payment.id };
  if (session.amount_total !== payment.amount_cents || session.currency !== payment.currency) {
    log?.error({ paymentId: payment.id, sessionId: session.id }, "stripe: paid amount differs from the payment's; not fulfilled");
    return { result: "refused: the amount paid differs from the price", paymentId: payment.id };
  }
  if (payment.status === "paid") return { result: "already fulfilled", paymentId: payment.id };
  if (payment.status === "refunded") return { result: "ignored: refunded before it completed", paymentId: payment.id };
  // A refund that arrived first but could not be matched to this payment then (no payment id in its
  // charge, the intent not yet known here) is matched now, by the intent: nothing is delivered.
  const intent = idOf(session.payment_intent);
  if (intent && (await repo.fullRefundReceived(tx, intent))) {
    const outcome = "Refunded before it was fulfilled; nothing was added";
    await repo.setStatus(tx, payment.id, { status: "refunded", paymentIntent: intent, outcome, refundedAt: true });
    return { result: "ignored: refunded before it completed", paymentId: payment.id };
  }
  const outcome = await fulfilmentFor(payment.kind as PaymentKind).fulfil(tx, payment);
  await repo.setStatus(tx, payment.id, { status: "paid", paymentIntent: idOf(session.payment_intent), outcome, paidAt: true });
  return { result: "fulfilled", paymentId: payment.id };
}

async function applyEvent(tx: Tx, event: z.infer<typeof eventSchema>, log?: Logger): Promise<Applied> {
  switch (event.type) {
    case "checkout.session.completed":
    case "checkout.session.async_payment_succeeded":
      return applyPaidSession(tx, sessionSchema.parse(event.data.object), log);
    case "checkout.session.expired": {
      const session = sessionSchema.parse(event.data.object);
      const payment = await repo.lockPayment(tx, { sessionId: session.id });
      if (!payment) return { result: "ignored: no payment for this session", paymentId: null };
      if (payment.status !== "pending") return { result: `ignored: payment is ${payment.status}`, paymentId: payment.id };
      await repo.setStatus(tx, payment.id, { status: "expired", outcome: "Checkout expired; nothing was charged" });
      return { result: "expired", paymentId: payment.id };
    }
    case "charge.refunded": {
      const charge = chargeSchema.parse(event.data.object);
      const intent = idOf(charge.payment_intent);
      const payment =
        (await repo.lockPayment(tx, { id: paymentIdFrom(charge.metadata) })) ??
        (intent ? await repo.lockPayment(tx, { paymentIntent: intent }) : undefined);
      if (!payment) return { result: "ignored: no payment for this charge", paymentId: null };
      // Only a full refund takes the purchase back; a partial one is a goodwill gesture, recorded by Stripe.
      if (!charge.refunded) return { result: "ignored: partial refund", paymentId: payment.id };
      if (payment.status === "refunded") return { result: "already refunded", paymentId: payment.id };
      const outcome =
        payment.status === "paid"
          ? await fulfilmentFor(payment.kind as PaymentKind).refund(tx, payment)
          : "Refunded before it was fulfilled; nothing was added";
      await repo.setStatus(tx, payment.id, { status: "refunded", paymentIntent: intent, outcome, refundedAt: true });
      return { result: "refunded", paymentId: payment.id };
    }
    default:
      return (await applySubscriptionEvent(tx, event, log)) ?? { result: `ignored: ${event.type}`, paymentId: null };
  }
}

/** The job: applies one stored event at most once (its row is locked and marked in the same transaction). */
export function processEvent(db: Database, eventId: string, log?: Logger): Promise<string> {
  return asSystem(db, async (tx) => {
    const row = await repo.lockEvent(tx, eventId);
    if (!row) return "unknown event";
    if (row.processed_at) return "already processed";
    const applied = await applyEvent(tx, eventSchema.parse(row.payload), log);
    await repo.finishEvent(tx, eventId, applied.paymentId, applied.result);
    return applied.result;
  });
}

/** Re-enqueues stale unprocessed events (see `sweepEventsJob`); returns how many. */
export function sweepEvents(db: Database, enqueue: Enqueue): Promise<number> {
  return asSystem(db, async (tx) => {
    const ids = await repo.staleUnprocessedEvents(tx, 100);
    for (const id of ids) await enqueue(tx, fulfilEventJob, { eventId: id }, { singletonKey: id });
    return ids.length;
  });
}

/**
 * One of the user's payments. A pending one with a session is checked at Stripe first (no
 * transaction open), so the page the buyer returns to shows the purchase even before the webhook.
 */
export async function get(deps: PaymentsDeps, userId: string, paymentId: string): Promise<PaymentView> {
  const load = () => asUser(deps.db, userId, (tx) => repo.findPayment(tx, paymentId));
  const payment = await load();
  if (!payment) throw notFound("Payment");
  if (payment.status !== "pending" || !payment.stripe_session_id || !deps.payments) return repo.toView(payment);
  let session: Session;
  try {
    session = sessionSchema.parse(await deps.payments.stripe.checkout.sessions.retrieve(payment.stripe_session_id));
  } catch (error) {
    deps.log.warn({ err: error, paymentId }, "stripe: could not check a pending checkout; the webhook will settle it");
    return repo.toView(payment);
  }
  if (session.payment_status === "paid") await asSystem(deps.db, (tx) => applyPaidSession(tx, session, deps.log));
  else if (session.status === "expired")
    await asSystem(deps.db, async (tx) => {
      const locked = await repo.lockPayment(tx, { id: paymentId });
      if (locked?.status === "pending") await repo.setStatus(tx, paymentId, { status: "expired", outcome: "Checkout expired" });
    });
  else return repo.toView(payment);
  const fresh = await load();
  if (!fresh) throw notFound("Payment");
  return repo.toView(fresh);
}

export async function list(tx: Tx, userId: string, limit: number): Promise<PaymentView[]> {
  return (await repo.listPayments(tx, userId, limit)).map(repo.toView);
}

/**
 * An administrator refunds a paid payment in full at Stripe. Nothing changes here until Stripe
 * confirms it with `charge.refunded` (the same path as a refund made in Stripe's dashboard).
 */
export async function adminRefund(deps: PaymentsDeps, input: AdminRefundInput) {
  const runtime = stripeOf(deps);
  const payment = await asSystem(deps.db, (tx) => repo.findPayment(tx, input.paymentId));
  if (!payment) throw notFound("Payment");
  if (payment.status !== "paid" || !payment.stripe_payment_intent)
    throw new DomainError("PRECONDITION_FAILED", `Only a paid payment can be refunded (this one is ${payment.status}).`);
  try {
    const refund = await runtime.stripe.refunds.create(
      {
        payment_intent: payment.stripe_payment_intent,
        reason: "requested_by_customer",
        metadata: { payment_id: payment.id, ...(input.reason ? { note: input.reason } : {}) },
      },
      { idempotencyKey: `refund:${payment.id}` },
    );
    return { refundId: refund.id, status: refund.status ?? "pending" };
  } catch (error) {
    deps.log.error({ err: error, paymentId: payment.id }, "stripe: refund failed");
    throw new DomainError("UPSTREAM_FAILED", "The refund could not be made at the payment provider.");
  }
}
