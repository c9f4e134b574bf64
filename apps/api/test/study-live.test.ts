/**
 * Live quiz sessions on the real database: a host runs a two-question quiz (a short answer in it is
 * skipped) with three players who join by code without an account; one leaves and rejoins with their
 * token and keeps their score; a double answer counts once; an answer after the question closed is
 * refused; the leaderboard orders by score, then time; a token works only in its own game; another user
 * can neither run nor read the session; and the host's live view brings the leaderboard after an answer.
 */
import { asUser } from "@inkwell/db";
import { LIVE_INVITES_PER_HOUR } from "@inkwell/domain/study";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectTrpcError, type Harness, startHarness } from "./harness.ts";

type User = Awaited<ReturnType<Harness["signUp"]>>;
let h: Harness;
let host: User;
let other: User;
let itemId: string;

const QUIZ = {
  questions: [
    { id: "q1", kind: "multiple_choice", prompt: "Capital of France?", choices: ["Berlin", "Paris", "Rome"], answerIndex: 1 },
    { id: "q2", kind: "short_answer", prompt: "Why is Paris the capital?", expected: "History" },
    { id: "q3", kind: "true_false", prompt: "The Nile is in Africa", answer: true },
  ],
};

beforeAll(async () => {
  h = await startHarness();
  [host, other] = [await h.signUp("live-host"), await h.signUp("live-other")];
  const item = await host.caller.study.library.items.create({ itemType: "quiz", title: "Capitals", content: QUIZ });
  itemId = item.id;
}, 60_000);

