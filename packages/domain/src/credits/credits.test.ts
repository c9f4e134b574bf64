import { type AddressInfo, connect, createServer, type Socket } from "node:net";
import { asSystem, asUser, createDb, type Tx } from "@inkwell/db";
import type {} from "@inkwell/db/testing";
import fc from "fast-check";
import { sql } from "kysely";
import { afterAll, describe, expect, inject, it } from "vitest";
import { notifications } from "../notifications/index.ts";
import { DomainError } from "../platform/errors.ts";
import * as credits from "./credits.service.ts";

const { db } = createDb({ url: inject("databaseUrl"), max: 12 });
afterAll(() => db.destroy());
const log = { info() {}, warn() {}, error() {} };

let n = 0;
async function userWith(amount: number, options: { expiresAt?: Date } = {}): Promise<string> {
  return asSystem(db, async (tx) => {
    const u = await tx
      .insertInto("users")
      .values({ email: `credits-${Date.now()}-${++n}@example.test`, password_hash: "x" })
      .returning("id")
      .executeTakeFirstOrThrow();
    if (amount > 0)
      await credits.grant(tx, u.id, { source: "bonus", amount, idempotencyKey: "start", expiresAt: options.expiresAt ?? null });
    else await tx.insertInto("credit_accounts").values({ user_id: u.id }).execute();
    return u.id;
  });
}

const as = <T>(userId: string, fn: (tx: Tx) => Promise<T>) => asUser(db, userId, fn);

async function ledgerState(userId: string) {
  return asSystem(db, async (tx) => {
    const account = await tx
      .selectFrom("credit_accounts")
      .select(["balance", "held"])
      .where("user_id", "=", userId)
      .executeTakeFirstOrThrow();
    const ledger = await tx
      .selectFrom("credit_ledger")
      .select([sql<number>`coalesce(sum(amount),0)::int`.as("sum"), sql<number>`coalesce(sum(held_delta),0)::int`.as("held")])
      .where("user_id", "=", userId)
      .executeTakeFirstOrThrow();
    const grants = await tx
      .selectFrom("credit_grants")
      .select(sql<number>`coalesce(sum(remaining),0)::int`.as("sum"))
      .where("user_id", "=", userId)
      .executeTakeFirstOrThrow();
    return {
      balance: account.balance,
      held: account.held,
      ledgerSum: ledger.sum,
      ledgerHeld: ledger.held,
      grantsSum: grants.sum,
    };
  });
}

async function codeOf(p: Promise<unknown>) {
  try {
    await p;
    return "OK";
  } catch (e) {
    if (e instanceof DomainError) return e.code;
    throw e;
  }
}

