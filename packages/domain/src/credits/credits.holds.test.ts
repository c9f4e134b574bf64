/**
 * Holds, captures and releases as one SQL call each (migration 0067): the same rules as when the
 * service ran them statement by statement: idempotency, the spendable check under the account lock,
 * the order of refusals, row-level security inside the functions, the ledger and the alerts.
 */
import { asSystem, asUser, createDb, type Tx } from "@inkwell/db";
import type {} from "@inkwell/db/testing";
import { sql } from "kysely";
import { afterAll, describe, expect, inject, it } from "vitest";
import { notifications } from "../notifications/index.ts";
import { DomainError } from "../platform/errors.ts";
import * as credits from "./credits.service.ts";

const { db } = createDb({ url: inject("databaseUrl"), max: 12 });
afterAll(() => db.destroy());

let n = 0;
async function userWith(amount: number): Promise<string> {
  return asSystem(db, async (tx) => {
    const u = await tx
      .insertInto("users")
      .values({ email: `holds-${Date.now()}-${++n}@example.test`, password_hash: "x" })
      .returning("id")
      .executeTakeFirstOrThrow();
    await credits.grant(tx, u.id, { source: "bonus", amount, idempotencyKey: "start" });
    return u.id;
  });
}

const as = <T>(userId: string, fn: (tx: Tx) => Promise<T>) => asUser(db, userId, fn);

async function refusal(p: Promise<unknown>) {
  try {
    await p;
    return "OK";
  } catch (e) {
    if (e instanceof DomainError) return { code: e.code, message: e.message, details: e.details };
    throw e;
  }
}

async function state(userId: string) {
  return asSystem(db, async (tx) => {
    const r = await sql<{ balance: number; held: number; ledger: number; ledger_held: number; grants: number }>`
      SELECT a.balance, a.held,
             (SELECT coalesce(sum(amount), 0)::int FROM credit_ledger WHERE user_id = a.user_id) AS ledger,
             (SELECT coalesce(sum(held_delta), 0)::int FROM credit_ledger WHERE user_id = a.user_id) AS ledger_held,
             (SELECT coalesce(sum(remaining), 0)::int FROM credit_grants WHERE user_id = a.user_id) AS grants
        FROM credit_accounts a WHERE a.user_id = ${userId}`.execute(tx);
    return r.rows[0];
  });
}

