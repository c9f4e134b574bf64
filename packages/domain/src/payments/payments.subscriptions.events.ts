/**
 * Subscriptions, Stripe's side: the events that keep a subscription (and identity's plan) up to date.
 *
 * - **Events** (`applySubscriptionEvent`, inside the payments fulfilment job's transaction, so each
 *   event id is applied once): `customer.subscription.created/updated/deleted` carry the whole
 *   subscription — applied unless older than the state already applied (Stripe does not order its
 *   events), and `canceled` is final; `invoice.paid` grants the tier's monthly credits for the
 *   invoice's service period (credits key `subscription:<id>:<period start>`, so a replay, a second
 *   event or the period's paid retry grants once), or for a proration (an upgrade) the difference
 *   between the new tier's credits and those already granted this period; `invoice.payment_failed`
 *   starts the grace period (the paid tier is kept for `GRACE_DAYS`), unless that invoice is already paid.
 * - **The plan** stays identity's (`users.subscription_tier`, `subscription_expires_at`): after every
 *   change it is set from the subscription — the paid tier until the period's end (the grace period's
 *   while past due), free once canceled or when the grace period runs out (the hourly sweep, `endLapsedGrace`).
 *
 * The user's side (subscribe, change plan, cancel) is `payments.subscriptions.service.ts`; it applies
 * Stripe's answers to its own updates through `applySnapshot` here.
 */
import { asSystem, type Tx } from "@inkwell/db";
import { z } from "zod";
import { credits } from "../credits/index.ts";
import { identity } from "../identity/index.ts";
import type { Logger } from "../platform/queue.ts";
import { GRACE_DAYS, PAID_TIERS, type PaidTier, SUBSCRIPTION_PLANS, type SubscriptionStatus } from "./payments.schemas.ts";
import * as repo from "./payments.subscriptions.repository.ts";

const DAY_MS = 24 * 3600 * 1000;
export const planOf = (tier: PaidTier) => SUBSCRIPTION_PLANS.find((p) => p.tier === tier) as (typeof SUBSCRIPTION_PLANS)[number];
const n = (value: number) => value.toLocaleString("en-US");
const isTier = (v: unknown): v is PaidTier => typeof v === "string" && (PAID_TIERS as readonly string[]).includes(v);
export const lookupKey = (tier: PaidTier) => `inkwell_${tier}_monthly`;
const tierOfLookupKey = (key: string | null | undefined) => {
  const m = key ? /^inkwell_(\w+)_monthly$/.exec(key) : null;
  return isTier(m?.[1]) ? m[1] : undefined;
};
const seconds = (d: Date) => Math.floor(d.getTime() / 1000);
const fromSeconds = (s: number) => new Date(s * 1000);
const day = (d: Date) => d.toISOString().slice(0, 10);

// ---------------------------------------------------------------------------------------------------
// Stripe's objects, as far as we read them (the payload is our stored copy of a verified event).

const metadata = z.record(z.string(), z.string()).nullish();
const ref = z.union([z.string(), z.object({ id: z.string() })]);
const idOf = (v: z.infer<typeof ref> | null | undefined) => (typeof v === "string" ? v : (v?.id ?? null));
const uuid = z.uuid();

export const subscriptionSchema = z.object({
  id: z.string().min(1).max(255),
  object: z.literal("subscription"),
  customer: ref.nullish(),
  status: z.string(),
  cancel_at_period_end: z.boolean(),
  metadata,
  items: z.object({
    data: z
      .array(
        z.object({
          id: z.string(),
          price: z.object({ id: z.string(), lookup_key: z.string().nullish(), metadata }),
          current_period_start: z.number(),
          current_period_end: z.number(),
        }),
      )
      .min(1),
  }),
});
type StripeSubscription = z.infer<typeof subscriptionSchema>;

