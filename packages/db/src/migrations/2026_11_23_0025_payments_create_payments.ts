import { type Kysely, sql } from "kysely";
import { enableRls, touchUpdatedAt } from "./helpers.ts";

/**
 * Payments through Stripe Checkout. `payments` is one row per checkout a user started (a credit pack
 * now, a book order or a subscription later): what was sold, for how much, and where it stands.
 * `payment_events` keeps every Stripe webhook event we accepted, keyed by Stripe's event id, so a
 * replayed or re-delivered event is recognised and fulfilled at most once.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE payments (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      kind text NOT NULL CHECK (kind IN ('credit_pack', 'book_order', 'subscription')),
      -- What the kind sells: a pack id, an order id. Text, because each kind names its own things.
      reference_id text NOT NULL CHECK (length(reference_id) BETWEEN 1 AND 200),
      description text NOT NULL CHECK (length(description) BETWEEN 1 AND 200),
      amount_cents integer NOT NULL CHECK (amount_cents > 0),
      currency text NOT NULL CHECK (currency ~ '^[a-z]{3}$'),
      -- Credits a credit pack adds (fixed at checkout, so a later price change cannot alter a sale).
      credits integer CHECK (credits > 0),
      status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'paid', 'expired', 'refunded')),
      stripe_session_id text UNIQUE,
      stripe_payment_intent text UNIQUE,
      checkout_url text CHECK (length(checkout_url) <= 2000),
      -- What fulfilment did (e.g. "Added 5,000 credits"; on refund, what was taken back).
      outcome text CHECK (length(outcome) <= 500),
      paid_at timestamptz,
      refunded_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK ((kind = 'credit_pack') = (credits IS NOT NULL)),
      -- A refund may arrive before the payment's own event (webhooks are not ordered): refunded needs no paid_at.
      CHECK (status <> 'paid' OR paid_at IS NOT NULL),
      CHECK ((status = 'refunded') = (refunded_at IS NOT NULL))
    )`.execute(db);
  await sql`CREATE INDEX payments_user_time_idx ON payments (user_id, created_at DESC, id DESC)`.execute(db);
  await touchUpdatedAt(db, "payments");
  // A user starts their own checkout (a pending row, nothing else) and reads their own payments; every
  // change after that comes from Stripe, through the webhook, as the system.
  await enableRls(db, "payments", {
    user: { select: "user_id" },
    userExpr: { insert: "user_id = (SELECT app.current_user_id()) AND status = 'pending'" },
    system: ["SELECT", "UPDATE"],
  });

  await sql`
    CREATE TABLE payment_events (
      id text PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 255),
      type text NOT NULL CHECK (length(type) <= 100),
      payload jsonb NOT NULL,
      payment_id uuid REFERENCES payments(id) ON DELETE CASCADE,
      received_at timestamptz NOT NULL DEFAULT now(),
      processed_at timestamptz,
      -- What processing concluded ("fulfilled", "already paid", "ignored: …"), for support.
      result text CHECK (length(result) <= 500)
    )`.execute(db);
  await sql`CREATE INDEX payment_events_payment_idx ON payment_events (payment_id)`.execute(db);
  await enableRls(db, "payment_events", { system: ["SELECT", "INSERT", "UPDATE"] });
}
