/**
 * Credit rules. Every function takes the transaction first and may run as the user (their own
 * credits: charges, holds, captures) or as the system role (grants, expiry, reconciliation). Each
 * begins by locking the user's account row, so concurrent calls for one user apply one at a time and
 * the balance can never be oversold; the CHECK constraints and unique indexes stand behind the code.
 */
import { createHash } from "node:crypto";
import { asSystem, type Database, type Tx } from "@inkwell/db";
import { DomainError, notFound } from "../platform/errors.ts";
import type { Logger } from "../platform/queue.ts";
import * as repo from "./credits.repository.ts";
import {
  type AdminGrantInput,
  type Balance,
  type CreditActivity,
  type GRANT_SOURCES,
  type HistoryInput,
  MONTHLY_GRANTS,
  OFFERED_OPERATIONS,
  type Operation,
  PRICE_DESCRIPTIONS,
  PRICES,
  SIGNUP_GRANT,
} from "./credits.schemas.ts";

/** How long a reservation may stay open before the worker releases it (the job died without settling). */
export const HOLD_TTL_SECONDS = 15 * 60;

export function priceOf(operation: Operation | string, quantity = 1): number {
  const unit = PRICES[operation];
  if (!unit) throw new Error(`no price for operation ${operation}`);
  if (!Number.isInteger(quantity) || quantity < 1) throw new Error("quantity must be a positive integer");
  return unit * quantity;
}

/** A stable fingerprint of what a request asked for: the same idempotency key must mean the same request. */
export function requestHash(value: unknown): string {
  return createHash("sha256").update(JSON.stringify(value)).digest("hex");
}

async function locked(tx: Tx, userId: string) {
  const account = await repo.lockAccount(tx, userId);
  if (!account) throw notFound("Credit account");
  return account;
}

function insufficient(available: number, needed: number) {
  return new DomainError(
    "INSUFFICIENT_CREDITS",
    `This needs ${needed} credits and you have ${available} available. Add credits or wait for your monthly grant.`,
    { credits: { needed, available: Math.max(0, available) } },
  );
}

export interface GrantInput {
  source: (typeof GRANT_SOURCES)[number];
  amount: number;
  idempotencyKey: string;
  expiresAt?: Date | null;
  note?: string | null;
}

/**
 * An administrator's grant, as the system (the admin is not the account's owner). The caller's key is
 * namespaced by the source, so an admin key can never collide with a welcome or monthly grant's.
 */
export function adminGrant(db: Database, input: AdminGrantInput) {
  return asSystem(db, (tx) =>
    grant(tx, input.userId, {
      source: input.source,
      amount: input.amount,
      idempotencyKey: `${input.source}:${input.idempotencyKey}`,
      expiresAt: input.expiresAt ?? null,
      note: input.note ?? null,
    }),
  );
}

/** Adds credits. Idempotent per (user, key): granting twice with the same key grants once. */
export async function grant(tx: Tx, userId: string, input: GrantInput) {
  if (!Number.isInteger(input.amount) || input.amount <= 0)
    throw new DomainError("INVALID_INPUT", "A grant must be a positive number of credits.");
  await repo.openAccount(tx, userId);
  const account = await locked(tx, userId);
  const row = await repo.insertGrant(tx, {
    userId,
    source: input.source,
    amount: input.amount,
    paid: input.source === "purchase",
    expiresAt: input.expiresAt ?? null,
    idempotencyKey: input.idempotencyKey,
    note: input.note ?? null,
  });
  if (!row) return { granted: false as const };
  const balance = account.balance + input.amount;
  await repo.record(tx, {
    userId,
    type: "grant",
    amount: input.amount,
    balanceAfter: balance,
    heldAfter: account.held,
    grantId: row.id,
    note: input.note ?? input.source,
  });
  return { granted: true as const, grantId: row.id };
}

export function grantSignup(tx: Tx, userId: string) {
  return grant(tx, userId, { source: "signup", amount: SIGNUP_GRANT, idempotencyKey: "signup", note: "Welcome credits" });
}

export interface ChargeInput {
  operation: Operation | string;
  quantity?: number;
  idempotencyKey: string;
  /** What was asked (any JSON): a reused key with a different request is refused. */
  request: unknown;
}

