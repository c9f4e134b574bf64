import { type Kysely, sql } from "kysely";
import { enableRls, touchUpdatedAt } from "./helpers.ts";

/**
 * Credits, as the best billing systems model them: credits arrive as grants (sign-up, monthly per
 * tier, purchases, admin bonuses, refunds), each with what is left of it and an optional expiry; every
 * change is an append-only ledger entry; long jobs reserve credits with a hold that is later captured
 * (for what was used) or released. `credit_accounts` caches the balance (sum of grants' remaining) and
 * the amount on hold, so a charge locks one row; CHECK constraints make a negative balance impossible
 * whatever the code does, and the reconciliation job proves balance == ledger sum.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE credit_accounts (
      user_id uuid PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
      balance integer NOT NULL DEFAULT 0 CHECK (balance >= 0),
      held integer NOT NULL DEFAULT 0 CHECK (held >= 0),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK (held <= balance)
    )`.execute(db);
  await touchUpdatedAt(db, "credit_accounts");
  // Accounts are opened and granted to by the system; a user's own transaction may only move its
  // balance and hold (charges, holds, captures), which the ledger and reconciliation account for.
  await enableRls(db, "credit_accounts", {
    user: { select: "user_id", update: "user_id" },
    userColumnUpdates: ["balance", "held"],
    system: ["SELECT", "INSERT", "UPDATE"],
  });

  await sql`
    CREATE TABLE credit_grants (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      source text NOT NULL CHECK (source IN ('signup', 'monthly', 'purchase', 'bonus', 'refund')),
      amount integer NOT NULL CHECK (amount > 0),
      remaining integer NOT NULL CHECK (remaining >= 0 AND remaining <= amount),
      paid boolean NOT NULL DEFAULT false,
      expires_at timestamptz,
      idempotency_key text NOT NULL CHECK (length(idempotency_key) BETWEEN 1 AND 200),
      note text CHECK (length(note) <= 500),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (user_id, idempotency_key)
    )`.execute(db);
  await sql`CREATE INDEX credit_grants_spend_order_idx ON credit_grants (user_id, paid, expires_at, created_at) WHERE remaining > 0`.execute(
    db,
  );
  await sql`CREATE INDEX credit_grants_expiry_idx ON credit_grants (expires_at) WHERE remaining > 0 AND expires_at IS NOT NULL`.execute(
    db,
  );
  await touchUpdatedAt(db, "credit_grants");
  await enableRls(db, "credit_grants", {
    user: { select: "user_id", update: "user_id" },
    // Only what is left may change; amount, source and expiry are fixed once granted.
    userColumnUpdates: ["remaining"],
    system: ["SELECT", "INSERT", "UPDATE"],
  });

  await sql`
    CREATE TABLE credit_holds (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      operation text NOT NULL CHECK (length(operation) <= 64),
      amount integer NOT NULL CHECK (amount > 0),
      captured integer CHECK (captured >= 0 AND captured <= amount),
      status text NOT NULL DEFAULT 'held' CHECK (status IN ('held', 'captured', 'released')),
      idempotency_key text NOT NULL CHECK (length(idempotency_key) BETWEEN 1 AND 200),
      request_hash text NOT NULL,
      expires_at timestamptz NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (user_id, idempotency_key),
      CHECK ((status = 'captured') = (captured IS NOT NULL))
    )`.execute(db);
  await sql`CREATE INDEX credit_holds_open_idx ON credit_holds (expires_at) WHERE status = 'held'`.execute(db);
  await touchUpdatedAt(db, "credit_holds");
  await enableRls(db, "credit_holds", {
    user: { select: "user_id", insert: "user_id", update: "user_id" },
    userColumnUpdates: ["status", "captured"],
    system: ["SELECT", "INSERT", "UPDATE"],
  });

  // Append-only: no role gets UPDATE or DELETE (rows go only with their user, by cascade).
  await sql`
    CREATE TABLE credit_ledger (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      entry_type text NOT NULL CHECK (entry_type IN ('grant', 'charge', 'hold', 'capture', 'release', 'refund', 'expire')),
      amount integer NOT NULL,
      held_delta integer NOT NULL DEFAULT 0,
      balance_after integer NOT NULL CHECK (balance_after >= 0),
      held_after integer NOT NULL CHECK (held_after >= 0),
      operation text CHECK (length(operation) <= 64),
      idempotency_key text CHECK (length(idempotency_key) <= 200),
      request_hash text,
      grant_id uuid REFERENCES credit_grants(id) ON DELETE CASCADE,
      hold_id uuid REFERENCES credit_holds(id) ON DELETE CASCADE,
      refund_of uuid REFERENCES credit_ledger(id) ON DELETE CASCADE,
      note text CHECK (length(note) <= 500),
      created_at timestamptz NOT NULL DEFAULT now(),
      CHECK (entry_type <> 'charge' OR (amount < 0 AND idempotency_key IS NOT NULL)),
      CHECK (entry_type <> 'refund' OR (amount > 0 AND refund_of IS NOT NULL))
    )`.execute(db);
  // A retried request charges once; a hold is captured once and released once; an entry is refunded once.
  await sql`CREATE UNIQUE INDEX credit_ledger_charge_key ON credit_ledger (user_id, idempotency_key) WHERE entry_type = 'charge'`.execute(
    db,
  );
  await sql`CREATE UNIQUE INDEX credit_ledger_one_capture ON credit_ledger (hold_id) WHERE entry_type = 'capture'`.execute(db);
  await sql`CREATE UNIQUE INDEX credit_ledger_one_release ON credit_ledger (hold_id) WHERE entry_type = 'release'`.execute(db);
  await sql`CREATE UNIQUE INDEX credit_ledger_one_refund ON credit_ledger (refund_of) WHERE entry_type = 'refund'`.execute(db);
  await sql`CREATE INDEX credit_ledger_user_time_idx ON credit_ledger (user_id, created_at DESC, id DESC)`.execute(db);
  await enableRls(db, "credit_ledger", {
    user: { select: "user_id", insert: "user_id" },
    system: ["SELECT", "INSERT"],
  });

  // In-app notifications (credits running low now; study/stories/publishing events later).
  await sql`
    CREATE TABLE notifications (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      kind text NOT NULL CHECK (length(kind) <= 64),
      title text NOT NULL CHECK (length(title) <= 200),
      body text NOT NULL CHECK (length(body) <= 2000),
      dedupe_key text CHECK (length(dedupe_key) <= 200),
      read_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (user_id, dedupe_key)
    )`.execute(db);
  await sql`CREATE INDEX notifications_user_time_idx ON notifications (user_id, created_at DESC)`.execute(db);
  await touchUpdatedAt(db, "notifications");
  await enableRls(db, "notifications", {
    user: { select: "user_id", insert: "user_id", update: "user_id", delete: "user_id" },
    userColumnUpdates: ["read_at"],
    system: ["SELECT", "INSERT"],
  });
}