const invoiceSchema = z.object({
  id: z.string().min(1).max(255),
  object: z.literal("invoice"),
  customer: ref.nullish(),
  billing_reason: z.string().nullish(),
  amount_due: z.number(),
  amount_paid: z.number(),
  currency: z.string().regex(/^[a-z]{3}$/),
  hosted_invoice_url: z.string().max(2000).nullish(),
  parent: z.object({ subscription_details: z.object({ subscription: ref, metadata }).nullish() }).nullish(),
  lines: z.object({
    data: z
      .array(
        z.object({
          period: z.object({ start: z.number(), end: z.number() }),
          parent: z.object({ subscription_item_details: z.object({ proration: z.boolean() }).nullish() }).nullish(),
        }),
      )
      .min(1),
  }),
});
type StripeInvoice = z.infer<typeof invoiceSchema>;

function mapStatus(status: string): SubscriptionStatus {
  if (status === "active" || status === "trialing") return "active";
  if (status === "past_due" || status === "unpaid") return "past_due";
  if (status === "canceled" || status === "incomplete_expired") return "canceled";
  return "incomplete";
}

function tierOfSubscription(sub: StripeSubscription): PaidTier | undefined {
  const price = sub.items.data[0]?.price;
  const fromPrice = tierOfLookupKey(price?.lookup_key) ?? price?.metadata?.tier;
  if (isTier(fromPrice)) return fromPrice;
  return isTier(sub.metadata?.tier) ? sub.metadata.tier : undefined;
}

// ---------------------------------------------------------------------------------------------------
// The plan identity keeps.

/** Sets the user's plan from their subscription (see the file's comment). */
async function syncPlan(tx: Tx, row: repo.SubscriptionRow, now = new Date()) {
  if (row.status === "incomplete") return;
  if (row.status === "active") {
    const end = row.current_period_end ?? new Date(now.getTime() + 31 * DAY_MS);
    return identity.setPlan(tx, row.user_id, row.tier as PaidTier, end);
  }
  if (row.status === "past_due" && row.grace_until && row.grace_until > now)
    return identity.setPlan(tx, row.user_id, row.tier as PaidTier, row.grace_until);
  // Canceled, or past due beyond the grace period: free — unless another subscription of theirs is live.
  const live = await repo.findLive(tx, row.user_id);
  if (live && live.id !== row.id && live.status !== "incomplete") return;
  await identity.setPlan(tx, row.user_id, "free", null);
}

async function save(tx: Tx, row: repo.SubscriptionRow, patch: repo.SubscriptionPatch, now = new Date()) {
  await repo.update(tx, row.id, patch);
  const next = { ...row, ...patch };
  await syncPlan(tx, next, now);
  return next;
}

/**
 * The row for a Stripe subscription, created from the first event that names it (a subscription
 * event, or an invoice that arrived first) with the user and tier from the metadata we set at checkout.
 */
async function rowFor(
  tx: Tx,
  stripeId: string,
  from: {
    metadata?: Record<string, string> | null;
    tier?: PaidTier;
    customer: string | null;
    item: string | null;
    status: SubscriptionStatus;
  },
  log?: Logger,
): Promise<repo.SubscriptionRow | { ignored: string }> {
  const userId = from.metadata?.user_id;
  // Taken before the look-up, so a row another event of this user is inserting right now is found here.
  if (uuid.safeParse(userId).success) await repo.lockUserSubscriptions(tx, userId as string);
  const existing = await repo.lockByStripeId(tx, stripeId);
  if (existing) return existing;
  const tier = from.tier ?? from.metadata?.tier;
  if (!uuid.safeParse(userId).success || !isTier(tier)) return { ignored: "ignored: not one of our subscriptions" };
  const live = await repo.findLive(tx, userId as string, { lock: true });
  if (live) {
    // A second live subscription (two checkouts raced): kept out; Stripe's dashboard shows it for a refund.
    log?.error({ userId, stripeId, live: live.stripe_subscription_id }, "stripe: a second live subscription; not applied");
    return { ignored: "ignored: the user already has a live subscription" };
  }
  return repo.insert(tx, {
    userId: userId as string,
    stripeId,
    customer: from.customer,
    item: from.item,
    tier,
    status: from.status,
  });
}