function chargeCall(userId: string, input: ChargeInput): repo.ChargeCall {
  const amount = priceOf(input.operation, input.quantity);
  const requestHashHex = requestHash({ operation: input.operation, amount, request: input.request });
  return { userId, operation: input.operation, amount, idempotencyKey: input.idempotencyKey, requestHash: requestHashHex };
}

/** A charge's or a hold's refusal as the domain error it has always been. */
function refused(row: { outcome: string; available: number } | undefined, amount: number): never {
  if (row?.outcome === "conflict")
    throw new DomainError("CONFLICT", "This idempotency key was already used for a different request.");
  if (row?.outcome === "insufficient") throw insufficient(row.available, amount);
  throw notFound("Credit account");
}

function chargeResult(row: repo.ChargeRow | undefined, amount: number) {
  switch (row?.outcome) {
    case "charged":
      return { ledgerId: row.ledger_id as string, charged: row.charged, replayed: false as const };
    case "replayed":
      return { ledgerId: row.ledger_id as string, charged: row.charged, replayed: true as const };
    default:
      return refused(row, amount);
  }
}

/**
 * Spends credits at once. A retried request (same key, same request) is charged once. The whole
 * charge (lock, replay check, spendable, grants in spending order, balance, ledger, low-credit alert)
 * is one SQL call, app.charge_credits: one round trip inside the caller's transaction.
 */
export async function charge(tx: Tx, userId: string, input: ChargeInput) {
  const call = chargeCall(userId, input);
  return chargeResult(await repo.chargeCredits(tx, call), call.amount);
}

/** The most charges of one account that go to the database together (see chargeNow). */
export const CHARGE_BATCH_MAX = 64;

interface PendingCharge {
  call: repo.ChargeCall;
  resolve(row: repo.ChargeRow | undefined): void;
  reject(error: unknown): void;
}

/** Per database, per user: the charges waiting while one batch of that user's is at the database. */
const waitingCharges = new WeakMap<Database, Map<string, PendingCharge[]>>();

/**
 * `charge` as its own transaction, as the user, in ONE round trip (BEGIN, role, user, the call and
 * COMMIT in one message): for a caller that holds no transaction.
 *
 * One busy account: its charges take the account's row lock one after another, and each holds it
 * through its commit's flush to disk (milliseconds), which caps one account at a few hundred charges
 * a second whatever the CPU. So while one of a user's charges is at the database, this process
 * queues that user's next ones and sends them together, as one call of app.charge_credits_batch (up
 * to CHARGE_BATCH_MAX): one lock hold, one write of the account row and one flush for all of them.
 * Each keeps its own checks, ledger entry and idempotency. An idle account's charge goes at once (no added wait). If the batch
 * fails as a whole (an error, not a refusal), each of its charges is retried alone, so one bad charge
 * cannot fail the others.
 */
export async function chargeNow(db: Database, userId: string, input: ChargeInput) {
  const call = chargeCall(userId, input);
  const row = await new Promise<repo.ChargeRow | undefined>((resolve, reject) => {
    let byUser = waitingCharges.get(db);
    if (!byUser) {
      byUser = new Map();
      waitingCharges.set(db, byUser);
    }
    const waiting = byUser.get(userId);
    if (waiting) {
      waiting.push({ call, resolve, reject });
      return;
    }
    byUser.set(userId, []);
    void sendCharges(db, byUser, userId, [{ call, resolve, reject }]);
  });
  return chargeResult(row, call.amount);
}

/**
 * The database ran the message and answered with an error (it has a SQLSTATE and a severity): the
 * transaction was rolled back, nothing of it was applied. Anything else (no connection, a connection
 * lost while the message ran) leaves the outcome unknown: the COMMIT may have happened.
 */
function refusedByDatabase(error: unknown): boolean {
  const e = error as { code?: unknown; severity?: unknown } | null;
  return typeof e?.severity === "string" && typeof e.code === "string";
}

/**
 * Runs a batch; after a connection failure, once more as a whole. Every charge carries its idempotency
 * key, so a charge the lost attempt did commit is replayed, not charged again: the caller learns what
 * happened to its charge instead of an error for a charge that was in fact applied. Twice at most, so
 * a database that is down fails a batch in two attempts, not one per charge.
 */
