/** The SQL of subscriptions (payments module): `subscriptions` and `subscription_invoices`. */
import type { Tx } from "@inkwell/db";
import { sql } from "kysely";
import type { PaidTier, SubscriptionInvoiceView, SubscriptionStatus, SubscriptionView } from "./payments.schemas.ts";

const COLUMNS = [
  "id",
  "user_id",
  "stripe_subscription_id",
  "stripe_customer_id",
  "stripe_item_id",
  "tier",
  "status",
  "cancel_at_period_end",
  "current_period_start",
  "current_period_end",
  "grace_until",
  "credits_period_start",
  "credits_tier",
  "snapshot_at",
  "ended_at",
  "created_at",
] as const;

/**
 * Serialises the events that may create a user's subscription row (a transaction lock): Stripe sends a new
 * subscription's `customer.subscription.created` and first `invoice.paid` together, and two jobs applying
 * them at once would each find no row, so the second either collided on the insert or, when the first
 * committed between its two reads, took the row for "a second live subscription" and dropped the invoice.
 */
export async function lockUserSubscriptions(tx: Tx, userId: string) {
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`subscriptions:user:${userId}`}, 0))`.execute(tx);
}

export async function lockByStripeId(tx: Tx, stripeId: string) {
  return tx
    .selectFrom("subscriptions")
    .select(COLUMNS)
    .where("stripe_subscription_id", "=", stripeId)
    .forUpdate()
    .executeTakeFirst();
}

/** The user's live (not canceled) subscription, if any. */
export async function findLive(tx: Tx, userId: string, options: { lock?: boolean } = {}) {
  let q = tx.selectFrom("subscriptions").select(COLUMNS).where("user_id", "=", userId).where("status", "<>", "canceled");
  if (options.lock) q = q.forUpdate();
  return q.executeTakeFirst();
}

/**
 * Whether the user paid a subscription checkout in the last hour whose subscription has not arrived yet
 * (Stripe's `customer.subscription.created` comes on its own): another checkout now would be a second one.
 */
export async function paidCheckoutAwaitingSubscription(tx: Tx, userId: string): Promise<boolean> {
  const row = await tx
    .selectFrom("payments as p")
    .select("p.id")
    .where("p.user_id", "=", userId)
    .where("p.kind", "=", "subscription")
    .where("p.status", "=", "paid")
    .where("p.paid_at", ">", sql<Date>`now() - interval '1 hour'`)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom("subscriptions as s")
            .select("s.id")
            .whereRef("s.user_id", "=", "p.user_id")
            .whereRef("s.created_at", ">=", "p.created_at"),
        ),
      ),
    )
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** The newest subscription of the user (live or ended), for the billing page. */
export async function findLatest(tx: Tx, userId: string) {
  return tx
    .selectFrom("subscriptions")
    .select(COLUMNS)
    .where("user_id", "=", userId)
    .orderBy(sql`status = 'canceled'`)
    .orderBy("created_at", "desc")
    .limit(1)
    .executeTakeFirst();
}

export async function insert(
  tx: Tx,
  v: {
    userId: string;
    stripeId: string;
    customer: string | null;
    item: string | null;
    tier: PaidTier;
    status: SubscriptionStatus;
  },
) {
  return tx
    .insertInto("subscriptions")
    .values({
      user_id: v.userId,
      stripe_subscription_id: v.stripeId,
      stripe_customer_id: v.customer,
      stripe_item_id: v.item,
      tier: v.tier,
      status: v.status,
      ended_at: v.status === "canceled" ? sql<Date>`now()` : null,
    })
    .returning(COLUMNS)
    .executeTakeFirstOrThrow();
}

export type SubscriptionRow = Awaited<ReturnType<typeof insert>>;
export type SubscriptionPatch = Partial<
  Pick<
    SubscriptionRow,
    | "stripe_customer_id"
    | "stripe_item_id"
    | "tier"
    | "status"
    | "cancel_at_period_end"
    | "current_period_start"
    | "current_period_end"
    | "grace_until"
    | "credits_period_start"
    | "credits_tier"
    | "snapshot_at"
    | "ended_at"
  >
>;

export async function update(tx: Tx, id: string, patch: SubscriptionPatch) {
  if (Object.keys(patch).length === 0) return;
  await tx.updateTable("subscriptions").set(patch).where("id", "=", id).execute();
}

/** Past-due subscriptions whose grace period ended before `now` (the sweep drops their tier to free). */
export async function lapsedGrace(tx: Tx, now: Date, limit: number, after: { graceUntil: Date; id: string } | null = null) {
  let q = tx
    .selectFrom("subscriptions")
    .select(COLUMNS)
    .where("status", "=", "past_due")
    .where("grace_until", "<", now)
    .orderBy("grace_until")
    .orderBy("id")
    .limit(limit);
  // Keyset paging: the page after (grace_until, id).
  if (after) q = q.where(sql<boolean>`(grace_until, id) > (${after.graceUntil}, ${after.id}::uuid)`);
  return q.execute();
}

export async function findInvoice(tx: Tx, id: string) {
  return tx.selectFrom("subscription_invoices").select(["id", "status"]).where("id", "=", id).forUpdate().executeTakeFirst();
}

export async function upsertInvoice(
  tx: Tx,
  v: {
    id: string;
    userId: string;
    subscriptionId: string;
    tier: PaidTier;
    billingReason: string;
    amountCents: number;
    currency: string;
    status: "paid" | "failed";
    periodStart: Date;
    periodEnd: Date;
    hostedUrl: string | null;
    outcome: string | null;
  },
) {
  await tx
    .insertInto("subscription_invoices")
    .values({
      id: v.id,
      user_id: v.userId,
      subscription_id: v.subscriptionId,
      tier: v.tier,
      billing_reason: v.billingReason,
      amount_cents: v.amountCents,
      currency: v.currency,
      status: v.status,
      period_start: v.periodStart,
      period_end: v.periodEnd,
      hosted_url: v.hostedUrl,
      outcome: v.outcome,
    })
    .onConflict((oc) =>
      oc.column("id").doUpdateSet({ status: v.status, outcome: v.outcome, amount_cents: v.amountCents, hosted_url: v.hostedUrl }),
    )
    .execute();
}

export async function listInvoices(tx: Tx, userId: string, limit: number) {
  return tx
    .selectFrom("subscription_invoices")
    .selectAll()
    .where("user_id", "=", userId)
    .orderBy("created_at", "desc")
    .orderBy("period_start", "desc")
    .limit(limit)
    .execute();
}

export function toView(r: SubscriptionRow): SubscriptionView {
  return {
    id: r.id,
    tier: r.tier as PaidTier,
    status: r.status as SubscriptionStatus,
    cancelAtPeriodEnd: r.cancel_at_period_end,
    currentPeriodStart: r.current_period_start,
    currentPeriodEnd: r.current_period_end,
    graceUntil: r.grace_until,
    createdAt: r.created_at,
    endedAt: r.ended_at,
  };
}

export function invoiceView(r: Awaited<ReturnType<typeof listInvoices>>[number]): SubscriptionInvoiceView {
  return {
    id: r.id,
    tier: r.tier as PaidTier,
    billingReason: r.billing_reason,
    amountCents: r.amount_cents,
    currency: r.currency,
    status: r.status as "paid" | "failed",
    periodStart: r.period_start,
    periodEnd: r.period_end,
    hostedUrl: r.hosted_url,
    outcome: r.outcome,
  };
}
