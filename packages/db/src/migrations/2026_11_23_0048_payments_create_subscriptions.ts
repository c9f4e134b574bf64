import { type Kysely, sql } from "kysely";
import { enableRls, touchUpdatedAt } from "./helpers.ts";

/**
 * Subscriptions sold through Stripe Billing (issue 13). `subscriptions` is one row per Stripe
 * subscription (a user who cancels and subscribes again gets a second row; at most one is live), kept
 * from the webhook events; `subscription_invoices` is each invoice Stripe reported for them, paid or
 * failed (the billing page's history, and what tells a late failure from a later payment of the same
 * invoice). Events themselves stay in `payment_events` (one per Stripe event id, as for packs).
 * Every change is the system's (the webhook job, the sweep); a user reads their own rows.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE subscriptions (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      stripe_subscription_id text NOT NULL UNIQUE CHECK (length(stripe_subscription_id) BETWEEN 1 AND 255),
      stripe_customer_id text CHECK (length(stripe_customer_id) <= 255),
      stripe_item_id text CHECK (length(stripe_item_id) <= 255),
      tier text NOT NULL CHECK (tier IN ('basic', 'pro', 'enterprise')),
      -- Stripe's statuses we act on; anything else Stripe says is kept as 'incomplete'.
      status text NOT NULL CHECK (status IN ('incomplete', 'active', 'past_due', 'canceled')),
      cancel_at_period_end boolean NOT NULL DEFAULT false,
      current_period_start timestamptz,
      current_period_end timestamptz,
      -- Set while a renewal is unpaid: the paid tier is kept until then, free after.
      grace_until timestamptz,
      -- Which tier's monthly credits this period has been granted (an upgrade tops up the difference).
      credits_period_start timestamptz,
      credits_tier text CHECK (credits_tier IN ('basic', 'pro', 'enterprise')),
      -- The newest subscription snapshot applied (Stripe's event time), so an older one arriving late changes nothing.
      snapshot_at timestamptz,
      ended_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK ((status = 'canceled') = (ended_at IS NOT NULL)),
      CHECK (status = 'past_due' OR grace_until IS NULL)
    )`.execute(db);
  // One live subscription per user (a second checkout while one runs is refused in code; this is the guard).
  await sql`CREATE UNIQUE INDEX subscriptions_one_live_idx ON subscriptions (user_id) WHERE status <> 'canceled'`.execute(db);
  await sql`CREATE INDEX subscriptions_user_time_idx ON subscriptions (user_id, created_at DESC)`.execute(db);
  await sql`CREATE INDEX subscriptions_grace_idx ON subscriptions (grace_until) WHERE status = 'past_due'`.execute(db);
  await touchUpdatedAt(db, "subscriptions");
  await enableRls(db, "subscriptions", { user: { select: "user_id" }, system: ["SELECT", "INSERT", "UPDATE"] });

  await sql`
    CREATE TABLE subscription_invoices (
      id text PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 255),
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      subscription_id uuid NOT NULL REFERENCES subscriptions(id) ON DELETE CASCADE,
      tier text NOT NULL CHECK (tier IN ('basic', 'pro', 'enterprise')),
      -- subscription_create, subscription_cycle, subscription_update (a proration), …
      billing_reason text NOT NULL CHECK (length(billing_reason) <= 50),
      amount_cents integer NOT NULL CHECK (amount_cents >= 0),
      currency text NOT NULL CHECK (currency ~ '^[a-z]{3}$'),
      status text NOT NULL CHECK (status IN ('paid', 'failed')),
      period_start timestamptz NOT NULL,
      period_end timestamptz NOT NULL,
      hosted_url text CHECK (length(hosted_url) <= 2000),
      -- What it did ("Added 20,000 credits", "Payment failed; Pro kept until …").
      outcome text CHECK (length(outcome) <= 500),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX subscription_invoices_user_time_idx ON subscription_invoices (user_id, period_start DESC)`.execute(db);
  await sql`CREATE INDEX subscription_invoices_subscription_idx ON subscription_invoices (subscription_id)`.execute(db);
  await touchUpdatedAt(db, "subscription_invoices");
  await enableRls(db, "subscription_invoices", { user: { select: "user_id" }, system: ["SELECT", "INSERT", "UPDATE"] });
}
