/**
 * Sharing on the real database: quiz links (only the token's hash stored, opened without an account and
 * without answers, taken anonymously with short answers graded at the sharer's cost and capped per link,
 * access and attempt counts, expiry and revocation with clear messages, per-IP limits), materials shared
 * with a user by e-mail (read through the share, one de-duplicated notification, re-sharing only where the
 * share allows it, revoked and expired shares closing access) and by public link (a token for another
 * material refused). Another user reaches none of it.
 */
import { createHash } from "node:crypto";
import { asUser } from "@inkwell/db";
import { notifications } from "@inkwell/domain/notifications";
import { sharing } from "@inkwell/domain/study";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectTrpcError, type Harness, startHarness } from "./harness.ts";

type User = Awaited<ReturnType<Harness["signUp"]>>;
let h: Harness;
let alice: User;
let bob: User;
let carol: User;
let dave: User;
let quizId: string;
let guideId: string;
let otherGuideId: string;

const QUIZ = {
  questions: [
    {
      id: "q1",
      kind: "multiple_choice",
      prompt: "Which organelle makes ATP?",
      choices: ["Nucleus", "Mitochondria"],
      answerIndex: 1,
    },
    { id: "q2", kind: "true_false", prompt: "Plants photosynthesise.", answer: true, explanation: "They do, in chloroplasts." },
    { id: "q3", kind: "short_answer", prompt: "What do plants make from light?", expected: "Plants make glucose and oxygen" },
  ],
} as const;
const GUIDE = { sections: [{ heading: "Cells", body: "Cells are the unit of life." }] };

/** A caller from an address of its own, so per-IP limits of one test never touch another. */
let ipCounter = 0;
const stranger = () => h.anon(`203.0.113.${++ipCounter}`);
const tokenOf = (path: string) => path.split("/").pop() ?? "";

beforeAll(async () => {
  h = await startHarness();
  [alice, bob, carol, dave] = [
    await h.signUp("share-alice"),
    await h.signUp("share-bob"),
    await h.signUp("share-carol"),
    await h.signUp("share-dave"),
  ];
  quizId = (
    await alice.caller.study.library.items.create({ itemType: "quiz", title: "Cells quiz", topic: "Cells", content: QUIZ })
  ).id;
  guideId = (await alice.caller.study.library.items.create({ itemType: "study_guide", title: "Cells guide", content: GUIDE })).id;
  otherGuideId = (
    await alice.caller.study.library.items.create({ itemType: "study_guide", title: "Other guide", content: GUIDE })
  ).id;
}, 60_000);

afterAll(async () => {
  await h?.stop();
});

