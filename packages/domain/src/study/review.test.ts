/**
 * Flashcard review on a real database: FSRS scheduling equals ts-fsrs's own for a recorded history, the
 * due queue across two sets (overdue first, the limit, the daily new-card limit), idempotent rating,
 * session results, streaks in the profile's time zone, one user never reaching another's cards, and the
 * review log refusing UPDATE and DELETE in the database itself.
 */
import { randomUUID } from "node:crypto";
import { asSystem, asUser, createDb } from "@inkwell/db";
import type {} from "@inkwell/db/testing";
import { sql } from "kysely";
import { createEmptyCard, fsrs, type Grade } from "ts-fsrs";
import { afterAll, describe, expect, inject, it } from "vitest";
import { DomainError } from "../platform/errors.ts";
import { library, review } from "./index.ts";

const { db } = createDb({ url: inject("databaseUrl"), max: 4 });
afterAll(() => db.destroy());

let n = 0;
const newUser = () =>
  asSystem(db, async (tx) => {
    const u = await tx
      .insertInto("users")
      .values({ email: `review-${Date.now()}-${++n}@example.test`, password_hash: "x" })
      .returning("id")
      .executeTakeFirstOrThrow();
    return u.id;
  });

const cards = (prefix: string, count: number) =>
  Array.from({ length: count }, (_, i) => ({
    id: `${prefix}-${i + 1}`,
    front: `${prefix} front ${i + 1}`,
    back: `back ${i + 1}`,
  }));

const newSet = (userId: string, title: string, count: number, prefix = "c") =>
  asUser(db, userId, (tx) =>
    library.create(tx, userId, { itemType: "flashcard", title, content: { cards: cards(prefix, count) } }),
  ).then((item) => item.id);

const rate = (
  userId: string,
  itemId: string,
  cardId: string,
  rating: number,
  now: Date,
  sessionId = randomUUID(),
  reviewIndex = 0,
) =>
  asUser(db, userId, (tx) => review.rate(tx, userId, { itemId, cardId, rating, durationMs: 1200, sessionId, reviewIndex, now }));

const due = (userId: string, now: Date, limit: number, itemId?: string) =>
  asUser(db, userId, (tx) => review.due(tx, { now, limit, itemId }));

async function rejects(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => {
      throw new Error("expected a rejection");
    },
    (e: unknown) => e,
  );
}

const day = 86_400_000;
const at = (iso: string) => new Date(iso);

describe("scheduling", () => {
  it("matches ts-fsrs replaying a recorded history (due, stability, difficulty, state after every rating)", async () => {
    const alice = await newUser();
    const setId = await newSet(alice, "Capitals", 1);
    const history: [string, Grade][] = [
      ["2026-01-01T09:00:00Z", 3],
      ["2026-01-01T09:10:30Z", 3],
      ["2026-01-02T08:00:00Z", 1],
      ["2026-01-02T08:05:00Z", 2],
      ["2026-01-02T08:20:00Z", 3],
      ["2026-01-05T19:45:00Z", 4],
      ["2026-01-20T07:00:00Z", 3],
      ["2026-03-01T12:00:00Z", 1],
      ["2026-03-01T12:11:00Z", 3],
    ];
    const f = fsrs();
    let expected = createEmptyCard(at(history[0]?.[0] ?? ""));
    const session = randomUUID();
    for (const [i, [when, grade]] of history.entries()) {
      const got = await rate(alice, setId, "c-1", grade, at(when), session, i);
      expected = f.next(expected, at(when), grade).card;
      const state = await asUser(db, alice, (tx) =>
        tx.selectFrom("study_card_states").selectAll().where("item_id", "=", setId).executeTakeFirstOrThrow(),
      );
      expect(state.due.toISOString()).toBe(expected.due.toISOString());
      expect(state.stability).toBe(expected.stability);
      expect(state.difficulty).toBe(expected.difficulty);
      expect(state.state).toBe(expected.state);
      expect(state.reps).toBe(expected.reps);
      expect(state.lapses).toBe(expected.lapses);
      expect(got.due).toBe(expected.due.toISOString());
      expect(got.recorded).toBe(true);
    }
    expect(expected.lapses).toBe(2);
  });

  it("a retried rate (same session, card, review index) answers the same result and writes nothing", async () => {
    const alice = await newUser();
    const setId = await newSet(alice, "Retry", 2);
    const session = randomUUID();
    const now = at("2026-02-01T10:00:00Z");
    const first = await rate(alice, setId, "c-1", 3, now, session, 0);
    const again = await rate(alice, setId, "c-1", 1, new Date(now.getTime() + 60_000), session, 0);
    expect(again).toEqual({ ...first, recorded: false });
    const [logs, state] = await asUser(db, alice, async (tx) => [
      await tx.selectFrom("study_review_logs").select(["rating"]).where("item_id", "=", setId).execute(),
      await tx.selectFrom("study_card_states").selectAll().where("item_id", "=", setId).executeTakeFirstOrThrow(),
    ]);
    expect(logs).toEqual([{ rating: 3 }]);
    expect(state.due.toISOString()).toBe(first.due);
    // Two at once (two tabs): the row lock makes the second a retry.
    const [x, y] = await Promise.all([
      rate(alice, setId, "c-2", 4, now, session, 0),
      rate(alice, setId, "c-2", 4, now, session, 0),
    ]);
    expect([x.recorded, y.recorded].sort()).toEqual([false, true]);
    expect(x.due).toBe(y.due);
  });

  it("refuses an unknown card or a set that is not a flashcard set", async () => {
    const alice = await newUser();
    const setId = await newSet(alice, "Small", 1);
    const err = await rejects(rate(alice, setId, "c-9", 3, new Date()));
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).code).toBe("NOT_FOUND");
    const bad = await rejects(rate(alice, setId, "c-1", 5, new Date()));
    expect(bad).toBeTruthy();
  });
});