describe("charges", () => {
  it("200 concurrent 1-credit charges on a balance of 100: exactly 100 succeed, balance 0, ledger agrees", async () => {
    const u = await userWith(100);
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        codeOf(as(u, (tx) => credits.charge(tx, u, { operation: "knowledge.embed", idempotencyKey: `c-${i}`, request: { i } }))),
      ),
    );
    expect(results.filter((r) => r === "OK")).toHaveLength(100);
    expect(results.filter((r) => r === "INSUFFICIENT_CREDITS")).toHaveLength(100);
    const s = await ledgerState(u);
    expect(s).toEqual({ balance: 0, held: 0, ledgerSum: 0, ledgerHeld: 0, grantsSum: 0 });
  });

  it("chargeNow (one message: its own transaction) keeps the rules: 200 concurrent 1-credit charges on 100, exactly 100 succeed", async () => {
    const u = await userWith(100);
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        codeOf(credits.chargeNow(db, u, { operation: "knowledge.embed", idempotencyKey: `n-${i}`, request: { i } })),
      ),
    );
    expect(results.filter((r) => r === "OK")).toHaveLength(100);
    expect(results.filter((r) => r === "INSUFFICIENT_CREDITS")).toHaveLength(100);
    expect(await ledgerState(u)).toEqual({ balance: 0, held: 0, ledgerSum: 0, ledgerHeld: 0, grantsSum: 0 });
    // They went in batches: entries of one transaction share its start time (now()).
    const times = await asSystem(db, (tx) =>
      tx.selectFrom("credit_ledger").select("created_at").where("user_id", "=", u).where("entry_type", "=", "charge").execute(),
    );
    expect(new Set(times.map((t) => t.created_at.getTime())).size).toBeLessThan(50);
  });

  it("chargeNow replays a retried request, refuses a reused key, and carries any text in the key unchanged", async () => {
    const u = await userWith(100);
    // Quotes, a backslash, a semicolon and non-ASCII: the key travels hex-encoded inside the one message.
    const key = "it's \\x'; DROP TABLE credit_ledger; -- ✓";
    const first = await credits.chargeNow(db, u, { operation: "chat.reply", idempotencyKey: key, request: { q: "hi" } });
    const again = await credits.chargeNow(db, u, { operation: "chat.reply", idempotencyKey: key, request: { q: "hi" } });
    expect(again).toEqual({ ledgerId: first.ledgerId, charged: 2, replayed: true });
    expect(await codeOf(credits.chargeNow(db, u, { operation: "chat.reply", idempotencyKey: key, request: { q: "x" } }))).toBe(
      "CONFLICT",
    );
    // The same key through the in-transaction path is the same charge.
    expect(
      await as(u, (tx) => credits.charge(tx, u, { operation: "chat.reply", idempotencyKey: key, request: { q: "hi" } })),
    ).toEqual(again);
    const stored = await asSystem(db, (tx) =>
      tx.selectFrom("credit_ledger").select("idempotency_key").where("id", "=", first.ledgerId).executeTakeFirstOrThrow(),
    );
    expect(stored.idempotency_key).toBe(key);
    expect(await ledgerState(u)).toMatchObject({ balance: 98, ledgerSum: 98, grantsSum: 98 });
  });

  it("chargeNow sends a busy account's waiting charges together; one that fails does not fail the others", async () => {
    const u = await userWith(100);
    // Twenty at once on one account: the first goes alone, the rest wait for it and go as one batch,
    // in which one key is too long for the ledger (a CHECK error, not a refusal).
    const keys = Array.from({ length: 20 }, (_, i) => (i === 7 ? "k".repeat(201) : `b-${i}`));
    const results = await Promise.allSettled(
      keys.map((idempotencyKey, i) => credits.chargeNow(db, u, { operation: "knowledge.embed", idempotencyKey, request: { i } })),
    );
    expect(results.map((r) => r.status)).toEqual(keys.map((_, i) => (i === 7 ? "rejected" : "fulfilled")));
    expect(await ledgerState(u)).toEqual({ balance: 81, held: 0, ledgerSum: 81, ledgerHeld: 0, grantsSum: 81 });
    // Together or not, each charge is its own ledger entry with its own key.
    const entries = await asSystem(db, (tx) =>
      tx
        .selectFrom("credit_ledger")
        .select("idempotency_key")
        .where("user_id", "=", u)
        .where("entry_type", "=", "charge")
        .execute(),
    );
    expect(entries.map((e) => e.idempotency_key).sort()).toEqual(keys.filter((_, i) => i !== 7).sort());
  });

  it("an amount past the database's integer is refused as out of range on both paths (a 400, not an unknown function)", async () => {
    const u = await userWith(10);
    const huge = { operation: "knowledge.embed", quantity: 2 ** 31, idempotencyKey: "huge", request: {} };
    const sqlState = async (p: Promise<unknown>) => {
      try {
        await p;
        return "OK";
      } catch (e) {
        return (e as { code?: string }).code;
      }
    };
    expect(await sqlState(as(u, (tx) => credits.charge(tx, u, huge)))).toBe("22003");
    expect(await sqlState(credits.chargeNow(db, u, huge))).toBe("22003");
    expect(await ledgerState(u)).toMatchObject({ balance: 10, ledgerSum: 10 });
  });

  it("a user cannot charge another user's account: row-level security holds inside the charge function", async () => {
    const [me, other] = [await userWith(100), await userWith(100)];
    expect(
      await codeOf(as(me, (tx) => credits.charge(tx, other, { operation: "chat.reply", idempotencyKey: "x", request: {} }))),
    ).toBe("NOT_FOUND");
    expect(await ledgerState(other)).toMatchObject({ balance: 100, ledgerSum: 100 });
  });

  it("charges a retried request once, and refuses the same key for a different request", async () => {
    const u = await userWith(100);
    const first = await as(u, (tx) =>
      credits.charge(tx, u, { operation: "chat.reply", idempotencyKey: "k1", request: { q: "hi" } }),
    );
    const again = await as(u, (tx) =>
      credits.charge(tx, u, { operation: "chat.reply", idempotencyKey: "k1", request: { q: "hi" } }),
    );
    expect(again).toMatchObject({ ledgerId: first.ledgerId, replayed: true, charged: 2 });
    expect(
      await codeOf(
        as(u, (tx) => credits.charge(tx, u, { operation: "chat.reply", idempotencyKey: "k1", request: { q: "other" } })),
      ),
    ).toBe("CONFLICT");
    expect((await ledgerState(u)).balance).toBe(98);
  });

  it("spends free credits before paid ones, soonest-expiring first", async () => {
    const u = await userWith(0);
    const soon = new Date(Date.now() + 3600_000);
    const later = new Date(Date.now() + 7 * 24 * 3600_000);
    await asSystem(db, async (tx) => {
      await credits.grant(tx, u, { source: "purchase", amount: 50, idempotencyKey: "paid" });
      await credits.grant(tx, u, { source: "bonus", amount: 10, idempotencyKey: "never" });
      await credits.grant(tx, u, { source: "monthly", amount: 10, idempotencyKey: "later", expiresAt: later });
      await credits.grant(tx, u, { source: "bonus", amount: 10, idempotencyKey: "soon", expiresAt: soon });
    });
    await as(u, (tx) => credits.charge(tx, u, { operation: "study.generate", idempotencyKey: "x", request: {} })); // 20
    await as(u, (tx) => credits.charge(tx, u, { operation: "writer.generate", idempotencyKey: "y", request: {} })); // 10
    const grants = await asSystem(db, (tx) =>
      tx
        .selectFrom("credit_grants")
        .select(["idempotency_key", "remaining"])
        .where("user_id", "=", u)
        .orderBy("idempotency_key")
        .execute(),
    );
    expect(Object.fromEntries(grants.map((g) => [g.idempotency_key, g.remaining]))).toEqual({
      soon: 0,
      later: 0,
      never: 0,
      paid: 50,
    });
  });

  it("says clearly when credits are insufficient", async () => {
    const u = await userWith(5);
    const error = await as(u, (tx) =>
      credits.charge(tx, u, { operation: "study.generate", idempotencyKey: "z", request: {} }),
    ).catch((e) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect(error.code).toBe("INSUFFICIENT_CREDITS");
    expect(error.message).toMatch(/needs 20 credits and you have 5 available/);
  });
});

