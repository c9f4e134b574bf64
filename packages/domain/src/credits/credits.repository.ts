/**
 * The only SQL of the credits module. Every mutation starts with `lockAccount` (or, in the one-call
 * functions app.charge_credits / hold_credits / capture_credits / release_credits, the same row lock),
 * which serialises all credit changes of one user on their account row; under that lock the grant,
 * hold and ledger reads and writes cannot race. The unique indexes and CHECKs in the migration back every rule again.
 */
import { callAsUser, type Database, newestFirst, type Tx } from "@inkwell/db";
import { sql } from "kysely";
import type { ActivityState, CreditActivity, HistoryInput, LEDGER_ENTRY_TYPES } from "./credits.schemas.ts";

export async function openAccount(tx: Tx, userId: string) {
  await tx
    .insertInto("credit_accounts")
    .values({ user_id: userId })
    .onConflict((oc) => oc.column("user_id").doNothing())
    .execute();
}

export async function account(tx: Tx, userId: string) {
  return tx.selectFrom("credit_accounts").select(["balance", "held"]).where("user_id", "=", userId).executeTakeFirst();
}

export async function lockAccount(tx: Tx, userId: string) {
  return tx
    .selectFrom("credit_accounts")
    .select(["balance", "held"])
    .where("user_id", "=", userId)
    .forUpdate()
    .executeTakeFirst();
}

export interface ChargeCall {
  userId: string;
  operation: string;
  amount: number;
  idempotencyKey: string;
  requestHash: string;
}

/** What app.charge_credits (migration 0035) answers: an outcome row, never an error for a refusal. */
export interface ChargeRow {
  outcome: "charged" | "replayed" | "conflict" | "insufficient" | "no_account";
  ledger_id: string | null;
  charged: number;
  available: number;
}

/** The whole charge in one statement, inside the caller's transaction (migration 0035 has the rules). */
export async function chargeCredits(tx: Tx, c: ChargeCall): Promise<ChargeRow | undefined> {
  const result = await sql<ChargeRow>`
    SELECT * FROM app.charge_credits(${c.userId}::uuid, ${c.operation}, ${c.amount}::int, ${c.idempotencyKey}, ${c.requestHash})`.execute(
    tx,
  );
  return result.rows[0];
}

/**
 * Charges of one user as ONE transaction in one round trip (callAsUser): each is its own call, in
 * order, so each keeps its own checks, ledger entry and idempotency; all commit together, or none.
 */
export async function chargeCreditsAsUser(
  db: Database,
  userId: string,
  charges: ChargeCall[],
): Promise<(ChargeRow | undefined)[]> {
  const results = await callAsUser(
    db,
    userId,
    "app.charge_credits",
    charges.map((c) => [
      { uuid: c.userId },
      { text: c.operation },
      { int: c.amount },
      { text: c.idempotencyKey },
      { text: c.requestHash },
    ]),
  );
  return results.map((rows) => rows[0] as ChargeRow | undefined);
}

/**
 * The same charges of one user as ONE call of app.charge_credits_batch (migration 0071), in one round
 * trip: one outcome row per charge, in order, with the same rules as one call each; the account row and
 * each grant are written once for the batch instead of once per charge.
 */
export async function chargeCreditsBatchAsUser(
  db: Database,
  userId: string,
  charges: ChargeCall[],
): Promise<(ChargeRow | undefined)[]> {
  const [rows = []] = await callAsUser(db, userId, "app.charge_credits_batch", [
    [
      { uuid: userId },
      { texts: charges.map((c) => c.operation) },
      { ints: charges.map((c) => c.amount) },
      { texts: charges.map((c) => c.idempotencyKey) },
      { texts: charges.map((c) => c.requestHash) },
    ],
  ]);
  return charges.map((_, i) => rows[i] as ChargeRow | undefined);
}

export async function insertGrant(
  tx: Tx,
  values: {
    userId: string;
    source: string;
    amount: number;
    paid: boolean;
    expiresAt: Date | null;
    idempotencyKey: string;
    note: string | null;
  },
) {
  return tx
    .insertInto("credit_grants")
    .values({
      user_id: values.userId,
      source: values.source,
      amount: values.amount,
      remaining: values.amount,
      paid: values.paid,
      expires_at: values.expiresAt,
      idempotency_key: values.idempotencyKey,
      note: values.note,
    })
    .onConflict((oc) => oc.columns(["user_id", "idempotency_key"]).doNothing())
    .returning(["id"])
    .executeTakeFirst();
}