describe("the due queue", () => {
  it("across two sets: overdue first, due before new, the limit respected, new cards capped per day", async () => {
    const alice = await newUser();
    const a = await newSet(alice, "Set A", 15, "a");
    const b = await newSet(alice, "Set B", 15, "b");
    // Reviews a week apart: each Easy first rating schedules days ahead, so by March all four are overdue,
    // b-1 (rated first) the most.
    await rate(alice, b, "b-1", 4, at("2026-01-01T10:00:00Z"));
    await rate(alice, a, "a-1", 4, at("2026-01-08T10:00:00Z"));
    await rate(alice, b, "b-2", 4, at("2026-01-15T10:00:00Z"));
    await rate(alice, a, "a-2", 4, at("2026-01-22T10:00:00Z"));
    const now = at("2026-03-01T10:00:00Z");

    const three = await due(alice, now, 3);
    expect(three.cards.map((c) => c.cardId)).toEqual(["b-1", "a-1", "b-2"]);
    expect(three.dueNow).toBe(4);

    const queue = await due(alice, now, 100);
    const dueCards = queue.cards.filter((c) => c.state !== "new");
    expect(dueCards.map((c) => c.cardId)).toEqual(["b-1", "a-1", "b-2", "a-2"]);
    expect(queue.cards.slice(0, 4)).toEqual(dueCards);
    const fresh = queue.cards.filter((c) => c.state === "new");
    expect(fresh).toHaveLength(20); // 26 never rated, but the daily limit is 20
    expect(fresh[0]).toMatchObject({ itemId: a, cardId: "a-3", front: "a front 3", itemTitle: "Set A" });
    expect((await asUser(db, alice, (tx) => review.stats(tx, { now }))).newAvailable).toBe(20);
    for (const c of queue.cards) expect(c.previews.map((p) => p.rating)).toEqual([1, 2, 3, 4]);

    // Five new cards begun today leave 15 for today.
    for (const id of ["a-3", "a-4", "a-5", "a-6", "a-7"]) await rate(alice, a, id, 3, now);
    const later = await due(alice, new Date(now.getTime() + 60 * 60_000), 100);
    expect(later.cards.filter((c) => c.state === "new")).toHaveLength(15);
    expect((await asUser(db, alice, (tx) => review.stats(tx, { now }))).newAvailable).toBe(15);

    // One set only.
    const onlyB = await due(alice, now, 100, b);
    expect(new Set(onlyB.cards.map((c) => c.itemId))).toEqual(new Set([b]));
  });

  it("a card rated Again comes back within the session (learning step inside the learn-ahead window)", async () => {
    const alice = await newUser();
    const a = await newSet(alice, "Again", 1);
    const now = at("2026-04-01T10:00:00Z");
    await rate(alice, a, "c-1", 1, now);
    const q = await due(alice, new Date(now.getTime() + 1000), 10);
    expect(q.cards.map((c) => [c.cardId, c.state])).toEqual([["c-1", "learning"]]);
  });
});