describe("holds in one call", () => {
  it("200 concurrent 1-credit holds on 100 credits: exactly 100 are held, the rest told what is available", async () => {
    const u = await userWith(100);
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        refusal(
          as(u, (tx) => credits.hold(tx, u, { operation: "knowledge.embed", amount: 1, idempotencyKey: `h${i}`, request: {} })),
        ),
      ),
    );
    expect(results.filter((r) => r === "OK")).toHaveLength(100);
    const refused = results.filter((r) => r !== "OK");
    expect(refused).toHaveLength(100);
    for (const r of refused)
      expect(r).toMatchObject({ code: "INSUFFICIENT_CREDITS", details: { credits: { needed: 1, available: 0 } } });
    expect(await state(u)).toEqual({ balance: 100, held: 100, ledger: 100, ledger_held: 100, grants: 100 });
  });

  it("the same key and request is the same hold (with what became of it); another request under it is CONFLICT", async () => {
    const u = await userWith(100);
    const input = { operation: "image.generate", idempotencyKey: "it's; \\ ✓", request: { prompt: "a cat" } };
    const first = await as(u, (tx) => credits.hold(tx, u, input));
    expect(first).toMatchObject({ amount: 40, status: "held", replayed: false });
    expect(await as(u, (tx) => credits.hold(tx, u, input))).toEqual({ ...first, replayed: true });
    await as(u, (tx) => credits.capture(tx, u, first.holdId, 30));
    expect(await as(u, (tx) => credits.hold(tx, u, input))).toEqual({ ...first, status: "captured", replayed: true });
    expect(await refusal(as(u, (tx) => credits.hold(tx, u, { ...input, request: { prompt: "a dog" } })))).toMatchObject({
      code: "CONFLICT",
    });
    expect(await state(u)).toEqual({ balance: 70, held: 0, ledger: 70, ledger_held: 0, grants: 70 });
  });

  it("a hold of nothing or of a fraction is refused before the database is asked", async () => {
    const u = await userWith(10);
    for (const amount of [0, -3, 1.5]) {
      expect(
        await refusal(
          as(u, (tx) => credits.hold(tx, u, { operation: "chat.reply", amount, idempotencyKey: `z${amount}`, request: {} })),
        ),
      ).toMatchObject({ code: "INVALID_INPUT" });
    }
  });

  it("capture checks the hold's state first, then the amount: out of range is INVALID_INPUT naming what is reserved", async () => {
    const u = await userWith(100);
    const h = await as(u, (tx) => credits.hold(tx, u, { operation: "image.generate", idempotencyKey: "c", request: {} }));
    for (const used of [41, -1, 2.5, 2 ** 40]) {
      expect(await refusal(as(u, (tx) => credits.capture(tx, u, h.holdId, used)))).toMatchObject({
        code: "INVALID_INPUT",
        message: "Captured credits must be between 0 and the 40 reserved.",
      });
    }
    expect(await as(u, (tx) => credits.capture(tx, u, h.holdId, 0))).toEqual({ captured: 0, replayed: false });
    // Captured: any later capture answers the first, whatever it asks.
    expect(await as(u, (tx) => credits.capture(tx, u, h.holdId, 2.5))).toEqual({ captured: 0, replayed: true });
    expect(await refusal(as(u, (tx) => credits.release(tx, u, h.holdId)))).toMatchObject({ code: "PRECONDITION_FAILED" });

    const r = await as(u, (tx) => credits.hold(tx, u, { operation: "image.generate", idempotencyKey: "r", request: {} }));
    expect(await as(u, (tx) => credits.release(tx, u, r.holdId, "failed"))).toEqual({ released: true, replayed: false });
    expect(await as(u, (tx) => credits.release(tx, u, r.holdId))).toEqual({ released: true, replayed: true });
    expect(await refusal(as(u, (tx) => credits.capture(tx, u, r.holdId, 1)))).toMatchObject({ code: "PRECONDITION_FAILED" });
    const note = await asSystem(db, (tx) =>
      tx
        .selectFrom("credit_ledger")
        .select("note")
        .where("hold_id", "=", r.holdId)
        .where("entry_type", "=", "release")
        .executeTakeFirstOrThrow(),
    );
    expect(note.note).toBe("failed");
    expect(await state(u)).toEqual({ balance: 100, held: 0, ledger: 100, ledger_held: 0, grants: 100 });
  });

  it("another user's hold is not found, to capture or release (row-level security inside the functions)", async () => {
    const owner = await userWith(100);
    const other = await userWith(100);
    const h = await as(owner, (tx) => credits.hold(tx, owner, { operation: "image.generate", idempotencyKey: "x", request: {} }));
    expect(await refusal(as(other, (tx) => credits.capture(tx, other, h.holdId, 1)))).toMatchObject({ code: "NOT_FOUND" });
    expect(await refusal(as(other, (tx) => credits.release(tx, other, h.holdId)))).toMatchObject({ code: "NOT_FOUND" });
    // Naming the owner from the other user's transaction finds no account either.
    expect(await refusal(as(other, (tx) => credits.capture(tx, owner, h.holdId, 1)))).toMatchObject({ code: "NOT_FOUND" });
    expect(await state(owner)).toMatchObject({ balance: 100, held: 40 });
  });

  it("a capture that spends the allowance leaves the 80% and 100% notices once each, as a charge does", async () => {
    const u = await userWith(100);
    // 60 left (no notice), 20 left (80% used), none left.
    for (const [i, used] of [40, 40, 20].entries()) {
      const h = await as(u, (tx) =>
        credits.hold(tx, u, { operation: "image.generate", amount: used, idempotencyKey: `a${i}`, request: {} }),
      );
      await as(u, (tx) => credits.capture(tx, u, h.holdId, used));
    }
    const notes = (await as(u, (tx) => notifications.list(tx))).map((x) => [x.kind, x.body]).sort();
    expect(notes).toEqual([
      ["credits.empty", "New generations need credits. Your monthly grant tops you up, or add credits now."],
      ["credits.low", "You have 20 credits left."],
    ]);
  });
});