export interface LedgerInsert {
  userId: string;
  type: (typeof LEDGER_ENTRY_TYPES)[number];
  amount: number;
  heldDelta?: number;
  balanceAfter: number;
  heldAfter: number;
  operation?: string | null;
  idempotencyKey?: string | null;
  requestHash?: string | null;
  grantId?: string | null;
  holdId?: string | null;
  refundOf?: string | null;
  note?: string | null;
}

/**
 * Appends a ledger entry and sets the cached account to the entry's balance_after / held_after in the
 * same statement (a data-modifying CTE): the two can never disagree, and it costs one round trip.
 */
export async function record(tx: Tx, e: LedgerInsert) {
  return tx
    .with("account", (db) =>
      db
        .updateTable("credit_accounts")
        .set({ balance: e.balanceAfter, held: e.heldAfter })
        .where("user_id", "=", e.userId)
        .returning("user_id"),
    )
    .insertInto("credit_ledger")
    .values({
      user_id: e.userId,
      entry_type: e.type,
      amount: e.amount,
      held_delta: e.heldDelta ?? 0,
      balance_after: e.balanceAfter,
      held_after: e.heldAfter,
      operation: e.operation ?? null,
      idempotency_key: e.idempotencyKey ?? null,
      request_hash: e.requestHash ?? null,
      grant_id: e.grantId ?? null,
      hold_id: e.holdId ?? null,
      refund_of: e.refundOf ?? null,
      note: e.note ?? null,
    })
    .returning(["id", "created_at"])
    .executeTakeFirstOrThrow();
}

export interface HoldCall {
  userId: string;
  operation: string;
  amount: number;
  idempotencyKey: string;
  requestHash: string;
  ttlSeconds: number;
}

/** What app.hold_credits (migration 0067) answers: an outcome row, never an error for a refusal. */
export interface HoldRow {
  outcome: "held" | "replayed" | "conflict" | "insufficient" | "no_account";
  hold_id: string | null;
  amount: number;
  status: "held" | "captured" | "released" | null;
  available: number;
}

/** The whole hold in one statement, inside the caller's transaction (migration 0067 has the rules). */
export async function holdCredits(tx: Tx, c: HoldCall): Promise<HoldRow | undefined> {
  const result = await sql<HoldRow>`
    SELECT * FROM app.hold_credits(${c.userId}::uuid, ${c.operation}, ${c.amount}::int, ${c.idempotencyKey},
                                   ${c.requestHash}, ${c.ttlSeconds}::int)`.execute(tx);
  return result.rows[0];
}

export interface CaptureRow {
  outcome: "captured" | "replayed" | "released" | "invalid" | "not_found" | "no_account";
  captured: number;
  amount: number;
}

/** A capture in one statement (app.capture_credits, migration 0067). `used` -1 stands for "not an integer". */
export async function captureCredits(tx: Tx, userId: string, holdId: string, used: number): Promise<CaptureRow | undefined> {
  const result = await sql<CaptureRow>`
    SELECT * FROM app.capture_credits(${userId}::uuid, ${holdId}::uuid, ${used}::int)`.execute(tx);
  return result.rows[0];
}

export interface ReleaseRow {
  outcome: "released" | "replayed" | "captured" | "not_found" | "no_account";
}

/** A release in one statement (app.release_credits, migration 0067). */
export async function releaseCredits(
  tx: Tx,
  userId: string,
  holdId: string,
  note: string | null,
): Promise<ReleaseRow | undefined> {
  const result = await sql<ReleaseRow>`
    SELECT * FROM app.release_credits(${userId}::uuid, ${holdId}::uuid, ${note}::text)`.execute(tx);
  return result.rows[0];
}

export async function findLedgerEntry(tx: Tx, id: string) {
  return tx.selectFrom("credit_ledger").selectAll().where("id", "=", id).executeTakeFirst();
}

export async function findRefundOf(tx: Tx, entryId: string) {
  return tx
    .selectFrom("credit_ledger")
    .select(["id", "amount"])
    .where("refund_of", "=", entryId)
    .where("entry_type", "=", "refund")
    .executeTakeFirst();
}

export async function findGrantByKey(tx: Tx, userId: string, idempotencyKey: string) {
  return tx
    .selectFrom("credit_grants")
    .select(["id", "amount", "remaining", "source"])
    .where("user_id", "=", userId)
    .where("idempotency_key", "=", idempotencyKey)
    .forUpdate()
    .executeTakeFirst();
}

export async function findReclaimOf(tx: Tx, grantId: string) {
  return tx
    .selectFrom("credit_ledger")
    .select(["id", "amount"])
    .where("grant_id", "=", grantId)
    .where("entry_type", "=", "reclaim")
    .executeTakeFirst();
}