describe("holds", () => {
  it("reserve, capture what was used, release the rest; each at most once", async () => {
    const u = await userWith(100);
    const h = await as(u, (tx) =>
      credits.hold(tx, u, { operation: "image.generate", idempotencyKey: "img-1", request: { p: 1 } }),
    );
    expect((await as(u, (tx) => credits.balance(tx, u))).available).toBe(60);
    await as(u, (tx) => credits.capture(tx, u, h.holdId, 25));
    expect(await as(u, (tx) => credits.capture(tx, u, h.holdId, 25))).toMatchObject({ replayed: true });
    expect(await codeOf(as(u, (tx) => credits.release(tx, u, h.holdId)))).toBe("PRECONDITION_FAILED");
    expect(await ledgerState(u)).toMatchObject({ balance: 75, held: 0, ledgerSum: 75, ledgerHeld: 0, grantsSum: 75 });

    const failed = await as(u, (tx) =>
      credits.hold(tx, u, { operation: "image.generate", idempotencyKey: "img-2", request: { p: 2 } }),
    );
    await as(u, (tx) => credits.release(tx, u, failed.holdId, "generation failed"));
    expect(await ledgerState(u)).toMatchObject({ balance: 75, held: 0 });
    // A failed image job costs nothing.
    expect((await as(u, (tx) => credits.balance(tx, u))).available).toBe(75);
  });

  it("refunds a charge once", async () => {
    const u = await userWith(50);
    const c = await as(u, (tx) => credits.charge(tx, u, { operation: "study.generate", idempotencyKey: "r", request: {} }));
    const first = await asSystem(db, (tx) => credits.refund(tx, u, c.ledgerId));
    const second = await asSystem(db, (tx) => credits.refund(tx, u, c.ledgerId));
    expect(first).toMatchObject({ refunded: 20, replayed: false });
    expect(second).toMatchObject({ refunded: 20, replayed: true });
    expect(await ledgerState(u)).toMatchObject({ balance: 50, ledgerSum: 50, grantsSum: 50 });
  });
});

