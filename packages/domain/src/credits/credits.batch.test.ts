import { asSystem, asUser, callAsUser, createDb } from "@inkwell/db";
import fc from "fast-check";
import { sql } from "kysely";
import { afterAll, describe, expect, inject, it } from "vitest";
import { notifications } from "../notifications/index.ts";
import * as repo from "./credits.repository.ts";
import * as credits from "./credits.service.ts";

const { db } = createDb({ url: inject("databaseUrl"), max: 6 });
afterAll(() => db.destroy());

const DAY = 24 * 3600 * 1000;
let n = 0;

/** A user with three grants: 3 free expiring in 10 days, 2 free never expiring, 10 paid. */
async function userWithThreeGrants() {
  return asSystem(db, async (tx) => {
    const u = await tx
      .insertInto("users")
      .values({ email: `credits-batch-${Date.now()}-${++n}@example.test`, password_hash: "x" })
      .returning("id")
      .executeTakeFirstOrThrow();
    const soon = new Date(Date.now() + 10 * DAY);
    const a = await credits.grant(tx, u.id, { source: "bonus", amount: 3, idempotencyKey: "a", expiresAt: soon });
    const b = await credits.grant(tx, u.id, { source: "bonus", amount: 2, idempotencyKey: "b" });
    const c = await credits.grant(tx, u.id, { source: "purchase", amount: 10, idempotencyKey: "c" });
    return { userId: u.id, grants: [a, b, c].map((g) => (g.granted ? g.grantId : "")) };
  });
}

const call = (userId: string, key: string, amount: number, request = "same"): repo.ChargeCall => ({
  userId,
  operation: "knowledge.embed",
  amount,
  idempotencyKey: key,
  requestHash: credits.requestHash({ request }),
});

async function state(userId: string, grantIds: string[]) {
  return asSystem(db, async (tx) => {
    const account = await tx
      .selectFrom("credit_accounts")
      .select("balance")
      .where("user_id", "=", userId)
      .executeTakeFirstOrThrow();
    const ledger = await tx
      .selectFrom("credit_ledger")
      .select(sql<number>`coalesce(sum(amount), 0)::int`.as("sum"))
      .where("user_id", "=", userId)
      .executeTakeFirstOrThrow();
    const grants = await tx.selectFrom("credit_grants").select(["id", "remaining"]).where("user_id", "=", userId).execute();
    return {
      balance: account.balance,
      ledgerSum: ledger.sum,
      remaining: grantIds.map((id) => grants.find((g) => g.id === id)?.remaining),
    };
  });
}

async function notices(userId: string) {
  return (await asUser(db, userId, (tx) => notifications.list(tx)))
    .filter((x) => x.kind.startsWith("credits."))
    .map((x) => ({ kind: x.kind, body: x.body }));
}