// ---------------------------------------------------------------------------------------------------
// Events.

export interface Applied {
  result: string;
  paymentId: string | null;
}

export const SUBSCRIPTION_EVENTS = [
  "customer.subscription.created",
  "customer.subscription.updated",
  "customer.subscription.deleted",
  "invoice.paid",
  "invoice.payment_failed",
] as const;

/** Applies one subscription event in the fulfilment job's transaction; null when `type` is not one of them. */
export async function applySubscriptionEvent(
  tx: Tx,
  event: { type: string; created?: number; data: { object: unknown } },
  log?: Logger,
): Promise<Applied | null> {
  const at = fromSeconds(event.created ?? Math.floor(Date.now() / 1000));
  switch (event.type) {
    case "customer.subscription.created":
    case "customer.subscription.updated":
    case "customer.subscription.deleted": {
      const result = await applySnapshot(tx, subscriptionSchema.parse(event.data.object), {
        at,
        deleted: event.type === "customer.subscription.deleted",
        log,
      });
      return { result, paymentId: null };
    }
    case "invoice.paid":
      return { result: await invoicePaid(tx, invoiceSchema.parse(event.data.object), log), paymentId: null };
    case "invoice.payment_failed":
      return { result: await invoiceFailed(tx, invoiceSchema.parse(event.data.object), log), paymentId: null };
    default:
      return null;
  }
}

/**
 * A subscription's whole state, from an event (`at` = the event's time) or from Stripe's answer to our
 * own update (`at` = "now": the freshest state there is).
 */
export async function applySnapshot(
  tx: Tx,
  sub: StripeSubscription,
  options: { at: Date | "now"; deleted?: boolean; log?: Logger },
): Promise<string> {
  const item = sub.items.data[0] as StripeSubscription["items"]["data"][number];
  const status = options.deleted ? "canceled" : mapStatus(sub.status);
  const tier = tierOfSubscription(sub);
  const found = await rowFor(
    tx,
    sub.id,
    { metadata: sub.metadata, tier, customer: idOf(sub.customer), item: item.id, status },
    options.log,
  );
  if ("ignored" in found) return found.ignored;
  const row = found;
  if (row.status === "canceled") return "ignored: the subscription has ended";
  const at = options.at === "now" ? new Date(Math.max(Date.now(), row.snapshot_at?.getTime() ?? 0)) : options.at;
  if (!options.deleted && row.snapshot_at && at < row.snapshot_at) return "ignored: older than the state applied";
  const start = fromSeconds(item.current_period_start);
  const end = fromSeconds(item.current_period_end);
  const newer = !row.current_period_end || end >= row.current_period_end;
  const now = new Date();
  await save(tx, row, {
    tier: tier ?? row.tier,
    status,
    cancel_at_period_end: sub.cancel_at_period_end,
    stripe_item_id: item.id,
    stripe_customer_id: idOf(sub.customer) ?? row.stripe_customer_id,
    ...(newer ? { current_period_start: start, current_period_end: end } : {}),
    grace_until: status === "past_due" ? (row.grace_until ?? new Date(now.getTime() + GRACE_DAYS * DAY_MS)) : null,
    ended_at: status === "canceled" ? now : null,
    snapshot_at: at,
  });
  if (status === "canceled") return "ended: the account is free";
  return `applied: ${status}${sub.cancel_at_period_end ? ", ends at period end" : ""}`;
}

function invoiceParts(inv: StripeInvoice) {
  const details = inv.parent?.subscription_details;
  const stripeId = idOf(details?.subscription);
  const lines = inv.lines.data;
  const proration = inv.billing_reason === "subscription_update";
  // The service period: a renewal's own period is the one that ended; its line carries the new one.
  const line = (
    proration ? lines[0] : (lines.find((l) => !l.parent?.subscription_item_details?.proration) ?? lines[0])
  ) as (typeof lines)[number];
  return {
    stripeId,
    metadata: details?.metadata ?? null,
    tier: isTier(details?.metadata?.tier) ? details.metadata.tier : undefined,
    proration,
    start: fromSeconds(line.period.start),
    end: fromSeconds(line.period.end),
  };
}