async function chargeBatch(db: Database, userId: string, calls: repo.ChargeCall[]) {
  // Two or more: one app.charge_credits_batch call, which writes the account and grant rows once for
  // all of them (a call each rewrote them per charge and repeated the lock and the grant reads).
  const send = calls.length > 1 ? repo.chargeCreditsBatchAsUser : repo.chargeCreditsAsUser;
  try {
    return await send(db, userId, calls);
  } catch (error) {
    if (refusedByDatabase(error)) throw error;
    return await send(db, userId, calls);
  }
}

async function sendCharges(db: Database, byUser: Map<string, PendingCharge[]>, userId: string, batch: PendingCharge[]) {
  try {
    const rows = await chargeBatch(
      db,
      userId,
      batch.map((p) => p.call),
    );
    for (const [i, p] of batch.entries()) p.resolve(rows[i]);
  } catch (error) {
    // Charge by charge only when the database refused the batch (one charge's error rolls back all):
    // after the connection failed twice, more attempts would only hold the others' wait.
    if (batch.length === 1 || !refusedByDatabase(error)) for (const p of batch) p.reject(error);
    else {
      for (const p of batch) {
        try {
          p.resolve((await chargeBatch(db, userId, [p.call]))[0]);
        } catch (e) {
          p.reject(e);
        }
      }
    }
  }
  const waiting = byUser.get(userId) ?? [];
  if (waiting.length === 0) {
    byUser.delete(userId);
    return;
  }
  void sendCharges(db, byUser, userId, waiting.splice(0, CHARGE_BATCH_MAX));
}

export interface HoldInput {
  operation: Operation | string;
  /** The most this may cost; capture takes what was used, up to this. */
  amount?: number;
  idempotencyKey: string;
  request: unknown;
  ttlSeconds?: number;
}

/** What a hold asks of app.hold_credits: the price checked and the request fingerprinted. */
export function holdCall(userId: string, input: HoldInput): repo.HoldCall {
  const amount = input.amount ?? priceOf(input.operation);
  if (!Number.isInteger(amount) || amount <= 0)
    throw new DomainError("INVALID_INPUT", "A hold must be a positive number of credits.");
  return {
    userId,
    operation: input.operation,
    amount,
    idempotencyKey: input.idempotencyKey,
    requestHash: requestHash({ operation: input.operation, amount, request: input.request }),
    ttlSeconds: input.ttlSeconds ?? HOLD_TTL_SECONDS,
  };
}

/** An app.hold_credits outcome row (also inside usage's app.start_generation, which adds its own fields). */
export interface HoldOutcome {
  outcome: string;
  hold_id: string | null;
  amount: number;
  status: string | null;
  available: number;
}

/** A hold's outcome row as the service answers it: the hold, or the same domain errors as ever. */
export function holdResult(row: HoldOutcome | undefined, amount: number) {
  switch (row?.outcome) {
    case "held":
      return { holdId: row.hold_id as string, amount: row.amount, status: "held" as const, replayed: false };
    case "replayed":
      return {
        holdId: row.hold_id as string,
        amount: row.amount,
        status: row.status as "held" | "captured" | "released",
        replayed: true,
      };
    default:
      return refused(row, amount);
  }
}

/**
 * Reserves credits for a long job. Idempotent per key (same request → the same hold). One statement,
 * app.hold_credits: lock, replay check, spendable less what is held, the hold, its ledger entry.
 */
export async function hold(tx: Tx, userId: string, input: HoldInput) {
  const call = holdCall(userId, input);
  return holdResult(await repo.holdCredits(tx, call), call.amount);
}

/**
 * Settles a hold for what was used (≤ the hold). Safe to call again: a captured hold stays captured
 * once. One statement, app.capture_credits (grants in spending order, expired ones too: the credits
 * were set aside when the hold was made; the ledger entry; the 80% / 100% alert).
 */
export async function capture(tx: Tx, userId: string, holdId: string, used: number) {
  // A non-integer (or one past the database's integer) is refused as out of range after the hold's own
  // state is checked, as before: -1 stands for it.
  const asInt = Number.isInteger(used) && Math.abs(used) < 2 ** 31 ? used : -1;
  const row = await repo.captureCredits(tx, userId, holdId, asInt);
  switch (row?.outcome) {
    case "captured":
      return { captured: row.captured, replayed: false };
    case "replayed":
      return { captured: row.captured, replayed: true };
    case "released":
      throw new DomainError("PRECONDITION_FAILED", "This reservation was already released.");
    case "invalid":
      throw new DomainError("INVALID_INPUT", `Captured credits must be between 0 and the ${row.amount} reserved.`);
    case "not_found":
      throw notFound("Credit hold");
    default:
      throw notFound("Credit account");
  }
}