describe("a batch of one account's charges (app.charge_credits_batch)", () => {
  it("answers each charge as one call would: replays (also of a key earlier in the batch), conflicts, a refusal in the middle, grants in spending order, each notice once", async () => {
    const { userId: u, grants } = await userWithThreeGrants();
    const first = await repo.chargeCreditsAsUser(db, u, [call(u, "k0", 1)]);
    expect(first[0]?.outcome).toBe("charged");

    const rows = await repo.chargeCreditsBatchAsUser(db, u, [
      call(u, "k0", 1), // charged before the batch: replayed
      call(u, "k1", 2),
      call(u, "k1", 2), // the same key and request earlier in this batch: replayed
      call(u, "k1", 2, "other"), // the same key, another request: refused
      call(u, "k2", 20), // more than is left: refused, the batch goes on
      call(u, "k3", 3), // the last of the never-expiring free grant, then the paid one
      call(u, "k4", 6), // 3 of 15 left: the 80% notice
      call(u, "k5", 1), // still past 80%: no second notice
    ]);
    expect(rows.map((r) => [r?.outcome, r?.charged, r?.available])).toEqual([
      ["replayed", 1, 0],
      ["charged", 2, 12],
      ["replayed", 2, 0],
      ["conflict", 0, 0],
      ["insufficient", 0, 12],
      ["charged", 3, 9],
      ["charged", 6, 3],
      ["charged", 1, 2],
    ]);
    expect(rows[0]?.ledger_id).toBe(first[0]?.ledger_id);
    expect(rows[2]?.ledger_id).toBe(rows[1]?.ledger_id);
    // Free before paid, soonest expiring first: 3 (expiring) → 0, 2 (never) → 0, 10 (paid) → 2.
    expect(await state(u, grants)).toEqual({ balance: 2, ledgerSum: 2, remaining: [0, 0, 2] });
    expect(await notices(u)).toEqual([{ kind: "credits.low", body: "You have 3 credits left." }]);

    // The next batch spends the rest: the 100% notice, once, and a refusal after it.
    const rest = await repo.chargeCreditsBatchAsUser(db, u, [call(u, "k6", 2), call(u, "k7", 1), call(u, "k5", 1)]);
    expect(rest.map((r) => [r?.outcome, r?.available])).toEqual([
      ["charged", 0],
      ["insufficient", 0],
      ["replayed", 0],
    ]);
    expect(await state(u, grants)).toEqual({ balance: 0, ledgerSum: 0, remaining: [0, 0, 0] });
    expect((await notices(u)).map((x) => x.kind).sort()).toEqual(["credits.empty", "credits.low"]);
  });

  it("a batch for another user's account finds no account (row-level security holds inside the function)", async () => {
    const { userId: mine } = await userWithThreeGrants();
    const { userId: theirs, grants } = await userWithThreeGrants();
    const [rows] = await callAsUser(db, mine, "app.charge_credits_batch", [
      [
        { uuid: theirs },
        { texts: ["knowledge.embed", "knowledge.embed"] },
        { ints: [1, 1] },
        { texts: ["x1", "x2"] },
        { texts: ["h", "h"] },
      ],
    ]);
    expect(rows?.map((r) => r.outcome)).toEqual(["no_account", "no_account"]);
    expect(await state(theirs, grants)).toEqual({ balance: 15, ledgerSum: 15, remaining: [3, 2, 10] });
  });

  it("chargeNow sends a busy account's waiting charges as one batch call, every charge its own entry", async () => {
    const { userId: u, grants } = await userWithThreeGrants();
    // Twenty at once: the first alone, the other nineteen wait and go together; 15 credits: 15 succeed.
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        credits.chargeNow(db, u, { operation: "knowledge.embed", idempotencyKey: `c${i}`, request: { i } }),
      ),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(15);
    expect(await state(u, grants)).toEqual({ balance: 0, ledgerSum: 0, remaining: [0, 0, 0] });
    expect((await notices(u)).map((x) => x.kind).sort()).toEqual(["credits.empty", "credits.low"]);
  });

  it("is the same as one app.charge_credits call each (property): outcomes, ledger entries, grants, notices, with holds open and grants expired", async () => {
    type Grant = { amount: number; paid: boolean; expiry: "never" | "soon" | "later" | "lapsed" };
    const DAYS = { soon: 2, later: 20, lapsed: 5 };
    // One account as the property describes it; grants a second apart so the spending order has no ties.
    async function account(grantList: Grant[], held: number, before: number) {
      const userId = await asSystem(db, async (tx) => {
        const u = await tx
          .insertInto("users")
          .values({ email: `credits-batch-p-${Date.now()}-${++n}@example.test`, password_hash: "x" })
          .returning("id")
          .executeTakeFirstOrThrow();
        for (const [i, g] of grantList.entries()) {
          const expiresAt = g.expiry === "never" ? null : new Date(Date.now() + DAYS[g.expiry] * DAY);
          const source = g.paid ? "purchase" : "bonus";
          await credits.grant(tx, u.id, { source, amount: g.amount, idempotencyKey: `g${i}`, expiresAt });
          await tx
            .updateTable("credit_grants")
            .set({ created_at: new Date(Date.UTC(2026, 0, 1, 0, 0, i)) })
            .where("user_id", "=", u.id)
            .where("idempotency_key", "=", `g${i}`)
            .execute();
        }
        return u.id;
      });
      if (held > 0) {
        const input = { operation: "image.generate", amount: held, idempotencyKey: "h", request: {} };
        await asUser(db, userId, (tx) => credits.hold(tx, userId, input)).catch(() => undefined);
      }
      if (before > 0) await repo.chargeCreditsAsUser(db, userId, [call(userId, "k0", before, "a")]);
      // Lapsed grants expire after the hold and the earlier charge (the expiry job has not run yet).
      await asSystem(db, (tx) =>
        sql`UPDATE credit_grants SET expires_at = now() - interval '1 day'
             WHERE user_id = ${userId} AND expires_at BETWEEN now() + interval '4 days' AND now() + interval '6 days'`.execute(
          tx,
        ),
      );
      return userId;
    }
    async function rows(userId: string) {
      const stored = await asSystem(db, async (tx) => {
        const account = await tx
          .selectFrom("credit_accounts")
          .select(["balance", "held"])
          .where("user_id", "=", userId)
          .executeTakeFirstOrThrow();
        const ledger = await tx
          .selectFrom("credit_ledger")
          .select([
            "entry_type",
            "amount",
            "held_delta",
            "balance_after",
            "held_after",
            "operation",
            "idempotency_key",
            "request_hash",
          ])
          .where("user_id", "=", userId)
          .where("entry_type", "=", "charge")
          .orderBy("idempotency_key")
          .execute();
        const grantRows = await tx
          .selectFrom("credit_grants")
          .select(["idempotency_key", "remaining"])
          .where("user_id", "=", userId)
          .orderBy("idempotency_key")
          .execute();
        const drift = (await repo.drift(tx)).filter((d) => d.user_id === userId);
        return { account, ledger, grants: grantRows, drift };
      });
      return { ...stored, notices: (await notices(userId)).sort((a, b) => a.kind.localeCompare(b.kind)) };
    }
    const grant = fc.record({
      amount: fc.integer({ min: 1, max: 12 }),
      paid: fc.boolean(),
      expiry: fc.constantFrom<Grant["expiry"]>("never", "soon", "later", "lapsed"),
    });
    const charge = fc.record({
      key: fc.constantFrom("k0", "k1", "k2", "k3", "k4", "k5"),
      amount: fc.integer({ min: 1, max: 9 }),
      request: fc.constantFrom("a", "b"),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(grant, { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 0, max: 6 }),
        fc.integer({ min: 0, max: 4 }),
        fc.array(charge, { minLength: 2, maxLength: 10 }),
        async (grantList, held, before, charges) => {
          const one = await account(grantList, held, before);
          const batch = await account(grantList, held, before);
          const calls = (u: string) =>
            charges.map((c) => call(u, c.key, c.key === "k0" ? before || c.amount : c.amount, c.request));
          const outcome = (r: repo.ChargeRow | undefined) => [r?.outcome, r?.charged, r?.available];
          const each = await repo.chargeCreditsAsUser(db, one, calls(one));
          const together = await repo.chargeCreditsBatchAsUser(db, batch, calls(batch));
          expect(together.map(outcome)).toEqual(each.map(outcome));
          const [a, b] = [await rows(one), await rows(batch)];
          expect(b.drift).toEqual([]);
          expect(b).toEqual(a);
        },
      ),
      { numRuns: 25 },
    );
  }, 120_000);
});