async function invoicePaid(tx: Tx, inv: StripeInvoice, log?: Logger): Promise<string> {
  const p = invoiceParts(inv);
  if (!p.stripeId) return "ignored: not a subscription invoice";
  const found = await rowFor(
    tx,
    p.stripeId,
    { metadata: p.metadata, tier: p.tier, customer: idOf(inv.customer), item: null, status: "active" },
    log,
  );
  if ("ignored" in found) return found.ignored;
  const row = found;
  const tier = p.tier ?? (row.tier as PaidTier);
  const patch: repo.SubscriptionPatch = {};
  let outcome: string;
  if (p.proration) {
    // An upgrade's prorated charge: top the period's credits up to the new tier's.
    // Prorated like the charge: the difference for the part of the period left (the proration line's
    // period runs from the change to the period's end). A whole month's difference for a charge of a few
    // minutes let a lower tier upgrade just before each renewal, take the credits and downgrade for free.
    const granted = isTier(row.credits_tier) ? planOf(row.credits_tier).monthlyCredits : null;
    const periodMs =
      row.current_period_start && row.current_period_end
        ? row.current_period_end.getTime() - row.current_period_start.getTime()
        : 0;
    const share = periodMs > 0 ? Math.min(1, Math.max(0, (p.end.getTime() - p.start.getTime()) / periodMs)) : 1;
    const extra = granted === null ? 0 : Math.round((planOf(tier).monthlyCredits - granted) * share);
    if (extra > 0 && row.credits_period_start) {
      await credits.grant(tx, row.user_id, {
        source: "monthly",
        amount: extra,
        idempotencyKey: `subscription:${p.stripeId}:${seconds(row.credits_period_start)}:${tier}`,
        expiresAt: row.current_period_end ?? p.end,
        note: `${planOf(tier).name} plan: upgrade, the rest of this month's credits`,
      });
      patch.credits_tier = tier;
      outcome = `Upgraded to ${planOf(tier).name}; added ${n(extra)} credits`;
    } else outcome = `Changed to ${planOf(tier).name}`;
  } else {
    const amount = planOf(tier).monthlyCredits;
    const r = await credits.grant(tx, row.user_id, {
      source: "monthly",
      amount,
      idempotencyKey: `subscription:${p.stripeId}:${seconds(p.start)}`,
      expiresAt: p.end,
      note: `${planOf(tier).name} plan: monthly credits (${day(p.start)} – ${day(p.end)})`,
    });
    outcome = r.granted ? `Added ${n(amount)} credits` : `Paid; the period's ${n(amount)} credits were already added`;
    if (!row.credits_period_start || p.start >= row.credits_period_start) {
      patch.credits_period_start = p.start;
      patch.credits_tier = tier;
    }
    if (!row.current_period_end || p.end >= row.current_period_end) {
      patch.current_period_start = p.start;
      patch.current_period_end = p.end;
    }
  }
  // The current period paid (a renewal, or a failed one paid on retry): the subscription is in good standing.
  const current = !row.current_period_start || p.start >= row.current_period_start || p.proration;
  if (row.status !== "canceled" && current && row.status !== "active") {
    patch.status = "active";
    patch.grace_until = null;
  }
  await repo.upsertInvoice(tx, {
    id: inv.id,
    userId: row.user_id,
    subscriptionId: row.id,
    tier,
    billingReason: inv.billing_reason ?? "subscription",
    amountCents: inv.amount_paid,
    currency: inv.currency,
    status: "paid",
    periodStart: p.start,
    periodEnd: p.end,
    hostedUrl: inv.hosted_invoice_url ?? null,
    outcome,
  });
  if (row.status === "canceled") return `recorded: ${outcome} (the subscription has ended)`;
  await save(tx, row, patch);
  return `paid: ${outcome}`;
}