describe("grants, expiry and alerts", () => {
  it("does not spend expired credits and zeroes them in the expiry job", async () => {
    const u = await userWith(30, { expiresAt: new Date(Date.now() + 1000) });
    await asSystem(db, (tx) => credits.grant(tx, u, { source: "bonus", amount: 5, idempotencyKey: "keeps" }));
    await asSystem(db, (tx) =>
      tx
        .updateTable("credit_grants")
        .set({ expires_at: sql<Date>`now() - interval '1 second'` })
        .where("user_id", "=", u)
        .where("idempotency_key", "=", "start")
        .execute(),
    );
    expect((await as(u, (tx) => credits.balance(tx, u))).available).toBe(5);
    expect(
      await codeOf(as(u, (tx) => credits.charge(tx, u, { operation: "writer.generate", idempotencyKey: "e", request: {} }))),
    ).toBe("INSUFFICIENT_CREDITS");
    await credits.expireGrants(db);
    expect(await ledgerState(u)).toMatchObject({ balance: 5, ledgerSum: 5, grantsSum: 5 });
  });

  it("grants monthly credits once per month, to the accounts a run is limited to", async () => {
    const u = await userWith(0);
    const other = await userWith(0);
    const now = new Date(Date.UTC(2031, 4, 17));
    // Limited to `u`: the other files' accounts in this database keep the balances they assert.
    await credits.grantMonthly(db, now, { only: [u] });
    await credits.grantMonthly(db, now, { only: [u] });
    await credits.grantMonthly(db, now, { only: [] });
    const monthly = (user: string) =>
      asSystem(db, (tx) =>
        tx
          .selectFrom("credit_grants")
          .select(["amount", "expires_at"])
          .where("user_id", "=", user)
          .where("source", "=", "monthly")
          .execute(),
      );
    expect(await monthly(u)).toEqual([{ amount: 500, expires_at: new Date(Date.UTC(2031, 5, 1)) }]);
    expect(await monthly(other)).toEqual([]);
  });

  it("notifies at 80% and at 100% spent, once each", async () => {
    const u = await userWith(10);
    for (let i = 0; i < 5; i++) {
      await as(u, (tx) => credits.charge(tx, u, { operation: "chat.reply", idempotencyKey: `n${i}`, request: { i } }));
    }
    const kinds = (await as(u, (tx) => notifications.list(tx))).map((x) => x.kind).sort();
    expect(kinds).toEqual(["credits.empty", "credits.low"]);
  });

  it("reconciliation finds a tampered balance", async () => {
    const u = await userWith(40);
    expect((await credits.reconcile(db, log)).filter((d) => d.userId === u)).toEqual([]);
    await asSystem(db, (tx) => tx.updateTable("credit_accounts").set({ balance: 47 }).where("user_id", "=", u).execute());
    const drift = (await credits.reconcile(db, log)).find((d) => d.userId === u);
    expect(drift).toMatchObject({ balance: 47, ledgerBalance: 40, grants: 40 });
    await asSystem(db, (tx) => tx.updateTable("credit_accounts").set({ balance: 40 }).where("user_id", "=", u).execute());
  });
});