/** Voids a hold: a failed or cancelled job costs nothing. Safe to call again. One statement, app.release_credits. */
export async function release(tx: Tx, userId: string, holdId: string, note?: string) {
  const row = await repo.releaseCredits(tx, userId, holdId, note ?? null);
  switch (row?.outcome) {
    case "released":
      return { released: true, replayed: false };
    case "replayed":
      return { released: true, replayed: true };
    case "captured":
      throw new DomainError("PRECONDITION_FAILED", "This reservation was already settled.");
    case "not_found":
      throw notFound("Credit hold");
    default:
      throw notFound("Credit account");
  }
}

/**
 * Gives back what a charge or capture took, as a non-expiring free grant. Once per entry: a second
 * refund of the same entry returns the first (and the unique index refuses a duplicate regardless).
 */
export async function refund(tx: Tx, userId: string, ledgerEntryId: string, note?: string) {
  const account = await locked(tx, userId);
  const entry = await repo.findLedgerEntry(tx, ledgerEntryId);
  if (!entry || entry.user_id !== userId || (entry.entry_type !== "charge" && entry.entry_type !== "capture")) {
    throw notFound("Charge");
  }
  const existing = await repo.findRefundOf(tx, ledgerEntryId);
  if (existing) return { refunded: existing.amount, replayed: true };
  const amount = -entry.amount;
  if (amount === 0) return { refunded: 0, replayed: false };
  const grantRow = await repo.insertGrant(tx, {
    userId,
    source: "refund",
    amount,
    paid: false,
    expiresAt: null,
    idempotencyKey: `refund:${ledgerEntryId}`,
    note: note ?? null,
  });
  if (!grantRow) throw new Error("refund grant already exists without a refund entry");
  const balance = account.balance + amount;
  await repo.record(tx, {
    userId,
    type: "refund",
    amount,
    balanceAfter: balance,
    heldAfter: account.held,
    operation: entry.operation,
    grantId: grantRow.id,
    refundOf: ledgerEntryId,
    note: note ?? null,
  });
  return { refunded: amount, replayed: false };
}

/**
 * Takes back a purchase whose payment was refunded (the grant made with `idempotencyKey`). What is
 * left of that grant goes, and no more: credits already spent from it stay spent (the ledger never
 * goes below zero, and other grants are not touched), and credits a running generation has on hold
 * stay covered. Recorded once per grant, even when nothing was left to take (a `reclaim` entry of 0),
 * so a replayed refund takes nothing twice. Runs as the system (the refund comes from the payment
 * provider, not from the user).
 */
export async function reclaimPurchase(tx: Tx, userId: string, idempotencyKey: string, note: string) {
  const account = await locked(tx, userId);
  const g = await repo.findGrantByKey(tx, userId, idempotencyKey);
  if (g?.source !== "purchase") return { found: false as const, reclaimed: 0, spent: 0, kept: 0, replayed: false };
  const previous = await repo.findReclaimOf(tx, g.id);
  if (previous) return { found: true as const, reclaimed: -previous.amount, spent: 0, kept: 0, replayed: true };
  const amount = Math.max(0, Math.min(g.remaining, account.balance - account.held));
  if (amount > 0) await repo.takeFromGrant(tx, g.id, amount);
  await repo.record(tx, {
    userId,
    type: "reclaim",
    amount: -amount,
    balanceAfter: account.balance - amount,
    heldAfter: account.held,
    grantId: g.id,
    note,
  });
  // `kept`: unspent credits of the pack that a running generation has reserved; they stay with the user.
  return { found: true as const, reclaimed: amount, spent: g.amount - g.remaining, kept: g.remaining - amount, replayed: false };
}

export async function balance(tx: Tx, userId: string): Promise<Balance> {
  const account = await repo.account(tx, userId);
  const grants = await repo.allowance(tx, userId);
  const unexpired = grants.reduce((sum, g) => sum + g.remaining, 0);
  const held = account?.held ?? 0;
  const soon = Date.now() + 31 * 24 * 3600 * 1000;
  return {
    available: Math.max(0, unexpired - held),
    held,
    allowance: unexpired,
    expiring: grants
      .filter((g) => g.expires_at && g.expires_at.getTime() <= soon)
      .map((g) => ({ amount: g.remaining, expiresAt: g.expires_at as Date })),
  };
}