async function invoiceFailed(tx: Tx, inv: StripeInvoice, log?: Logger): Promise<string> {
  const p = invoiceParts(inv);
  if (!p.stripeId) return "ignored: not a subscription invoice";
  // A subscription's first invoice failing: it was never paid, so there is no plan to keep through a grace
  // period (Stripe leaves such a subscription `incomplete`, then `incomplete_expired`). Only a renewal
  // of a paid subscription makes it past due.
  const first = inv.billing_reason === "subscription_create";
  const found = await rowFor(
    tx,
    p.stripeId,
    { metadata: p.metadata, tier: p.tier, customer: idOf(inv.customer), item: null, status: first ? "incomplete" : "past_due" },
    log,
  );
  if ("ignored" in found) return found.ignored;
  const row = found;
  const neverPaid = first || row.status === "incomplete";
  const known = await repo.findInvoice(tx, inv.id);
  // A failure reported after the same invoice was paid (events are not ordered) changes nothing.
  if (known?.status === "paid") return "ignored: the invoice is already paid";
  const tier = p.tier ?? (row.tier as PaidTier);
  const now = new Date();
  const graceUntil = row.grace_until ?? new Date(now.getTime() + GRACE_DAYS * DAY_MS);
  const current = !row.current_period_start || p.start >= row.current_period_start;
  const outcome =
    row.status === "canceled" || !current || neverPaid || p.proration
      ? "Payment failed"
      : `Payment failed; ${planOf(tier).name} is kept until ${day(graceUntil)}, then the account is free`;
  await repo.upsertInvoice(tx, {
    id: inv.id,
    userId: row.user_id,
    subscriptionId: row.id,
    tier,
    billingReason: inv.billing_reason ?? "subscription",
    amountCents: inv.amount_due,
    currency: inv.currency,
    status: "failed",
    periodStart: p.start,
    periodEnd: p.end,
    hostedUrl: inv.hosted_invoice_url ?? null,
    outcome,
  });
  if (row.status === "canceled") return "recorded: payment failed (the subscription has ended)";
  if (neverPaid) return "recorded: the first payment failed; no plan until it is paid";
  if (!current) return "recorded: payment failed for an earlier period";
  // A plan change's prorated charge failing says nothing about the paid period: refused upgrades
  // (error_if_incomplete) leave the subscription as it was, and otherwise Stripe's subscription event
  // carries the state. Only a renewal's failure starts the grace period.
  if (p.proration) return "recorded: the plan change's charge failed";
  await save(tx, row, {
    status: "past_due",
    grace_until: graceUntil,
    // Stripe moves the period on even when its invoice fails.
    ...(!row.current_period_end || p.end >= row.current_period_end
      ? { current_period_start: p.start, current_period_end: p.end }
      : {}),
  });
  return `past due: grace until ${graceUntil.toISOString()}`;
}

/**
 * Hourly: past-due subscriptions whose grace period has run out make their accounts free (Stripe may
 * still retry; a later payment restores the tier). Returns how many accounts changed.
 */
export async function endLapsedGrace(db: Parameters<typeof asSystem>[0], now = new Date()): Promise<number> {
  // Lapsed rows stay past due (Stripe may still retry, or leave them `unpaid`) after their accounts went
  // free, so the sweep pages through all of them: a first page of old, already-free rows must not hide
  // one that lapsed since.
  return asSystem(db, async (tx) => {
    let changed = 0;
    let after: { graceUntil: Date; id: string } | null = null;
    for (;;) {
      const page = await repo.lapsedGrace(tx, now, 200, after);
      for (const row of page) {
        const plan = await identity.plan(tx, row.user_id);
        if (plan.tier === "free") continue;
        await syncPlan(tx, row, now);
        changed++;
      }
      const last = page.at(-1);
      if (page.length < 200 || !last?.grace_until) return changed;
      after = { graceUntil: last.grace_until, id: last.id };
    }
  });
}