describe("the price list", () => {
  it("lists only what can be run today; operations of modules to come keep their prices in code", () => {
    expect(credits.priceList().map((p) => p.operation)).toEqual([
      "chat.reply",
      "writer.generate",
      "writer.iterate",
      "voice.analyze",
      // The studio's (session 13): each page's cost label reads its price from this list.
      "image.describe",
      "image.generate",
      "voice.speak",
      // Stories' transcription of a recorded answer (shipped in session 12).
      "audio.transcribe",
      // Study (session 14): material generated, quiz grading and writing scores.
      "study.generate",
      "study.grade",
      "study.score-writing",
    ]);
    for (const p of credits.priceList())
      expect(p).toEqual({ operation: p.operation, credits: credits.priceOf(p.operation), description: expect.any(String) });
    expect(credits.priceOf("image.generate")).toBe(40);
  });
});

describe("history", () => {
  it("pages through entries written in the same millisecond without skipping or repeating", async () => {
    const u = await userWith(0);
    await asSystem(db, async (tx) => {
      for (let i = 0; i < 9; i++) await credits.grant(tx, u, { source: "bonus", amount: 1 + i, idempotencyKey: `p${i}` });
    });
    const all = await as(u, (tx) => credits.history(tx, { limit: 100 }));
    const seen: string[] = [];
    let cursor: { createdAt: Date; id: string } | undefined;
    for (let page = 0; page < 10; page++) {
      const rows = await as(u, (tx) => credits.history(tx, { limit: 3, ...(cursor ? { cursor } : {}) }));
      seen.push(...rows.map((r) => r.id));
      const last = rows[rows.length - 1];
      if (rows.length < 3 || !last) break;
      // The cursor goes through JSON to the browser and back: a Date with millisecond precision.
      cursor = JSON.parse(JSON.stringify({ createdAt: last.createdAt, id: last.id }), (k, v) =>
        k === "createdAt" ? new Date(v) : v,
      );
    }
    expect(seen).toEqual(all.map((r) => r.id));
    expect(all).toHaveLength(9);
  });

  it("shows one line per operation with where it stands, not one per ledger entry", async () => {
    const u = await userWith(1000);
    const hold = (key: string, operation: string) =>
      as(u, (tx) => credits.hold(tx, u, { operation, idempotencyKey: key, request: { key } }));
    const settled = await hold("settled", "writer.generate");
    await as(u, (tx) => credits.capture(tx, u, settled.holdId, 7));
    const released = await hold("released", "chat.reply");
    await as(u, (tx) => credits.release(tx, u, released.holdId, "The generation failed"));
    const stoppedEarly = await hold("stopped-early", "chat.reply");
    await as(u, (tx) => credits.capture(tx, u, stoppedEarly.holdId, 0));
    const running = await hold("running", "voice.analyze");
    const refundedHold = await hold("refunded-hold", "writer.iterate");
    await as(u, (tx) => credits.capture(tx, u, refundedHold.holdId, 4));
    const charged = await as(u, (tx) =>
      credits.charge(tx, u, { operation: "chat.reply", idempotencyKey: "charged", request: {} }),
    );
    const refundedCharge = await as(u, (tx) =>
      credits.charge(tx, u, { operation: "writer.generate", idempotencyKey: "refunded-charge", request: {} }),
    );
    await asSystem(db, async (tx) => {
      await credits.refund(tx, u, refundedCharge.ledgerId, "Output was empty");
      const capture = await tx
        .selectFrom("credit_ledger")
        .select("id")
        .where("hold_id", "=", refundedHold.holdId)
        .where("entry_type", "=", "capture")
        .executeTakeFirstOrThrow();
      await credits.refund(tx, u, capture.id, "Support refund");
    });

    const lines = await as(u, (tx) => credits.history(tx, { limit: 100 }));
    const ledgerRows = await asSystem(db, (tx) => tx.selectFrom("credit_ledger").select("id").where("user_id", "=", u).execute());
    // 14 ledger entries (a grant, 5 reservations, 4 settlements, 2 charges, 2 refunds) read as 8 lines.
    expect(ledgerRows.length).toBe(14);
    expect(lines).toHaveLength(8);
    const pick = (l: (typeof lines)[number]) => [l.operation, l.state, l.amount, l.reserved, l.charged, l.refunded, l.note];
    // Newest first; separate transactions may share a millisecond (then ids break the tie), so compare as a set.
    expect(lines.map(pick)).toEqual(
      expect.arrayContaining([
        ["writer.generate", "refunded", 0, 0, 10, 10, "Output was empty"],
        ["chat.reply", "charged", -2, 0, 2, 0, null],
        ["writer.iterate", "refunded", 0, 4, 4, 4, "Support refund"],
        ["voice.analyze", "reserved", 0, 15, 0, 0, null],
        ["chat.reply", "released", 0, 2, 0, 0, null],
        ["chat.reply", "released", 0, 2, 0, 0, "The generation failed"],
        ["writer.generate", "charged", -7, 10, 7, 0, null],
        [null, "added", 1000, 0, 0, 0, "bonus"],
      ]),
    );
    // Each line is its opening entry; settling happens later and is dated as such.
    expect(lines.map((l) => l.id)).toContain(charged.ledgerId);
    for (const l of lines) expect(l.updatedAt.getTime()).toBeGreaterThanOrEqual(l.createdAt.getTime());
    expect(lines.map((l) => l.type).sort()).toEqual(["charge", "charge", "grant", "hold", "hold", "hold", "hold", "hold"]);

    // A reservation still running reads "reserved" until it settles, then "charged", in the same line.
    await as(u, (tx) => credits.capture(tx, u, running.holdId, 15));
    const after = await as(u, (tx) => credits.history(tx, { limit: 100, states: ["charged"] }));
    expect(after.map((l) => `${l.operation} ${l.charged}`).sort()).toEqual([
      "chat.reply 2",
      "voice.analyze 15",
      "writer.generate 7",
    ]);
    expect(
      (await as(u, (tx) => credits.history(tx, { limit: 100, states: ["released", "refunded"], operation: "chat.reply" })))
        .length,
    ).toBe(2);
  });

  it("says how many credits are needed and available when they are short", async () => {
    const u = await userWith(3);
    const error = await as(u, (tx) =>
      credits.charge(tx, u, { operation: "writer.generate", idempotencyKey: "short", request: {} }),
    ).catch((e) => e);
    expect(error.details.credits).toEqual({ needed: 10, available: 3 });
  });
});

