/**
 * Flashcard review through the API on the real database: a set's new cards queue up, rating them
 * (FSRS) drops the due count and fills today's stats, a retried rate writes nothing, finishing the
 * sitting stores known and unknown cards; a set shared with another user is reviewed under that user's
 * own card states; bad input is a BAD_REQUEST and another user reaches nothing of someone's review.
 */
import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectTrpcError, type Harness, startHarness } from "./harness.ts";

type User = Awaited<ReturnType<Harness["signUp"]>>;
let h: Harness;
let alice: User;
let bob: User;
let setId: string;

const CARDS = [
  { id: "mitosis", front: "What is mitosis?", back: "Cell division into two identical cells" },
  { id: "meiosis", front: "What is meiosis?", back: "Division into four sex cells" },
  { id: "atp", front: "What does ATP carry?", back: "Energy" },
];

beforeAll(async () => {
  h = await startHarness();
  [alice, bob] = [await h.signUp("review-alice"), await h.signUp("review-bob")];
  const item = await alice.caller.study.library.items.create({
    itemType: "flashcard",
    title: "Biology basics",
    content: { cards: CARDS },
  });
  setId = item.id;
}, 60_000);

afterAll(async () => {
  await h?.stop();
});

describe("reviewing a set", () => {
  it("queues its new cards, rates them, drops the due count and sums the sitting", async () => {
    const before = await alice.caller.study.review.due({ limit: 20 });
    expect(before.cards.map((c) => c.cardId)).toEqual(["mitosis", "meiosis", "atp"]);
    expect(await alice.caller.study.review.stats()).toMatchObject({ newAvailable: 3, dueNow: 0, reviewedToday: 0 });
    expect(before.cards[0]?.previews.map((p) => p.rating)).toEqual([1, 2, 3, 4]);
    // Again comes back in a minute, Easy in days: the previews say so before the user picks.
    const [again, , , easy] = before.cards[0]?.previews ?? [];
    expect(again?.intervalMs).toBeLessThan(10 * 60_000);
    expect(easy?.intervalMs).toBeGreaterThan(24 * 3600_000);

    const sessionId = randomUUID();
    const r1 = await alice.caller.study.review.rate({ itemId: setId, cardId: "mitosis", rating: 4, durationMs: 3000, sessionId });
    expect(r1).toMatchObject({ state: "review", recorded: true });
    const retry = await alice.caller.study.review.rate({
      itemId: setId,
      cardId: "mitosis",
      rating: 4,
      durationMs: 3000,
      sessionId,
    });
    expect(retry).toEqual({ ...r1, recorded: false });
    await alice.caller.study.review.rate({ itemId: setId, cardId: "meiosis", rating: 1, durationMs: 5000, sessionId });

    const after = await alice.caller.study.review.due({ limit: 20 });
    // mitosis is scheduled days ahead; meiosis is back in its learning step; atp is still new.
    expect(after.cards.map((c) => [c.cardId, c.state])).toEqual([
      ["meiosis", "learning"],
      ["atp", "new"],
    ]);

    const stats = await alice.caller.study.review.stats();
    expect(stats).toMatchObject({ reviewedToday: 2, currentStreak: 1, bestStreak: 1, dueNow: 1, newAvailable: 1 });

    const result = await alice.caller.study.review.finishSession({ sessionId });
    expect(result).toMatchObject({ itemId: setId, knownCount: 1, unknownCount: 1, totalCards: 2 });
    const rows = await h.raw(sql`SELECT count(*)::int AS n FROM study_review_logs WHERE session_id = ${sessionId}`);
    expect(rows.rows[0]).toEqual({ n: 2 });
  });

  it("refuses bad input as BAD_REQUEST and an unknown card as NOT_FOUND", async () => {
    const sessionId = randomUUID();
    await expectTrpcError(
      alice.caller.study.review.rate({ itemId: setId, cardId: "atp", rating: 5, durationMs: 1, sessionId }),
      "BAD_REQUEST",
    );
    await expectTrpcError(
      alice.caller.study.review.rate({ itemId: setId, cardId: "atp", rating: 3, durationMs: -1, sessionId }),
      "BAD_REQUEST",
    );
    await expectTrpcError(alice.caller.study.review.due({ limit: 1000 }), "BAD_REQUEST");
    await expectTrpcError(
      alice.caller.study.review.rate({ itemId: setId, cardId: "nope", rating: 3, durationMs: 1, sessionId }),
      "NOT_FOUND",
    );
    await expectTrpcError(alice.caller.study.review.finishSession({ sessionId }), "BAD_REQUEST");
  });
});