describe("quiz links", () => {
  it("store only the token's hash and open without an account, without answers, counting each access", async () => {
    const link = await alice.caller.study.sharing.shareQuiz({ itemId: quizId, expiresIn: "7d" });
    expect(link.path).toMatch(/^\/q\/[A-Za-z0-9_-]{43}$/);
    const token = tokenOf(link.path);
    const { rows } = await h.raw(sql`SELECT token_hash FROM shared_quizzes WHERE id = ${link.id}`);
    expect((rows[0] as { token_hash: Buffer }).token_hash.equals(createHash("sha256").update(token).digest())).toBe(true);
    expect(JSON.stringify(rows)).not.toContain(token);
    expect(link.expiresAt!.getTime() - Date.now()).toBeGreaterThan(6.9 * 86_400_000);

    const opened = await stranger().study.sharing.openQuiz({ token });
    expect(opened.title).toBe("Cells quiz");
    expect(opened.questions.map((q) => q.kind)).toEqual(["multiple_choice", "true_false", "short_answer"]);
    const json = JSON.stringify(opened);
    for (const secret of ["answerIndex", '"answer"', "expected", "glucose", "chloroplasts"]) expect(json).not.toContain(secret);
    await stranger().study.sharing.openQuiz({ token });

    const [listed] = (await alice.caller.study.sharing.quizLinks({ itemId: quizId })).filter((l) => l.id === link.id);
    expect(listed).toMatchObject({ accessCount: 2, attemptCount: 0, status: "active" });
    expect(listed).not.toHaveProperty("token");
  });

  it("are taken anonymously: MC and TF scored, the short answer graded at the sharer's cost, the attempt kept", async () => {
    const link = await alice.caller.study.sharing.shareQuiz({ itemId: quizId, expiresIn: "1d" });
    const token = tokenOf(link.path);
    const before = await alice.caller.credits.balance();
    const result = await stranger().study.sharing.submitQuiz({
      token,
      displayName: "Sam",
      answers: [
        { questionId: "q1", response: 1 },
        { questionId: "q2", response: false },
        { questionId: "q3", response: "Plants make glucose and oxygen from light" },
      ],
    });
    expect(result.questions.map((q) => [q.questionId, q.verdict])).toEqual([
      ["q1", "correct"],
      ["q2", "incorrect"],
      ["q3", "correct"],
    ]);
    // The offline grader is a placeholder and says so; the answers come with the result, not before.
    expect(result.questions[2]?.placeholder).toBe(true);
    expect(result.questions[1]).toMatchObject({ correctAnswer: "True", explanation: "They do, in chloroplasts." });
    expect(result).toMatchObject({ score: 2, total: 3 });
    const after = await alice.caller.credits.balance();
    expect(after.available).toBe(before.available - 1);
    const [listed] = (await alice.caller.study.sharing.quizLinks({})).filter((l) => l.id === link.id);
    expect(listed?.attemptCount).toBe(1);

    // A response of the wrong kind is simply wrong; a missing answer too.
    const wrong = await stranger().study.sharing.submitQuiz({ token, answers: [{ questionId: "q1", response: true }] });
    expect(wrong.questions.map((q) => q.verdict)).toEqual(["incorrect", "incorrect", "incorrect"]);
  });

  it("charge the sharer once for a retried submit, which answers from the stored attempt", async () => {
    const link = await alice.caller.study.sharing.shareQuiz({ itemId: quizId, expiresIn: "1d" });
    const token = tokenOf(link.path);
    const before = await alice.caller.credits.balance();
    const input = {
      token,
      attemptKey: "retry-attempt-0001",
      answers: [
        { questionId: "q1", response: 1 },
        { questionId: "q3", response: "Plants make glucose and oxygen from light" },
      ],
    };
    const taker = stranger();
    const first = await taker.study.sharing.submitQuiz(input);
    expect(first.questions[2]?.verdict).toBe("correct");
    const retried = await taker.study.sharing.submitQuiz(input);
    expect(retried).toEqual(first);
    expect((await alice.caller.credits.balance()).available).toBe(before.available - 1);
    const [listed] = (await alice.caller.study.sharing.quizLinks({})).filter((l) => l.id === link.id);
    expect(listed?.attemptCount).toBe(1);
    // The same key on another link is another attempt.
    const other = await alice.caller.study.sharing.shareQuiz({ itemId: quizId, expiresIn: "1d" });
    await taker.study.sharing.submitQuiz({ ...input, token: tokenOf(other.path) });
    expect((await alice.caller.credits.balance()).available).toBe(before.available - 2);
  });

  it("grade at most the link's daily allowance of short answers; past it they come back ungraded", async () => {
    const link = await alice.caller.study.sharing.shareQuiz({ itemId: quizId, expiresIn: "never" });
    const token = tokenOf(link.path);
    const saved = sharing.SHARING_LIMITS.shortAnswerGradesPerLinkPerDay;
    sharing.SHARING_LIMITS.shortAnswerGradesPerLinkPerDay = 1;
    try {
      const answers = [{ questionId: "q3", response: "glucose" }];
      const first = await stranger().study.sharing.submitQuiz({ token, answers });
      expect(first.questions[2]?.verdict).not.toBe("ungraded");
      const before = await alice.caller.credits.balance();
      const second = await stranger().study.sharing.submitQuiz({ token, answers });
      expect(second.questions[2]).toMatchObject({ verdict: "ungraded", correctAnswer: "Plants make glucose and oxygen" });
      expect((await alice.caller.credits.balance()).available).toBe(before.available);
    } finally {
      sharing.SHARING_LIMITS.shortAnswerGradesPerLinkPerDay = saved;
    }
  });

  it("stop opening when expired or revoked, saying which; unknown and malformed tokens are refused", async () => {
    const expiring = await alice.caller.study.sharing.shareQuiz({ itemId: quizId, expiresIn: "1d" });
    await h.raw(sql`UPDATE shared_quizzes SET expires_at = now() - interval '1 minute' WHERE id = ${expiring.id}`);
    const expired = await expectTrpcError(stranger().study.sharing.openQuiz({ token: tokenOf(expiring.path) }), "NOT_FOUND");
    expect(expired.message).toMatch(/expired/);
    await expectTrpcError(
      stranger().study.sharing.submitQuiz({ token: tokenOf(expiring.path), answers: [{ questionId: "q1", response: 1 }] }),
      "NOT_FOUND",
    );
    expect((await alice.caller.study.sharing.quizLinks({})).find((l) => l.id === expiring.id)?.status).toBe("expired");

    const revoking = await alice.caller.study.sharing.shareQuiz({ itemId: quizId, expiresIn: "7d" });
    await stranger().study.sharing.openQuiz({ token: tokenOf(revoking.path) });
    // Another user cannot revoke it.
    await expectTrpcError(bob.caller.study.sharing.revokeQuizLink({ sharedQuizId: revoking.id }), "NOT_FOUND");
    await stranger().study.sharing.openQuiz({ token: tokenOf(revoking.path) });
    const revoked = await alice.caller.study.sharing.revokeQuizLink({ sharedQuizId: revoking.id });
    expect(revoked.status).toBe("revoked");
    const gone = await expectTrpcError(stranger().study.sharing.openQuiz({ token: tokenOf(revoking.path) }), "NOT_FOUND");
    expect(gone.message).toMatch(/turned off/);

    const unknown = await expectTrpcError(stranger().study.sharing.openQuiz({ token: "A".repeat(43) }), "NOT_FOUND");
    expect(unknown.message).toMatch(/doesn't exist/);
    await expectTrpcError(stranger().study.sharing.openQuiz({ token: "short" }), "BAD_REQUEST");
  });

  it("are limited per address", async () => {
    const link = await alice.caller.study.sharing.shareQuiz({ itemId: quizId, expiresIn: "7d" });
    const saved = sharing.SHARING_LIMITS.viewsPerIp;
    sharing.SHARING_LIMITS.viewsPerIp = { limit: 3, windowSeconds: 3600 };
    try {
      const caller = stranger();
      for (let i = 0; i < 3; i++) await caller.study.sharing.openQuiz({ token: tokenOf(link.path) });
      await expectTrpcError(caller.study.sharing.openQuiz({ token: tokenOf(link.path) }), "TOO_MANY_REQUESTS");
      // Someone else, elsewhere, still gets in.
      await stranger().study.sharing.openQuiz({ token: tokenOf(link.path) });
    } finally {
      sharing.SHARING_LIMITS.viewsPerIp = saved;
    }
  });

  it("are made only of the caller's own quizzes and listed only to their owner", async () => {
    await expectTrpcError(bob.caller.study.sharing.shareQuiz({ itemId: quizId, expiresIn: "7d" }), "NOT_FOUND");
    await expectTrpcError(alice.caller.study.sharing.shareQuiz({ itemId: guideId, expiresIn: "7d" }), "BAD_REQUEST");
    expect(await bob.caller.study.sharing.quizLinks({})).toEqual([]);
    expect(await bob.caller.study.sharing.quizLinks({ itemId: quizId })).toEqual([]);
  });
});

describe("materials shared with a user", () => {
  it("give a reader a quiz without its answers, which its owner still sees", async () => {
    const reader = await h.signUp("quiz-reader");
    await alice.caller.study.sharing.shareWithUser({ itemId: quizId, email: reader.email });
    const seen = await reader.caller.study.library.items.get({ itemId: quizId });
    expect(seen.owned).toBe(false);
    expect(seen.itemType === "quiz" && seen.content.questions).toEqual([
      {
        id: "q1",
        kind: "multiple_choice",
        prompt: "Which organelle makes ATP?",
        choices: ["Nucleus", "Mitochondria"],
        cites: [],
      },
      { id: "q2", kind: "true_false", prompt: "Plants photosynthesise.", choices: null, cites: [] },
      { id: "q3", kind: "short_answer", prompt: "What do plants make from light?", choices: null, cites: [] },
    ]);
    expect(JSON.stringify(seen)).not.toMatch(/answerIndex|"answer"|expected|explanation|glucose|chloroplasts/);
    const own = await alice.caller.study.library.items.get({ itemId: quizId });
    expect(own.owned).toBe(true);
    expect(own.itemType === "quiz" && own.content.questions[0]).toMatchObject({ answerIndex: 1 });
  });

  it("are readable by the recipient, who is notified once however often it is shared", async () => {
    await expectTrpcError(bob.caller.study.library.items.get({ itemId: guideId }), "NOT_FOUND");
    const share = await alice.caller.study.sharing.shareWithUser({ itemId: guideId, email: bob.email.toUpperCase() });
    expect(share).toMatchObject({ kind: "user", recipientEmail: bob.email, allowResharing: false, status: "active" });
    expect((await bob.caller.study.library.items.get({ itemId: guideId })).title).toBe("Cells guide");
    expect((await bob.caller.study.sharing.sharedWithMe()).map((s) => s.itemId)).toEqual([guideId]);
    // Shared with bob only: carol still cannot read it, and bob's own library lists only his own items.
    await expectTrpcError(carol.caller.study.library.items.get({ itemId: guideId }), "NOT_FOUND");
    expect(await carol.caller.study.sharing.sharedWithMe()).toEqual([]);

    await alice.caller.study.sharing.shareWithUser({ itemId: guideId, email: bob.email });
    const notes = (await bob.caller.notifications.list()).filter((n) => n.kind === "share");
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({ senderId: alice.me.id, material: { id: guideId, title: "Cells guide" } });
    expect(notes[0]?.title).toContain("Cells guide");
    expect(await bob.caller.notifications.unreadCount()).toBe(1);
    // The sharer sees the one share, with the recipient's address.
    const shares = await alice.caller.study.sharing.shares({ itemId: guideId });
    expect(shares.filter((s) => s.kind === "user").map((s) => s.recipientEmail)).toEqual([bob.email]);
  });

  it("are re-shared only where the share allows it", async () => {
    const refused = await expectTrpcError(
      bob.caller.study.sharing.shareWithUser({ itemId: guideId, email: carol.email }),
      "FORBIDDEN",
    );
    expect(refused.message).toMatch(/re-shar/);
    await expectTrpcError(bob.caller.study.sharing.shareByLink({ itemId: guideId, expiresIn: "7d" }), "FORBIDDEN");
    // Alice allows it: bob re-shares to carol (who may not pass it on), and carol is told by bob.
    await alice.caller.study.sharing.shareWithUser({ itemId: guideId, email: bob.email, allowResharing: true });
    await bob.caller.study.sharing.shareWithUser({ itemId: guideId, email: carol.email });
    expect((await carol.caller.study.library.items.get({ itemId: guideId })).id).toBe(guideId);
    const [note] = (await carol.caller.notifications.list()).filter((n) => n.kind === "share");
    expect(note?.senderId).toBe(bob.me.id);
    await expectTrpcError(carol.caller.study.sharing.shareWithUser({ itemId: guideId, email: dave.email }), "FORBIDDEN");
    // Nobody shares an item back to its owner, or to themselves.
    await expectTrpcError(bob.caller.study.sharing.shareWithUser({ itemId: guideId, email: alice.email }), "BAD_REQUEST");
    await expectTrpcError(alice.caller.study.sharing.shareWithUser({ itemId: guideId, email: alice.email }), "BAD_REQUEST");
    await expectTrpcError(
      alice.caller.study.sharing.shareWithUser({ itemId: guideId, email: "nobody-here@example.test" }),
      "NOT_FOUND",
    );
  });

  it("close when revoked or expired, and only the sharer revokes", async () => {
    const [bobShare] = (await alice.caller.study.sharing.shares({ itemId: guideId })).filter(
      (s) => s.recipientEmail === bob.email && s.status === "active",
    );
    if (!bobShare) throw new Error("no share to bob");
    await expectTrpcError(bob.caller.study.sharing.revokeShare({ shareId: bobShare.id }), "NOT_FOUND");
    await expectTrpcError(dave.caller.study.sharing.revokeShare({ shareId: bobShare.id }), "NOT_FOUND");
    // Nobody but the sharer takes the notice back either (the database namespaces the key by the caller).
    for (const dedupeKey of [`share:${guideId}`, `${alice.me.id}:share:${guideId}`]) {
      expect(await asUser(h.db, dave.me.id, (tx) => notifications.withdraw(tx, { userId: bob.me.id, dedupeKey }))).toBe(false);
    }
    expect(await bob.caller.notifications.unreadCount()).toBe(1);
    await alice.caller.study.sharing.revokeShare({ shareId: bobShare.id });
    await expectTrpcError(bob.caller.study.library.items.get({ itemId: guideId }), "NOT_FOUND");
    expect(await bob.caller.study.sharing.sharedWithMe()).toEqual([]);
    // Its notice leaves bob's bell with it (no link left to a page he can no longer open), and so does
    // the notice of carol, whose re-share from bob ended with his share.
    expect((await bob.caller.notifications.list()).filter((n) => n.kind === "share")).toEqual([]);
    expect(await bob.caller.notifications.unreadCount()).toBe(0);
    expect((await carol.caller.notifications.list()).filter((n) => n.material?.id === guideId)).toEqual([]);
    expect(await carol.caller.notifications.unreadCount()).toBe(0);

    await alice.caller.study.sharing.shareWithUser({ itemId: otherGuideId, email: dave.email, expiresIn: "1d" });
    expect((await dave.caller.study.library.items.get({ itemId: otherGuideId })).id).toBe(otherGuideId);
    expect(await dave.caller.notifications.unreadCount()).toBe(1);
    await h.raw(sql`UPDATE shared_materials SET expires_at = now() - interval '1 minute' WHERE material_id = ${otherGuideId}`);
    await expectTrpcError(dave.caller.study.library.items.get({ itemId: otherGuideId }), "NOT_FOUND");
    // The notification of an expired share leaves the bell with it.
    expect((await dave.caller.notifications.list()).filter((n) => n.material?.id === otherGuideId)).toEqual([]);
    expect(await dave.caller.notifications.unreadCount()).toBe(0);
    // Shared again after it ran out: dave is told again (the expired notice does not swallow the new one).
    await alice.caller.study.sharing.shareWithUser({ itemId: otherGuideId, email: dave.email, expiresIn: "7d" });
    expect((await dave.caller.notifications.list()).filter((n) => n.material?.id === otherGuideId)).toHaveLength(1);
    expect(await dave.caller.notifications.unreadCount()).toBe(1);
    await h.raw(sql`UPDATE notifications SET read_at = now() WHERE user_id = ${dave.me.id}`);
  });

  it("tell the recipient afresh when shared again after a revoke, and a read notice is revoked too", async () => {
    const itemId = (
      await alice.caller.study.library.items.create({ itemType: "study_guide", title: "Shared twice", content: GUIDE })
    ).id;
    const first = await alice.caller.study.sharing.shareWithUser({ itemId, email: dave.email });
    const [note] = (await dave.caller.notifications.list()).filter((n) => n.material?.id === itemId);
    if (!note) throw new Error("no notice to dave");
    await dave.caller.notifications.markRead({ id: note.id });
    await alice.caller.study.sharing.revokeShare({ shareId: first.id });
    expect((await dave.caller.notifications.list()).filter((n) => n.material?.id === itemId)).toEqual([]);
    // Revoking it again (a stale screen) changes nothing; sharing again is news again: unread, on top.
    await alice.caller.study.sharing.revokeShare({ shareId: first.id });
    await alice.caller.study.sharing.shareWithUser({ itemId, email: dave.email });
    const [again] = await dave.caller.notifications.list();
    expect(again).toMatchObject({ kind: "share", readAt: null, material: { id: itemId, title: "Shared twice" } });
    expect(await dave.caller.notifications.unreadCount()).toBe(1);
    // A stale revoke of the first share does not take the live second share's notice.
    await alice.caller.study.sharing.revokeShare({ shareId: first.id });
    expect(await dave.caller.notifications.unreadCount()).toBe(1);
    await h.raw(sql`UPDATE notifications SET read_at = now() WHERE user_id = ${dave.me.id}`);
  });

  it("tell the recipient afresh when shared again after an expiry, though mark all read marked the hidden notice", async () => {
    const itemId = (await alice.caller.study.library.items.create({ itemType: "study_guide", title: "Ran out", content: GUIDE }))
      .id;
    await alice.caller.study.sharing.shareWithUser({ itemId, email: dave.email, expiresIn: "1d" });
    await h.raw(sql`UPDATE shared_materials SET expires_at = now() - interval '1 minute' WHERE material_id = ${itemId}`);
    expect((await dave.caller.notifications.list()).filter((n) => n.material?.id === itemId)).toEqual([]);
    // Mark all read reaches the notice the bell no longer shows (it stays out of the unread rows)...
    await dave.caller.notifications.markAllRead();
    const { rows } = await h.raw(sql<{ read: boolean }>`
      SELECT read_at IS NOT NULL AS read FROM notifications WHERE user_id = ${dave.me.id} AND material_id = ${itemId}`);
    expect(rows).toEqual([{ read: true }]);
    // ...and sharing again still tells dave afresh: unread, on top, counted.
    await alice.caller.study.sharing.shareWithUser({ itemId, email: dave.email });
    const [again] = await dave.caller.notifications.list();
    expect(again).toMatchObject({ kind: "share", readAt: null, material: { id: itemId, title: "Ran out" } });
    expect(await dave.caller.notifications.unreadCount()).toBe(1);
    await h.raw(sql`UPDATE notifications SET read_at = now() WHERE user_id = ${dave.me.id}`);
  });

  it("cannot flood someone's bell: a sender's notifications are limited per hour", async () => {
    const { rows } = await h.raw(sql`SELECT count(*)::int AS n FROM notifications WHERE sender_id = ${dave.me.id}`);
    expect((rows[0] as { n: number }).n).toBe(0);
    const own = await dave.caller.study.library.items.create({ itemType: "study_guide", title: "Dave's", content: GUIDE });
    await h.raw(sql`
      INSERT INTO notifications (user_id, sender_id, kind, title, body, dedupe_key)
      SELECT ${carol.me.id}, ${dave.me.id}, 'share', 'x', 'x', 'flood-' || g FROM generate_series(1, 60) g`);
    const limited = await expectTrpcError(
      dave.caller.study.sharing.shareWithUser({ itemId: own.id, email: carol.email }),
      "TOO_MANY_REQUESTS",
    );
    expect(limited.message).toMatch(/notifications/);
    // Nothing of the refused share stays.
    expect((await carol.caller.study.sharing.sharedWithMe()).map((s) => s.itemId)).not.toContain(own.id);
  });
});

describe("re-shares", () => {
  const newGuide = async (title: string) =>
    (await alice.caller.study.library.items.create({ itemType: "study_guide", title, content: GUIDE })).id;
  const shareOf = async (sharer: User, itemId: string, email: string) => {
    const found = (await sharer.caller.study.sharing.shares({ itemId })).find((s) => s.recipientEmail === email);
    if (!found) throw new Error(`no share to ${email}`);
    return found;
  };
  const reads = async (user: User, itemId: string) => {
    try {
      await user.caller.study.library.items.get({ itemId });
      return true;
    } catch {
      return false;
    }
  };

  it("end when the share they came from is revoked, down the whole chain and for the re-sharer's public link", async () => {
    const itemId = await newGuide("Chain: revoke");
    await alice.caller.study.sharing.shareWithUser({ itemId, email: bob.email, allowResharing: true });
    await bob.caller.study.sharing.shareWithUser({ itemId, email: carol.email, allowResharing: true });
    await carol.caller.study.sharing.shareWithUser({ itemId, email: dave.email });
    const link = await bob.caller.study.sharing.shareByLink({ itemId, expiresIn: "30d" });
    expect([await reads(bob, itemId), await reads(carol, itemId), await reads(dave, itemId)]).toEqual([true, true, true]);
    await stranger().study.sharing.viewMaterial({ token: tokenOf(link.path) });

    await alice.caller.study.sharing.revokeShare({ shareId: (await shareOf(alice, itemId, bob.email)).id });
    expect([await reads(bob, itemId), await reads(carol, itemId), await reads(dave, itemId)]).toEqual([false, false, false]);
    // Every notice down the chain leaves its bell (bob's withdrawn, carol's and dave's with the chain).
    for (const user of [bob, carol, dave]) {
      expect((await user.caller.notifications.list()).filter((n) => n.material?.id === itemId)).toEqual([]);
    }
    expect((await carol.caller.study.sharing.sharedWithMe()).map((s) => s.itemId)).not.toContain(itemId);
    expect((await dave.caller.study.sharing.sharedWithMe()).map((s) => s.itemId)).not.toContain(itemId);
    const gone = await expectTrpcError(stranger().study.sharing.viewMaterial({ token: tokenOf(link.path) }), "NOT_FOUND");
    expect(gone.message).toMatch(/turned off/);

    // Sharing with bob again is a new share: what bob passed on under the revoked one stays closed.
    await alice.caller.study.sharing.shareWithUser({ itemId, email: bob.email, allowResharing: true });
    expect([await reads(bob, itemId), await reads(carol, itemId)]).toEqual([true, false]);
    await expectTrpcError(stranger().study.sharing.viewMaterial({ token: tokenOf(link.path) }), "NOT_FOUND");
    // And the dead re-share does not stand in the way of sharing with carol afresh.
    await alice.caller.study.sharing.shareWithUser({ itemId, email: carol.email });
    expect(await reads(carol, itemId)).toBe(true);
    // Carol is told by alice; bob's notice of his ended re-share stays out of her bell.
    const notes = (await carol.caller.notifications.list()).filter((n) => n.material?.id === itemId);
    expect(notes.map((n) => n.senderId)).toEqual([alice.me.id]);
  });

  it("end when the share they came from expires, stops allowing re-sharing, or is deleted", async () => {
    const expiring = await newGuide("Chain: expiry");
    await alice.caller.study.sharing.shareWithUser({ itemId: expiring, email: bob.email, allowResharing: true, expiresIn: "1d" });
    await bob.caller.study.sharing.shareWithUser({ itemId: expiring, email: carol.email });
    expect(await reads(carol, expiring)).toBe(true);
    await h.raw(sql`UPDATE shared_materials SET expires_at = now() - interval '1 second'
                     WHERE material_id = ${expiring} AND shared_with_user_id = ${bob.me.id}`);
    expect(await reads(carol, expiring)).toBe(false);

    const narrowed = await newGuide("Chain: narrowed");
    await alice.caller.study.sharing.shareWithUser({ itemId: narrowed, email: bob.email, allowResharing: true });
    await bob.caller.study.sharing.shareWithUser({ itemId: narrowed, email: carol.email });
    await alice.caller.study.sharing.shareWithUser({ itemId: narrowed, email: bob.email, allowResharing: false });
    expect([await reads(bob, narrowed), await reads(carol, narrowed)]).toEqual([true, false]);

    const deleted = await newGuide("Chain: deleted");
    await alice.caller.study.sharing.shareWithUser({ itemId: deleted, email: bob.email, allowResharing: true });
    await bob.caller.study.sharing.shareWithUser({ itemId: deleted, email: carol.email });
    await h.raw(sql`DELETE FROM shared_materials WHERE material_id = ${deleted} AND shared_with_user_id = ${bob.me.id}`);
    expect([await reads(bob, deleted), await reads(carol, deleted)]).toEqual([false, false]);
  });

  it("hang under the re-sharer's own share, set by the database", async () => {
    const itemId = await newGuide("Chain: forged");
    await alice.caller.study.sharing.shareWithUser({ itemId, email: bob.email, allowResharing: true });
    // The owner's share has no parent; bob's re-share is chained to bob's own share by the database.
    const { rows } = await h.raw(sql`
      SELECT parent_share_id IS NOT NULL AS chained FROM shared_materials
       WHERE material_id = ${itemId} AND shared_with_user_id = ${bob.me.id}`);
    expect((rows[0] as { chained: boolean }).chained).toBe(false);
    await bob.caller.study.sharing.shareWithUser({ itemId, email: carol.email });
    const { rows: carolRows } = await h.raw(sql`
      SELECT parent_share_id IS NOT NULL AS chained FROM shared_materials
       WHERE material_id = ${itemId} AND shared_with_user_id = ${carol.me.id}`);
    expect((carolRows[0] as { chained: boolean }).chained).toBe(true);
  });
});

describe("public material links", () => {
  it("open read-only without an account, count accesses, refuse a token for another material, and close", async () => {
    const link = await alice.caller.study.sharing.shareByLink({ itemId: guideId, expiresIn: "30d" });
    expect(link.path).toMatch(/^\/s\/[A-Za-z0-9_-]{43}$/);
    const token = tokenOf(link.path);
    const view = await stranger().study.sharing.viewMaterial({ token });
    expect(view.item).toMatchObject({ id: guideId, title: "Cells guide", itemType: "study_guide" });
    await stranger().study.sharing.viewMaterial({ token, itemId: guideId });
    // The token opens only its own material.
    await expectTrpcError(stranger().study.sharing.viewMaterial({ token, itemId: otherGuideId }), "NOT_FOUND");
    // It follows edits (a live link, not a snapshot).
    await alice.caller.study.library.items.update({ itemId: guideId, title: "Cells guide, revised", content: GUIDE });
    expect((await stranger().study.sharing.viewMaterial({ token })).item.title).toBe("Cells guide, revised");
    const listed = (await alice.caller.study.sharing.shares({ itemId: guideId })).find((s) => s.id === link.id);
    expect(listed).toMatchObject({ kind: "link", accessCount: 3, status: "active" });
    // A link does not make the item readable to signed-in strangers through the API.
    await expectTrpcError(bob.caller.study.library.items.get({ itemId: guideId }), "NOT_FOUND");

    await expectTrpcError(bob.caller.study.sharing.revokeShare({ shareId: link.id }), "NOT_FOUND");
    await alice.caller.study.sharing.revokeShare({ shareId: link.id });
    const gone = await expectTrpcError(stranger().study.sharing.viewMaterial({ token }), "NOT_FOUND");
    expect(gone.message).toMatch(/turned off/);

    const expiring = await alice.caller.study.sharing.shareByLink({ itemId: guideId, expiresIn: "1d" });
    await h.raw(sql`UPDATE shared_materials SET expires_at = now() - interval '1 second' WHERE id = ${expiring.id}`);
    const expired = await expectTrpcError(stranger().study.sharing.viewMaterial({ token: tokenOf(expiring.path) }), "NOT_FOUND");
    expect(expired.message).toMatch(/expired/);
  });

  it("are made only by the owner (or an allowed re-sharer) and listed only to their maker", async () => {
    await expectTrpcError(dave.caller.study.sharing.shareByLink({ itemId: guideId, expiresIn: "7d" }), "NOT_FOUND");
    await expectTrpcError(dave.caller.study.sharing.shares({ itemId: guideId }), "NOT_FOUND");
    // Carol's re-share from bob ended with bob's share: she reaches none of it.
    await expectTrpcError(carol.caller.study.sharing.shares({ itemId: guideId }), "NOT_FOUND");
  });
});