describe("the ledger model (property-based, against the real database)", () => {
  type Cmd =
    | { kind: "grant"; amount: number }
    | { kind: "charge"; cost: "chat.reply" | "writer.generate"; key: number; now: boolean }
    | { kind: "hold"; key: number }
    | { kind: "capture"; key: number; used: number }
    | { kind: "release"; key: number }
    | { kind: "refund"; key: number };

  const cmd: fc.Arbitrary<Cmd> = fc.oneof(
    fc.record({ kind: fc.constant("grant" as const), amount: fc.integer({ min: 1, max: 60 }) }),
    fc.record({
      kind: fc.constant("charge" as const),
      cost: fc.constantFrom("chat.reply" as const, "writer.generate" as const),
      key: fc.nat(4),
      // Delivered inside the caller's transaction, or as chargeNow (its own one-message transaction).
      now: fc.boolean(),
    }),
    fc.record({ kind: fc.constant("hold" as const), key: fc.nat(3) }),
    fc.record({ kind: fc.constant("capture" as const), key: fc.nat(3), used: fc.integer({ min: 0, max: 40 }) }),
    fc.record({ kind: fc.constant("release" as const), key: fc.nat(3) }),
    fc.record({ kind: fc.constant("refund" as const), key: fc.nat(4) }),
  );

  it("never ends with balance ≠ ledger sum, a negative balance or a double refund, under duplicate deliveries", async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(cmd, { minLength: 1, maxLength: 14 }), fc.boolean(), async (cmds, duplicate) => {
        const u = await userWith(20);
        run++;
        const holds = new Map<number, string>();
        const charges = new Map<number, string>();
        let expected = 20;
        for (const c of cmds) {
          // Duplicate delivery: every command may arrive twice (a retried request or job).
          for (let attempt = 0; attempt < (duplicate ? 2 : 1); attempt++) {
            const r = await codeOf(
              (async () => {
                if (c.kind === "grant") {
                  const g = await asSystem(db, (tx) =>
                    credits.grant(tx, u, {
                      source: "bonus",
                      amount: c.amount,
                      idempotencyKey: `g${run}-${c.amount}-${expected}`,
                    }),
                  );
                  if (g.granted) expected += c.amount;
                } else if (c.kind === "charge") {
                  const input = { operation: c.cost, idempotencyKey: `c${c.key}`, request: { cost: c.cost } };
                  const r = c.now ? await credits.chargeNow(db, u, input) : await as(u, (tx) => credits.charge(tx, u, input));
                  if (!r.replayed) expected -= r.charged;
                  charges.set(c.key, r.ledgerId);
                } else if (c.kind === "hold") {
                  const h = await as(u, (tx) =>
                    credits.hold(tx, u, { operation: "image.generate", idempotencyKey: `h${c.key}`, request: {} }),
                  );
                  holds.set(c.key, h.holdId);
                } else if (c.kind === "capture" && holds.has(c.key)) {
                  const r = await as(u, (tx) => credits.capture(tx, u, holds.get(c.key)!, c.used));
                  if (!r.replayed) expected -= r.captured;
                } else if (c.kind === "release" && holds.has(c.key)) {
                  await as(u, (tx) => credits.release(tx, u, holds.get(c.key)!));
                } else if (c.kind === "refund" && charges.has(c.key)) {
                  const r = await asSystem(db, (tx) => credits.refund(tx, u, charges.get(c.key)!));
                  if (!r.replayed) expected += r.refunded;
                }
              })(),
            );
            expect(["OK", "INSUFFICIENT_CREDITS", "CONFLICT", "PRECONDITION_FAILED"]).toContain(r);
          }
        }
        const s = await ledgerState(u);
        expect(s.balance).toBe(s.ledgerSum);
        expect(s.balance).toBe(s.grantsSum);
        expect(s.held).toBe(s.ledgerHeld);
        expect(s.balance).toBe(expected);
        expect(s.balance).toBeGreaterThanOrEqual(s.held);
        const refunds = await asSystem(db, (tx) =>
          tx
            .selectFrom("credit_ledger")
            .select(["refund_of"])
            .where("user_id", "=", u)
            .where("entry_type", "=", "refund")
            .execute(),
        );
        expect(new Set(refunds.map((r) => r.refund_of)).size).toBe(refunds.length);
      }),
      { numRuns: 25 },
    );
  });
});

