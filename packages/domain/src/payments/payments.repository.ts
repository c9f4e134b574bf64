/** The only SQL of the payments module. */
import type { Tx } from "@inkwell/db";
import { sql } from "kysely";
import type { PaymentKind, PaymentStatus, PaymentView } from "./payments.schemas.ts";

const COLUMNS = [
  "id",
  "user_id",
  "kind",
  "reference_id",
  "description",
  "amount_cents",
  "currency",
  "credits",
  "status",
  "stripe_session_id",
  "stripe_payment_intent",
  "checkout_url",
  "outcome",
  "created_at",
  "paid_at",
  "refunded_at",
] as const;

export async function insertPayment(
  tx: Tx,
  values: {
    userId: string;
    kind: PaymentKind;
    referenceId: string;
    description: string;
    amountCents: number;
    currency: string;
    credits: number | null;
  },
) {
  return tx
    .insertInto("payments")
    .values({
      user_id: values.userId,
      kind: values.kind,
      reference_id: values.referenceId,
      description: values.description,
      amount_cents: values.amountCents,
      currency: values.currency,
      credits: values.credits,
    })
    .returning(COLUMNS)
    .executeTakeFirstOrThrow();
}

/**
 * Serialises the start of the user's checkouts of one kind (a transaction lock): two requests at once
 * look for an open checkout one after the other, so the second finds the first's.
 */
export async function lockCheckouts(tx: Tx, userId: string, kind: PaymentKind) {
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`payments:checkout:${kind}:${userId}`}, 0))`.execute(tx);
}

/**
 * The user's newest checkout of this kind (and reference, when given) that may still be paid: pending and
 * younger than Stripe's 24-hour session lifetime (an hour spare for clocks). `skip`: ones found finished.
 */
export async function findOpenCheckout(tx: Tx, by: { userId: string; kind: PaymentKind; referenceId?: string; skip: string[] }) {
  let q = tx
    .selectFrom("payments")
    .select([...COLUMNS, sql<boolean>`created_at < now() - interval '5 minutes'`.as("stale_if_unopened")])
    .where("user_id", "=", by.userId)
    .where("kind", "=", by.kind)
    .where("status", "=", "pending")
    .where("created_at", ">", sql<Date>`now() - interval '23 hours'`);
  if (by.referenceId !== undefined) q = q.where("reference_id", "=", by.referenceId);
  if (by.skip.length) q = q.where("id", "not in", by.skip);
  return q.orderBy("created_at", "desc").limit(1).executeTakeFirst();
}

export async function setCheckout(tx: Tx, id: string, sessionId: string, url: string) {
  await tx.updateTable("payments").set({ stripe_session_id: sessionId, checkout_url: url }).where("id", "=", id).execute();
}

export async function findPayment(tx: Tx, id: string) {
  return tx.selectFrom("payments").select(COLUMNS).where("id", "=", id).executeTakeFirst();
}

/** Locks the payment while an event changes it, so two events of one payment apply one at a time. */
export async function lockPayment(tx: Tx, by: { id?: string; sessionId?: string; paymentIntent?: string }) {
  let q = tx.selectFrom("payments").select(COLUMNS).forUpdate();
  if (by.id) q = q.where("id", "=", by.id);
  else if (by.sessionId) q = q.where("stripe_session_id", "=", by.sessionId);
  else if (by.paymentIntent) q = q.where("stripe_payment_intent", "=", by.paymentIntent);
  else return undefined;
  return q.executeTakeFirst();
}

export async function setStatus(
  tx: Tx,
  id: string,
  values: {
    status: PaymentStatus;
    paymentIntent?: string | null;
    outcome?: string | null;
    paidAt?: boolean;
    refundedAt?: boolean;
  },
) {
  await tx
    .updateTable("payments")
    .set((eb) => ({
      status: values.status,
      ...(values.paymentIntent ? { stripe_payment_intent: values.paymentIntent } : {}),
      ...(values.outcome !== undefined ? { outcome: values.outcome } : {}),
      ...(values.paidAt ? { paid_at: eb.fn.coalesce("paid_at", eb.fn<Date>("now", [])) } : {}),
      ...(values.refundedAt ? { refunded_at: eb.fn<Date>("now", []) } : {}),
    }))
    .where("id", "=", id)
    .execute();
}

export async function listPayments(tx: Tx, userId: string, limit: number) {
  return tx
    .selectFrom("payments")
    .select(COLUMNS)
    .where("user_id", "=", userId)
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .limit(limit)
    .execute();
}

/** Stores a verified event once; false when its id was already received (a replay or a re-delivery). */
export async function insertEvent(tx: Tx, e: { id: string; type: string; payload: unknown; paymentId: string | null }) {
  const row = await tx
    .insertInto("payment_events")
    .values({ id: e.id, type: e.type, payload: JSON.stringify(e.payload), payment_id: e.paymentId })
    .onConflict((oc) => oc.column("id").doNothing())
    .returning("id")
    .executeTakeFirst();
  return Boolean(row);
}

export async function lockEvent(
  tx: Tx,
  id: string,
): Promise<{ id: string; type: string; payload: unknown; processed_at: Date | null } | undefined> {
  return tx
    .selectFrom("payment_events")
    .select(["id", "type", "payload", "processed_at"])
    .where("id", "=", id)
    .forUpdate()
    .executeTakeFirst();
}

/**
 * Whether a full refund of this payment intent has been received (processed or not). Stripe does not
 * order its events, and a refund's charge may not name our payment (its metadata is Stripe's to fill),
 * so a refund seen before the payment's completion is only found again by its payment intent.
 */
export async function fullRefundReceived(tx: Tx, paymentIntent: string): Promise<boolean> {
  const row = await tx
    .selectFrom("payment_events")
    .select("id")
    .where("type", "=", "charge.refunded")
    .where(sql<string>`payload #>> '{data,object,payment_intent}'`, "=", paymentIntent)
    .where(sql<string>`payload #>> '{data,object,refunded}'`, "=", "true")
    .limit(1)
    .executeTakeFirst();
  return Boolean(row);
}

export async function staleUnprocessedEvents(tx: Tx, limit: number): Promise<string[]> {
  const rows = await tx
    .selectFrom("payment_events")
    .select("id")
    .where("processed_at", "is", null)
    .where("received_at", "<", sql<Date>`now() - interval '10 minutes'`)
    .where("received_at", ">", sql<Date>`now() - interval '3 days'`)
    .orderBy("received_at")
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}

export async function finishEvent(tx: Tx, id: string, paymentId: string | null, result: string) {
  await tx
    .updateTable("payment_events")
    .set((eb) => ({ processed_at: eb.fn<Date>("now", []), result, payment_id: paymentId }))
    .where("id", "=", id)
    .execute();
}

type Row = Awaited<ReturnType<typeof findPayment>> & {};

export function toView(r: Row): PaymentView {
  return {
    id: r.id,
    kind: r.kind as PaymentKind,
    referenceId: r.reference_id,
    description: r.description,
    amountCents: r.amount_cents,
    currency: r.currency,
    credits: r.credits,
    status: r.status as PaymentStatus,
    outcome: r.outcome,
    createdAt: r.created_at,
    paidAt: r.paid_at,
    refundedAt: r.refunded_at,
  };
}

export type PaymentRow = Row;