export async function takeFromGrant(tx: Tx, grantId: string, amount: number) {
  await tx
    .updateTable("credit_grants")
    .set((eb) => ({ remaining: eb("remaining", "-", amount) }))
    .where("id", "=", grantId)
    .execute();
}

export async function allowance(tx: Tx, userId: string) {
  const rows = await tx
    .selectFrom("credit_grants")
    .select(["remaining", "expires_at", "id", "created_at"])
    .where("user_id", "=", userId)
    .where("remaining", ">", 0)
    .where((eb) => eb.or([eb("expires_at", "is", null), eb("expires_at", ">", sql<Date>`now()`)]))
    .orderBy("expires_at")
    .execute();
  return rows;
}

const page = newestFirst("a.created_at", "a.id");

/**
 * The history, one line per operation. Each line starts at the entry that opened it (a grant, a
 * charge, a reservation, an expiry) and carries what followed: a reservation's settlement or release
 * (at most one of each per hold, by unique index) and a refund of what was charged (at most one per
 * entry). Lines are paged by their opening entry, which never moves, so a reservation settled while
 * someone pages cannot make a line skip or repeat. Each follow-up is found through its own partial
 * unique index.
 */
export async function history(tx: Tx, input: HistoryInput): Promise<CreditActivity[]> {
  const result = await sql<{
    id: string;
    type: CreditActivity["type"];
    state: ActivityState;
    operation: string | null;
    amount: number;
    reserved: number;
    charged: number;
    refunded: number;
    note: string | null;
    created_at: Date;
    updated_at: Date;
  }>`
    SELECT * FROM (
      SELECT a.id, a.entry_type AS type, a.operation, a.created_at,
             CASE
               WHEN a.entry_type = 'grant' AND k.amount IS NOT NULL THEN 'refunded'
               WHEN a.entry_type = 'grant' THEN 'added'
               WHEN a.entry_type = 'expire' THEN 'expired'
               WHEN r.amount IS NOT NULL THEN 'refunded'
               WHEN a.entry_type = 'charge' THEN 'charged'
               -- A reservation settled for nothing (stopped before any output) cost nothing: released.
               WHEN s.entry_type = 'capture' AND s.amount < 0 THEN 'charged'
               WHEN s.entry_type IS NOT NULL THEN 'released'
               ELSE 'reserved'
             END AS state,
             a.amount + coalesce(s.amount, 0) + coalesce(r.amount, 0) + coalesce(k.amount, 0) AS amount,
             CASE WHEN a.entry_type = 'hold' THEN a.held_delta ELSE 0 END AS reserved,
             -(CASE WHEN a.entry_type = 'charge' THEN a.amount ELSE coalesce(s.amount, 0) END) AS charged,
             -- A refunded purchase: the credits its reclaim took back.
             coalesce(r.amount, -k.amount, 0) AS refunded,
             coalesce(r.note, k.note, s.note, a.note) AS note,
             greatest(a.created_at, s.created_at, r.created_at, k.created_at) AS updated_at
        FROM credit_ledger a
        LEFT JOIN LATERAL (
          (SELECT c.id, c.entry_type, c.amount, c.note, c.created_at FROM credit_ledger c
            WHERE a.entry_type = 'hold' AND c.entry_type = 'capture' AND c.hold_id = a.hold_id)
          UNION ALL
          (SELECT c.id, c.entry_type, c.amount, c.note, c.created_at FROM credit_ledger c
            WHERE a.entry_type = 'hold' AND c.entry_type = 'release' AND c.hold_id = a.hold_id)
          LIMIT 1
        ) s ON true
        LEFT JOIN LATERAL (
          SELECT f.amount, f.note, f.created_at FROM credit_ledger f
           WHERE f.entry_type = 'refund' AND f.refund_of = coalesce(s.id, a.id)
        ) r ON true
        LEFT JOIN LATERAL (
          SELECT k.amount, k.note, k.created_at FROM credit_ledger k
           WHERE a.entry_type = 'grant' AND k.entry_type = 'reclaim' AND k.grant_id = a.grant_id
        ) k ON true
       WHERE a.entry_type IN ('grant', 'charge', 'hold', 'expire')
         ${input.operation ? sql`AND a.operation = ${input.operation}` : sql``}
         ${input.from ? sql`AND a.created_at >= ${input.from}` : sql``}
         ${input.to ? sql`AND a.created_at < ${input.to}` : sql``}
         ${input.cursor ? sql`AND ${page.before({ at: input.cursor.createdAt, id: input.cursor.id })}` : sql``}
    ) line
    ${input.states?.length ? sql`WHERE line.state IN (${sql.join(input.states)})` : sql``}
    ORDER BY date_trunc('milliseconds', line.created_at) DESC, line.id DESC
    LIMIT ${input.limit}`.execute(tx);
  return result.rows.map((r) => ({
    id: r.id,
    type: r.type,
    state: r.state,
    operation: r.operation,
    amount: r.amount,
    reserved: r.reserved,
    charged: r.charged,
    refunded: r.refunded,
    note: r.note,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  }));
}