describe("chargeNow when the connection fails", () => {
  /**
   * A TCP proxy in front of the test database. `cutAfterCharge`: the first message carrying a charge
   * reaches the server, which runs and commits it, but the client's connection is cut before the
   * answer arrives (the client cannot know the outcome). `refuseAll`: every connection is dropped.
   */
  async function proxy(mode: "cutAfterCharge" | "refuseAll") {
    const target = new URL(inject("databaseUrl"));
    let connections = 0;
    let cut = false;
    const sockets: Socket[] = [];
    const server = createServer((client) => {
      connections++;
      sockets.push(client);
      if (mode === "refuseAll") {
        client.destroy();
        return;
      }
      const upstream = connect(Number(target.port || 5432), target.hostname);
      sockets.push(upstream);
      let swallowing = false;
      client.on("data", (d) => {
        if (!cut && d.includes("app.charge_credits")) {
          cut = true;
          swallowing = true;
        }
        upstream.write(d);
      });
      upstream.on("data", (d) => {
        if (!swallowing) {
          client.write(d);
          return;
        }
        client.destroy();
        // Let the server finish the message (its COMMIT) before this connection goes too.
        if (d.at(-6) === 0x5a) upstream.end();
      });
      client.on("error", () => upstream.destroy());
      upstream.on("error", () => client.destroy());
      client.on("close", () => {
        if (!swallowing) upstream.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = new URL(target);
    url.hostname = "127.0.0.1";
    url.port = String((server.address() as AddressInfo).port);
    const proxied = createDb({ url: url.toString(), max: 4 });
    return {
      db: proxied.db,
      connections: () => connections,
      async close() {
        await proxied.db.destroy();
        for (const s of sockets) s.destroy();
        await new Promise((resolve) => server.close(resolve));
      },
    };
  }

  it("a charge committed on a connection lost before its answer is reported as the charge it was, not an error", async () => {
    const u = await userWith(10);
    const p = await proxy("cutAfterCharge");
    try {
      const result = await credits.chargeNow(p.db, u, { operation: "chat.reply", idempotencyKey: "lost-answer", request: {} });
      // It was charged (the database committed it): the caller gets that charge, once.
      const entries = await asSystem(db, (tx) =>
        tx.selectFrom("credit_ledger").select("id").where("user_id", "=", u).where("entry_type", "=", "charge").execute(),
      );
      expect(entries).toHaveLength(1);
      expect(result.ledgerId).toBe(entries[0]?.id);
      expect(result.charged).toBe(2);
      expect(await ledgerState(u)).toMatchObject({ balance: 8, ledgerSum: 8, grantsSum: 8 });
    } finally {
      await p.close();
    }
  });

  it("a connection lost inside a caller's transaction fails that call only: not charged, the process and the pool carry on", async () => {
    const u = await userWith(10);
    const p = await proxy("cutAfterCharge");
    try {
      const charge = (key: string) =>
        asUser(p.db, u, (tx) => credits.charge(tx, u, { operation: "chat.reply", idempotencyKey: key, request: {} }));
      await expect(charge("cut")).rejects.toThrow(/Connection terminated/);
      // A transaction whose connection went away is rolled back by the server.
      expect(await ledgerState(u)).toMatchObject({ balance: 10, ledgerSum: 10, grantsSum: 10 });
      // The lost client was discarded, not handed to the next caller.
      expect((await charge("after")).charged).toBe(2);
    } finally {
      await p.close();
    }
  });

  it("with the database unreachable, a waiting batch fails as a batch (not one connection attempt per charge)", async () => {
    const u = await userWith(100);
    const p = await proxy("refuseAll");
    try {
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) =>
          credits.chargeNow(p.db, u, { operation: "knowledge.embed", idempotencyKey: `down-${i}`, request: { i } }),
        ),
      );
      expect(results.every((r) => r.status === "rejected")).toBe(true);
      // The first charge alone and then the other 19 together, each tried at most twice.
      expect(p.connections()).toBeLessThanOrEqual(4);
    } finally {
      await p.close();
    }
  });
});