/** The history, newest first: one line per grant, expiry or operation, with where each stands. */
export function history(tx: Tx, input: HistoryInput): Promise<CreditActivity[]> {
  return repo.history(tx, input);
}

/** The price list people see: only what they can run today (the rest are priced for modules to come). */
export function priceList(): { operation: string; credits: number; description: string }[] {
  return OFFERED_OPERATIONS.map((operation) => ({
    operation,
    credits: priceOf(operation),
    description: PRICE_DESCRIPTIONS[operation] ?? operation,
  }));
}

/** Zeroes grants past their expiry (skipping users with open holds until those settle). */
export async function expireGrants(db: Database, options: { batch?: number } = {}) {
  const users = await asSystem(db, (tx) => repo.usersWithExpiredGrants(tx, options.batch ?? 500));
  let expired = 0;
  for (const userId of users) {
    expired += await asSystem(db, async (tx) => {
      const account = await locked(tx, userId);
      if (account.held > 0) return 0;
      let balance = account.balance;
      let total = 0;
      for (const g of await repo.expiredGrants(tx, userId)) {
        balance -= g.remaining;
        total += g.remaining;
        await repo.zeroGrant(tx, g.id);
        await repo.record(tx, {
          userId,
          type: "expire",
          amount: -g.remaining,
          balanceAfter: balance,
          heldAfter: 0,
          grantId: g.id,
          note: "Expired",
        });
      }
      return total;
    });
  }
  return { users: users.length, expired };
}

/** Releases reservations whose job never settled (the worker died, the request vanished). */
export async function releaseStaleHolds(db: Database, options: { batch?: number } = {}) {
  const stale = await asSystem(db, (tx) => repo.staleHolds(tx, options.batch ?? 500));
  for (const h of stale) await asSystem(db, (tx) => release(tx, h.user_id, h.id, "Expired: the job did not finish in time"));
  return { released: stale.length };
}

/**
 * Monthly grants per tier, keyed by month: running it twice in a month grants once. `only` limits a run
 * to some accounts (a support re-run for them; tests, which share their database with other files).
 */
export async function grantMonthly(db: Database, now = new Date(), options: { only?: readonly string[] } = {}) {
  const month = `${now.getUTCFullYear()}-${String(now.getUTCMonth() + 1).padStart(2, "0")}`;
  const expiresAt = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
  let after: string | null = null;
  let granted = 0;
  for (;;) {
    const users = await asSystem(db, (tx) => repo.usersByTier(tx, after, 500, options.only));
    if (users.length === 0) break;
    for (const u of users) {
      const amount = MONTHLY_GRANTS[u.subscription_tier as keyof typeof MONTHLY_GRANTS] ?? 0;
      if (amount <= 0) continue;
      const r = await asSystem(db, (tx) =>
        grant(tx, u.id, {
          source: "monthly",
          amount,
          idempotencyKey: `monthly:${month}`,
          expiresAt,
          note: `Monthly credits (${month})`,
        }),
      );
      if (r.granted) granted++;
    }
    after = users[users.length - 1]?.id ?? null;
  }
  return { month, granted };
}

/** Proves every cached balance equals its ledger and its grants; reports (and logs an alert for) any drift. */
export async function reconcile(db: Database, log: Logger) {
  const drifts = await asSystem(db, (tx) => repo.drift(tx));
  for (const d of drifts) log.error({ alert: "credit-drift", ...d }, "credit balance disagrees with its ledger");
  return drifts.map((d) => ({
    userId: d.user_id,
    balance: d.balance,
    held: d.held,
    ledgerBalance: d.ledger_balance,
    ledgerHeld: d.ledger_held,
    grants: d.grants,
  }));
}

/** Ledger totals per day and entry type, for the admin dashboard (as the system: every user's rows). */
export async function adminLedgerByDay(db: Database, input: { days: number }) {
  const rows = await asSystem(db, (tx) => repo.ledgerByDay(tx, input.days));
  return rows.map((r) => ({ day: r.day, entryType: r.entry_type, entries: r.entries, amount: Number(r.amount), users: r.users }));
}