export async function usersWithExpiredGrants(tx: Tx, limit: number) {
  const rows = await tx
    .selectFrom("credit_grants")
    .innerJoin("credit_accounts", "credit_accounts.user_id", "credit_grants.user_id")
    .select("credit_grants.user_id")
    .distinct()
    .where("credit_grants.remaining", ">", 0)
    .where("credit_grants.expires_at", "<=", sql<Date>`now()`)
    .where("credit_accounts.held", "=", 0)
    .limit(limit)
    .execute();
  return rows.map((r) => r.user_id);
}

export async function expiredGrants(tx: Tx, userId: string) {
  return tx
    .selectFrom("credit_grants")
    .select(["id", "remaining"])
    .where("user_id", "=", userId)
    .where("remaining", ">", 0)
    .where("expires_at", "<=", sql<Date>`now()`)
    .forUpdate()
    .execute();
}

export async function zeroGrant(tx: Tx, grantId: string) {
  await tx.updateTable("credit_grants").set({ remaining: 0 }).where("id", "=", grantId).execute();
}

export async function staleHolds(tx: Tx, limit: number) {
  return tx
    .selectFrom("credit_holds")
    .select(["id", "user_id"])
    .where("status", "=", "held")
    .where("expires_at", "<=", sql<Date>`now()`)
    .orderBy("expires_at")
    .limit(limit)
    .execute();
}

/** Accounts whose cached balance or hold disagrees with the ledger or the grants. */
export async function drift(tx: Tx) {
  const result = await sql<{
    user_id: string;
    balance: number;
    held: number;
    ledger_balance: number;
    ledger_held: number;
    grants: number;
  }>`
    SELECT a.user_id, a.balance, a.held,
           coalesce(l.balance, 0)::int AS ledger_balance, coalesce(l.held, 0)::int AS ledger_held,
           coalesce(g.remaining, 0)::int AS grants
      FROM credit_accounts a
      LEFT JOIN (SELECT user_id, sum(amount) AS balance, sum(held_delta) AS held FROM credit_ledger GROUP BY user_id) l
             ON l.user_id = a.user_id
      LEFT JOIN (SELECT user_id, sum(remaining) AS remaining FROM credit_grants GROUP BY user_id) g
             ON g.user_id = a.user_id
     WHERE a.balance <> coalesce(l.balance, 0) OR a.held <> coalesce(l.held, 0) OR a.balance <> coalesce(g.remaining, 0)`.execute(
    tx,
  );
  return result.rows;
}

/**
 * Users the monthly job grants to. A tier with an expiry is a subscription's: its renewals grant the
 * tier's credits per billing period (payments), so the calendar-month grant leaves it out.
 */
export async function usersByTier(tx: Tx, afterId: string | null, limit: number, only?: readonly string[]) {
  if (only?.length === 0) return [];
  let q = tx
    .selectFrom("users")
    .select(["id", "subscription_tier"])
    .where("subscription_expires_at", "is", null)
    .orderBy("id")
    .limit(limit);
  if (afterId) q = q.where("id", ">", afterId);
  if (only) q = q.where("id", "in", only);
  return q.execute();
}

/** Ledger movements per UTC day and entry type over the last `days` days (the admin credits dashboard). */
export async function ledgerByDay(tx: Tx, days: number) {
  return tx
    .selectFrom("credit_ledger")
    .select([
      sql<string>`to_char(date_trunc('day', created_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD')`.as("day"),
      "entry_type",
      sql<number>`count(*)::int`.as("entries"),
      sql<number>`coalesce(sum(amount), 0)::bigint::float8`.as("amount"),
      sql<number>`count(DISTINCT user_id)::int`.as("users"),
    ])
    .where(
      "created_at",
      ">=",
      sql<Date>`date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' - make_interval(days => ${days - 1})`,
    )
    .groupBy(["day", "entry_type"])
    .orderBy("day", "desc")
    .orderBy("entry_type")
    .execute();
}