afterAll(async () => {
  await h?.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function join(code: string, nickname: string) {
  const j = await h.anon().study.live.join({ code, nickname });
  if (!j.token) throw new Error("no token on a first join");
  return { ...j, token: j.token };
}

describe("live quiz sessions", () => {
  it("plays a game with three players: leave and rejoin keeps score, double answers count once, late answers are refused", async () => {
    const anon = h.anon();
    const created = await host.caller.study.live.create({ itemId, questionSeconds: 20 });
    expect(created.code).toMatch(/^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{6}$/);
    expect([created.status, created.questionCount, created.skippedCount]).toEqual(["lobby", 2, 1]);
    const sessionId = created.id;

    // Codes are typed on phones: lower case and a dash are forgiven.
    const ann = await join(`${created.code.slice(0, 3).toLowerCase()}-${created.code.slice(3)}`, "Ann");
    const bob = await join(created.code, "Bob");
    const cat = await join(created.code, "Cat");
    expect(ann.sessionId).toBe(sessionId);
    await expectTrpcError(anon.study.live.join({ code: created.code, nickname: "ANN" }), "CONFLICT");
    await expectTrpcError(anon.study.live.join({ code: "ZZZZZZ", nickname: "Dan" }), "NOT_FOUND");
    expect((await host.caller.study.live.get({ sessionId })).players.map((p) => p.nickname).sort()).toEqual([
      "Ann",
      "Bob",
      "Cat",
    ]);

    // Nothing to answer in the lobby.
    await expectTrpcError(
      anon.study.live.answer({ sessionId, token: ann.token, questionIndex: 0, choice: 1 }),
      "PRECONDITION_FAILED",
    );

    const q1 = await host.caller.study.live.start({ sessionId });
    expect([q1.status, q1.questionIndex, q1.question?.prompt]).toEqual(["question", 0, "Capital of France?"]);
    // Players see the question but not its answer while it is open.
    const seen = await anon.study.live.state({ sessionId, token: ann.token });
    expect(seen.question?.choices).toEqual(["Berlin", "Paris", "Rome"]);
    expect(seen.answerIndex).toBeNull();

    const first = await anon.study.live.answer({ sessionId, token: ann.token, questionIndex: 0, choice: 1 });
    expect(first).toMatchObject({ accepted: true, counted: true });
    // A double tap with another choice counts once: the first answer stands.
    expect(await anon.study.live.answer({ sessionId, token: ann.token, questionIndex: 0, choice: 0 })).toMatchObject({
      counted: false,
      choice: 1,
    });
    // Two submits at the same instant: exactly one counted.
    const both = await Promise.all([
      anon.study.live.answer({ sessionId, token: bob.token, questionIndex: 0, choice: 0 }),
      anon.study.live.answer({ sessionId, token: bob.token, questionIndex: 0, choice: 2 }),
    ]);
    expect(both.filter((r) => r.counted)).toHaveLength(1);
    await sleep(60);
    await anon.study.live.answer({ sessionId, token: cat.token, questionIndex: 0, choice: 2 });
    const { rows: bobAnswers } = await h.raw(sql`SELECT count(*)::int AS n FROM live_answers WHERE player_id = ${bob.playerId}`);
    expect(bobAnswers[0]).toEqual({ n: 1 });

    const counted = await host.caller.study.live.get({ sessionId });
    expect(counted.answeredCount).toBe(3);
    expect(counted.answerCounts[1]).toBe(1);

    const reveal = await host.caller.study.live.next({ sessionId, expect: { status: "question", questionIndex: 0 } });
    expect(reveal.status).toBe("reveal");
    // A second tab's click on the same screen moves nothing.
    expect((await host.caller.study.live.next({ sessionId, expect: { status: "question", questionIndex: 0 } })).status).toBe(
      "reveal",
    );
    // Score first (Ann, right and fast), then time: Bob and Cat both have 0, Bob answered sooner.
    expect(reveal.leaderboard.map((r) => r.nickname)).toEqual(["Ann", "Bob", "Cat"]);
    const annScore = reveal.leaderboard[0]?.score ?? 0;
    expect(annScore).toBeGreaterThan(900);
    expect(annScore).toBeLessThanOrEqual(1000);
    const annView = await anon.study.live.state({ sessionId, token: ann.token });
    expect(annView.answerIndex).toBe(1);
    expect(annView.me).toMatchObject({ rank: 1, score: annScore, answer: { choice: 1, correct: true, points: annScore } });
    // The reveal closed the question: a late answer is refused.
    await h.raw(sql`DELETE FROM live_answers WHERE player_id = ${cat.playerId}`);
    await h.raw(sql`UPDATE live_players SET answered = 0, total_ms = 0 WHERE id = ${cat.playerId}`);
    await expectTrpcError(
      anon.study.live.answer({ sessionId, token: cat.token, questionIndex: 0, choice: 1 }),
      "PRECONDITION_FAILED",
    );

    // Cat leaves; the host sees her away, her place is kept; she rejoins with her token.
    await anon.study.live.leave({ sessionId, token: cat.token });
    expect((await host.caller.study.live.get({ sessionId })).players.find((p) => p.nickname === "Cat")?.away).toBe(true);

    const q2 = await host.caller.study.live.next({ sessionId, expect: { status: "reveal", questionIndex: 0 } });
    expect([q2.status, q2.questionIndex, q2.question?.choices]).toEqual(["question", 1, ["True", "False"]]);
    // Ann right again: a streak bonus on top of the speed points.
    await anon.study.live.answer({ sessionId, token: ann.token, questionIndex: 1, choice: 0 });
    const annAfter = (await host.caller.study.live.get({ sessionId })).players.find((p) => p.nickname === "Ann");
    expect(annAfter?.streak).toBe(2);
    expect((annAfter?.score ?? 0) - annScore).toBeGreaterThan(1000);

    const rejoined = await anon.study.live.join({ code: created.code, token: cat.token });
    expect(rejoined).toMatchObject({ playerId: cat.playerId, nickname: "Cat", rejoined: true, token: null });
    expect((await anon.study.live.state({ sessionId, token: cat.token })).me).toMatchObject({ score: 0, rank: 3 });

    // Time runs out (the server's clock): Bob's answer is refused although the host has not moved on.
    await h.raw(sql`UPDATE live_sessions SET question_started_at = now() - interval '21 seconds' WHERE id = ${sessionId}`);
    await expectTrpcError(
      anon.study.live.answer({ sessionId, token: bob.token, questionIndex: 1, choice: 0 }),
      "PRECONDITION_FAILED",
    );

    // Kicked: Bob's token stops working, for answers and rejoining alike.
    await host.caller.study.live.kick({ sessionId, playerId: bob.playerId });
    await expectTrpcError(anon.study.live.join({ code: created.code, token: bob.token }), "FORBIDDEN");
    await expectTrpcError(anon.study.live.leave({ sessionId, token: bob.token }), "FORBIDDEN");

    await host.caller.study.live.next({ sessionId });
    const done = await host.caller.study.live.next({ sessionId });
    expect(done.status).toBe("finished");
    expect(done.leaderboard.map((r) => r.nickname)).toEqual(["Ann", "Cat"]);
    await expectTrpcError(anon.study.live.join({ code: created.code, nickname: "Eve" }), "NOT_FOUND");

    // The results are kept: the host lists past games with their winner.
    const past = await host.caller.study.live.list();
    expect(past.find((p) => p.id === sessionId)).toMatchObject({
      status: "finished",
      playerCount: 2,
      winner: { nickname: "Ann" },
    });
    expect((await host.caller.study.live.get({ sessionId })).leaderboard[0]?.score).toBe(annAfter?.score);
  });

  it("a player token works only in its own game", async () => {
    const anon = h.anon();
    const one = await host.caller.study.live.create({ itemId });
    const two = await host.caller.study.live.create({ itemId });
    expect(two.code).not.toBe(one.code);
    const ann = await join(one.code, "Ann");
    await host.caller.study.live.start({ sessionId: two.id });
    await expectTrpcError(
      anon.study.live.answer({ sessionId: two.id, token: ann.token, questionIndex: 0, choice: 1 }),
      "BAD_REQUEST",
    );
    await expectTrpcError(anon.study.live.state({ sessionId: two.id, token: ann.token }), "BAD_REQUEST");
    await expectTrpcError(anon.study.live.leave({ sessionId: two.id, token: ann.token }), "BAD_REQUEST");
    await expectTrpcError(anon.study.live.join({ code: two.code, token: ann.token }), "BAD_REQUEST");
    await expectTrpcError(anon.study.live.play({ sessionId: two.id, token: ann.token }), "BAD_REQUEST");
    // With a nickname it is simply a new player there.
    const again = await anon.study.live.join({ code: two.code, token: ann.token, nickname: "Ann" });
    expect(again.playerId).not.toBe(ann.playerId);
    expect((await host.caller.study.live.get({ sessionId: two.id })).players).toHaveLength(1);
    expect((await host.caller.study.live.get({ sessionId: one.id })).players).toHaveLength(1);
  });

  it("another user can neither run nor read a session", async () => {
    const s = await host.caller.study.live.create({ itemId });
    const player = await join(s.code, "Zed");
    const sessionId = s.id;
    await expectTrpcError(other.caller.study.live.create({ itemId }), "NOT_FOUND");
    await expectTrpcError(other.caller.study.live.get({ sessionId }), "NOT_FOUND");
    await expectTrpcError(other.caller.study.live.start({ sessionId }), "NOT_FOUND");
    await expectTrpcError(other.caller.study.live.next({ sessionId }), "NOT_FOUND");
    await expectTrpcError(other.caller.study.live.end({ sessionId }), "NOT_FOUND");
    await expectTrpcError(other.caller.study.live.kick({ sessionId, playerId: player.playerId }), "NOT_FOUND");
    await expectTrpcError(other.caller.study.live.watch({ sessionId }), "NOT_FOUND");
    await expectTrpcError(other.caller.study.live.invite({ sessionId, email: host.email }), "NOT_FOUND");
    expect(JSON.stringify(await other.caller.study.live.list())).not.toContain(sessionId);
    const still = await host.caller.study.live.get({ sessionId });
    expect([still.status, still.players.map((p) => p.nickname)]).toEqual(["lobby", ["Zed"]]);
    // RLS itself: the other user's own transaction sees no rows of the session's tables; the host's does.
    const count = (userId: string) =>
      asUser(h.db, userId, async (tx) => {
        const { rows } = await sql<{ n: number }>`
          SELECT (SELECT count(*) FROM live_sessions WHERE id = ${sessionId})::int
               + (SELECT count(*) FROM live_players WHERE session_id = ${sessionId})::int AS n`.execute(tx);
        return rows[0]?.n;
      });
    expect(await count(other.me.id)).toBe(0);
    expect(await count(host.me.id)).toBe(2);
    await expectTrpcError(h.anon().study.live.get({ sessionId }), "UNAUTHORIZED");
  });

  it("the host's live view brings the leaderboard after an answer", async () => {
    const s = await host.caller.study.live.create({ itemId });
    const ann = await join(s.code, "Ann");
    await host.caller.study.live.start({ sessionId: s.id });
    const stream = (await host.caller.study.live.watch({ sessionId: s.id }))[Symbol.asyncIterator]();
    try {
      const firstView = await stream.next();
      expect(firstView.value).toMatchObject({ status: "question", answeredCount: 0 });
      const answeredAt = Date.now();
      await h.anon().study.live.answer({ sessionId: s.id, token: ann.token, questionIndex: 0, choice: 1 });
      const update = await stream.next();
      // Delivered by the notice, well before the 2-second safety re-read.
      expect(Date.now() - answeredAt).toBeLessThan(1500);
      expect(update.value).toMatchObject({ answeredCount: 1 });
      expect(update.value?.players[0]).toMatchObject({ nickname: "Ann", answeredCurrent: true });
      expect(update.value?.players[0]?.score).toBeGreaterThan(0);
      // The player's own view moves with the host: the reveal reaches it.
      const play = (await h.anon().study.live.play({ sessionId: s.id, token: ann.token }))[Symbol.asyncIterator]();
      expect((await play.next()).value?.status).toBe("question");
      await host.caller.study.live.next({ sessionId: s.id });
      const revealed = await play.next();
      expect(revealed.value).toMatchObject({ status: "reveal", answerIndex: 1, me: { rank: 1 } });
      await play.return?.(undefined);
    } finally {
      await stream.return?.(undefined);
    }
  });

  it("a player's own score, rank and streak do not tell whether their answer was right before the reveal", async () => {
    const anon = h.anon();
    const s = await host.caller.study.live.create({ itemId });
    const ann = await join(s.code, "Ann");
    const bob = await join(s.code, "Bob");
    await host.caller.study.live.start({ sessionId: s.id });
    const before = await anon.study.live.state({ sessionId: s.id, token: bob.token });
    expect(before.me).toMatchObject({ score: 0, streak: 0, rank: 2 });
    // Ann is wrong, Bob right: while the question is open Bob's screen must look the same either way.
    await anon.study.live.answer({ sessionId: s.id, token: ann.token, questionIndex: 0, choice: 0 });
    await anon.study.live.answer({ sessionId: s.id, token: bob.token, questionIndex: 0, choice: 1 });
    const open = await anon.study.live.state({ sessionId: s.id, token: bob.token });
    expect(open.me).toMatchObject({ score: 0, streak: 0, rank: 2, answer: { choice: 1, correct: null, points: null } });
    expect(open.leaderboard).toEqual([]);
    const revealed = await host.caller.study.live.next({ sessionId: s.id });
    expect(revealed.status).toBe("reveal");
    const after = await anon.study.live.state({ sessionId: s.id, token: bob.token });
    expect(after.me.score).toBeGreaterThan(0);
    expect(after.me).toMatchObject({ streak: 1, rank: 1, answer: { correct: true } });
    // The next question: the streak and score shown are those of the last reveal until this one is revealed.
    await host.caller.study.live.next({ sessionId: s.id });
    await anon.study.live.answer({ sessionId: s.id, token: bob.token, questionIndex: 1, choice: 1 });
    const second = await anon.study.live.state({ sessionId: s.id, token: bob.token });
    expect(second.me).toMatchObject({ score: after.me.score, streak: 1, rank: 1 });
  });

  it("joins per address are limited across API processes: another process's joins count", async () => {
    const s = await host.caller.study.live.create({ itemId });
    const ip = "10.251.7.7";
    await h.anon(ip).study.live.join({ code: s.code, nickname: "First" });
    // Another API process took the rest of this minute's joins from the same address.
    await h.raw(sql`UPDATE auth_throttles SET attempts = 120 WHERE key = ${`live-join:${ip}`}`);
    await expectTrpcError(h.anon(ip).study.live.join({ code: s.code, nickname: "Flood" }), "TOO_MANY_REQUESTS");
    // Another address is not affected.
    expect((await h.anon("10.251.7.8").study.live.join({ code: s.code, nickname: "Class" })).nickname).toBe("Class");
  });

  it("a game takes at most 500 players, however many join at the same instant", async () => {
    const s = await host.caller.study.live.create({ itemId });
    await h.raw(sql`
      INSERT INTO live_players (session_id, nickname, token_hash)
      SELECT ${s.id}::uuid, 'P' || i, sha256(('cap-' || i || ${s.id})::bytea) FROM generate_series(1, 497) i`);
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) => h.anon(`10.252.0.${i + 1}`).study.live.join({ code: s.code, nickname: `Late${i}` })),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(3);
    const { rows } = await h.raw(sql`SELECT count(*)::int AS n FROM live_players WHERE session_id = ${s.id}`);
    expect(rows[0]).toEqual({ n: 500 });
  });

  it("a nickname with control or invisible characters is refused", async () => {
    const s = await host.caller.study.live.create({ itemId });
    for (const nickname of ["\u200b\u200b", "Ann\u202eyaw", "Bob\nWins", "Cat\u0007"])
      await expectTrpcError(h.anon().study.live.join({ code: s.code, nickname }), "BAD_REQUEST");
    expect((await h.anon().study.live.join({ code: s.code, nickname: "Zoë-Ann 2" })).nickname).toBe("Zoë-Ann 2");
  });

  it("invites a user by e-mail: one live_invite in their bell with the code, whoever the address is", async () => {
    const s = await host.caller.study.live.create({ itemId });
    await host.caller.study.live.invite({ sessionId: s.id, email: other.email.toUpperCase() });
    await host.caller.study.live.invite({ sessionId: s.id, email: other.email });
    // An address without an account answers the same (nothing tells who uses Inkwell).
    expect(await host.caller.study.live.invite({ sessionId: s.id, email: "nobody-live@example.test" })).toEqual({ ok: true });
    const invites = (await other.caller.notifications.list({})).filter((n) => n.kind === "live_invite");
    expect(invites).toHaveLength(1);
    expect(invites[0]?.body).toContain(`/play/${s.code}`);
    expect(invites[0]?.senderId).toBe(host.me.id);
  });

  it("limits a host's invites the same whether or not the address has an account", async () => {
    const inviter = await h.signUp("live-inviter");
    const item = await inviter.caller.study.library.items.create({ itemType: "quiz", title: "Rivers", content: QUIZ });
    const s = await inviter.caller.study.live.create({ itemId: item.id });
    for (let i = 0; i < LIVE_INVITES_PER_HOUR.limit; i++)
      await inviter.caller.study.live.invite({ sessionId: s.id, email: `nobody-${i}@example.test` });
    // Past the limit an account's address and an unknown one get the same refusal.
    await expectTrpcError(inviter.caller.study.live.invite({ sessionId: s.id, email: other.email }), "TOO_MANY_REQUESTS");
    await expectTrpcError(
      inviter.caller.study.live.invite({ sessionId: s.id, email: "nobody-else@example.test" }),
      "TOO_MANY_REQUESTS",
    );
    expect((await other.caller.notifications.list({})).filter((n) => n.senderId === inviter.me.id)).toHaveLength(0);
  });
});