describe("another user", () => {
  it("reaches nothing of someone's set, queue, session or stats", async () => {
    const sessionId = randomUUID();
    await alice.caller.study.review.rate({ itemId: setId, cardId: "atp", rating: 3, durationMs: 1000, sessionId });
    await expectTrpcError(
      bob.caller.study.review.rate({ itemId: setId, cardId: "atp", rating: 3, durationMs: 1000, sessionId: randomUUID() }),
      "NOT_FOUND",
    );
    await expectTrpcError(bob.caller.study.review.due({ limit: 10, itemId: setId }), "NOT_FOUND");
    await expectTrpcError(bob.caller.study.review.stats({ itemId: setId }), "NOT_FOUND");
    await expectTrpcError(bob.caller.study.review.finishSession({ sessionId }), "BAD_REQUEST");
    const queue = await bob.caller.study.review.due({ limit: 50 });
    expect(queue.cards).toEqual([]);
    expect(await bob.caller.study.review.stats()).toMatchObject({ reviewedToday: 0, dueNow: 0, newAvailable: 0 });
  });

  it("reviews a set shared with them under their own card states, leaving the owner's untouched", async () => {
    await alice.caller.study.sharing.shareWithUser({ itemId: setId, email: bob.email });
    const queue = await bob.caller.study.review.due({ limit: 10, itemId: setId });
    expect(queue.cards.map((c) => c.cardId)).toEqual(["mitosis", "meiosis", "atp"]);
    const aliceBefore = await h.raw(
      sql`SELECT card_id, due FROM study_card_states WHERE item_id = ${setId} AND user_id = ${alice.me.id} ORDER BY card_id`,
    );
    await bob.caller.study.review.rate({ itemId: setId, cardId: "mitosis", rating: 3, durationMs: 900, sessionId: randomUUID() });
    const mine = await h.raw(sql`SELECT user_id FROM study_card_states WHERE item_id = ${setId} AND user_id = ${bob.me.id}`);
    expect(mine.rows).toHaveLength(1);
    const aliceAfter = await h.raw(
      sql`SELECT card_id, due FROM study_card_states WHERE item_id = ${setId} AND user_id = ${alice.me.id} ORDER BY card_id`,
    );
    expect(aliceAfter.rows).toEqual(aliceBefore.rows);
    // Begun, the shared set's cards join bob's general queue.
    const general = await bob.caller.study.review.due({ limit: 10 });
    expect(general.cards.some((c) => c.itemId === setId)).toBe(true);
  });

  it("counts as due only what the queue would show: not a set no longer shared, not a card edited out", async () => {
    const carol = await h.signUp("review-carol");
    const set = await alice.caller.study.library.items.create({
      itemType: "flashcard",
      title: "Counted sets",
      content: { cards: CARDS },
    });
    const share = await alice.caller.study.sharing.shareWithUser({ itemId: set.id, email: carol.email });
    const sessionId = randomUUID();
    // Again: each card is back in a minute, inside the learn-ahead window, so due now.
    for (const cardId of ["mitosis", "meiosis"])
      await carol.caller.study.review.rate({ itemId: set.id, cardId, rating: 1, durationMs: 500, sessionId });
    expect((await carol.caller.study.review.due({ limit: 10 })).dueNow).toBe(2);
    expect(await carol.caller.study.review.stats()).toMatchObject({ dueNow: 2, dueToday: 2 });

    // The owner edits "meiosis" out: the queue skips it, so the counts do too.
    await alice.caller.study.library.items.update({
      itemId: set.id,
      content: { cards: CARDS.filter((c) => c.id !== "meiosis") },
    });
    const edited = await carol.caller.study.review.due({ limit: 10 });
    expect(edited.cards.map((c) => c.cardId)).toEqual(["mitosis"]);
    expect(edited.dueNow).toBe(1);
    expect(await carol.caller.study.review.stats()).toMatchObject({ dueNow: 1, dueToday: 1 });

    // The share revoked: nothing of the set is shown, and nothing of it is counted.
    await alice.caller.study.sharing.revokeShare({ shareId: share.id });
    const after = await carol.caller.study.review.due({ limit: 10 });
    expect(after.cards).toEqual([]);
    expect(after.dueNow).toBe(0);
    expect(await carol.caller.study.review.stats()).toMatchObject({ dueNow: 0, dueToday: 0 });
  });
});