describe("sessions and stats", () => {
  it("finishing a session stores known (first rating Good/Easy) and unknown cards once", async () => {
    const alice = await newUser();
    const a = await newSet(alice, "Session", 3);
    const session = randomUUID();
    const now = at("2026-05-01T10:00:00Z");
    await rate(alice, a, "c-1", 3, now, session, 0);
    await rate(alice, a, "c-2", 1, now, session, 0);
    await rate(alice, a, "c-3", 4, now, session, 0);
    await rate(alice, a, "c-2", 3, new Date(now.getTime() + 70_000), session, 1);
    const result = await asUser(db, alice, (tx) => review.finishSession(tx, alice, { sessionId: session }));
    expect(result).toMatchObject({ itemId: a, knownCount: 2, unknownCount: 1, totalCards: 3 });
    expect(result.cardsStatus.find((c) => c.cardId === "c-2")).toMatchObject({ known: false, rating: 1 });
    const twice = await asUser(db, alice, (tx) => review.finishSession(tx, alice, { sessionId: session }));
    expect(twice.id).toBe(result.id);
    const empty = await rejects(asUser(db, alice, (tx) => review.finishSession(tx, alice, { sessionId: randomUUID() })));
    expect((empty as DomainError).code).toBe("INVALID_INPUT");
  });

  it("counts due today, reviewed today and streaks of consecutive days (a day missed ends one)", async () => {
    const alice = await newUser();
    const a = await newSet(alice, "Streaks", 10);
    // Days 1, 2, 3 (a run of 3), then 5 and 6 (a run of 2).
    const days = ["2026-06-01", "2026-06-02", "2026-06-03", "2026-06-05", "2026-06-06"];
    for (const [i, d] of days.entries()) await rate(alice, a, `c-${i + 1}`, 3, at(`${d}T12:00:00Z`));
    const on = (iso: string) => asUser(db, alice, (tx) => review.stats(tx, { now: at(iso) }));
    const s6 = await on("2026-06-06T20:00:00Z");
    expect(s6).toMatchObject({ currentStreak: 2, bestStreak: 3, reviewedToday: 1, timeZone: "UTC" });
    expect((await on("2026-06-07T09:00:00Z")).currentStreak).toBe(2); // yesterday counts until today ends
    expect((await on("2026-06-08T09:00:00Z")).currentStreak).toBe(0);
    const s8 = await on("2026-06-08T09:00:00Z");
    expect(s8.bestStreak).toBe(3);
    expect(s8.dueNow).toBe(5);
    expect(s8.dueToday).toBe(5);
    expect(s8.newAvailable).toBe(5);
  });

  it("uses the profile's time zone for days: 23:30 in Auckland is the next UTC day's morning", async () => {
    const bob = await newUser();
    await asSystem(db, (tx) =>
      sql`INSERT INTO profiles (user_id, preferences) VALUES (${bob}, '{"timeZone":"Pacific/Auckland"}')
          ON CONFLICT (user_id) DO UPDATE SET preferences = EXCLUDED.preferences`.execute(tx),
    );
    const a = await newSet(bob, "Zones", 3);
    // 2026-07-01 11:30 UTC is 23:30 on July 1st in Auckland (UTC+12); 12:30 UTC is July 2nd there.
    await rate(bob, a, "c-1", 3, at("2026-07-01T11:30:00Z"));
    await rate(bob, a, "c-2", 3, at("2026-07-01T12:30:00Z"));
    const s = await asUser(db, bob, (tx) => review.stats(tx, { now: at("2026-07-01T13:00:00Z") }));
    expect(s).toMatchObject({ timeZone: "Pacific/Auckland", currentStreak: 2, reviewedToday: 1 });
  });
});

describe("isolation", () => {
  it("another user cannot rate, queue, finish or read someone's cards, logs or results", async () => {
    const [alice, bob] = [await newUser(), await newUser()];
    const a = await newSet(alice, "Private", 2);
    const session = randomUUID();
    await rate(alice, a, "c-1", 3, new Date(), session);
    await asUser(db, alice, (tx) => review.finishSession(tx, alice, { sessionId: session }));

    const err = await rejects(rate(bob, a, "c-2", 3, new Date()));
    expect((err as DomainError).code).toBe("NOT_FOUND");
    const q = await due(bob, new Date(Date.now() + 30 * day), 100);
    expect(q.cards).toEqual([]);
    const scoped = await rejects(due(bob, new Date(), 10, a));
    expect((scoped as DomainError).code).toBe("NOT_FOUND");
    const fin = await rejects(asUser(db, bob, (tx) => review.finishSession(tx, bob, { sessionId: session })));
    expect((fin as DomainError).code).toBe("INVALID_INPUT");
    const seen = await asUser(db, bob, async (tx) => ({
      states: await tx.selectFrom("study_card_states").select("id").execute(),
      logs: await tx.selectFrom("study_review_logs").select("id").execute(),
      results: await tx.selectFrom("flashcard_results").select("id").execute(),
    }));
    expect(seen).toEqual({ states: [], logs: [], results: [] });
    // Nor plant a card state on her set under his own name.
    const planted = await rejects(
      asUser(db, bob, (tx) =>
        tx
          .insertInto("study_card_states")
          .values({ user_id: bob, item_id: a, card_id: "c-2", due: new Date(), stability: 0, difficulty: 0, state: 0 })
          .execute(),
      ),
    );
    expect(String(planted)).toMatch(/row-level security/);
  });

  it("the review log is append-only: the database refuses a user's UPDATE and DELETE", async () => {
    const alice = await newUser();
    const a = await newSet(alice, "Log", 1);
    await rate(alice, a, "c-1", 1, new Date());
    const upd = await rejects(asUser(db, alice, (tx) => tx.updateTable("study_review_logs").set({ rating: 4 }).execute()));
    expect(String(upd)).toMatch(/permission denied/);
    const del = await rejects(asUser(db, alice, (tx) => tx.deleteFrom("study_review_logs").execute()));
    expect(String(del)).toMatch(/permission denied/);
    const logs = await asUser(db, alice, (tx) => tx.selectFrom("study_review_logs").select("rating").execute());
    expect(logs).toEqual([{ rating: 1 }]);
  });
});
