/**
 * Taking a quiz, on the real database: multiple choice and true/false graded exactly, short answers by
 * the offline grader (labelled placeholder) or by a model on the local OpenAI-compatible server (against
 * the model answer and the cited passage; a malformed reply corrected by the one retry); partial answers
 * count half; a retried or racing submit of one attempt stores one result and charges once; no credits,
 * nothing stored; results outlive their quiz; another user can submit against, read or list none of it.
 */
import { randomUUID } from "node:crypto";
import { asUser } from "@inkwell/db";
import { closeUntrustedPool } from "@inkwell/domain/platform";
import { library, quiz as quizzes } from "@inkwell/domain/study";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectTrpcError, type Harness, startHarness, startHarnessWithLocalModel } from "./harness.ts";

type User = Awaited<ReturnType<Harness["signUp"]>>;
let h: Harness;
let local: Awaited<ReturnType<typeof startHarnessWithLocalModel>>;
let alice: User;
let bob: User;

const QUIZ = {
  questions: [
    {
      id: "q1",
      kind: "multiple_choice" as const,
      prompt: "Which organelle makes most of a cell's ATP?",
      choices: ["Nucleus", "Mitochondrion", "Ribosome"],
      answerIndex: 1,
      explanation: "Cellular respiration happens in the mitochondria.",
      cites: [0],
    },
    { id: "q2", kind: "true_false" as const, prompt: "Ribosomes build proteins.", answer: true, cites: [] },
    {
      id: "q3",
      kind: "short_answer" as const,
      prompt: "What does photosynthesis make from carbon dioxide and water?",
      expected: "Glucose and oxygen",
      cites: [1],
    },
    {
      id: "q4",
      kind: "short_answer" as const,
      prompt: "Where in the cell does photosynthesis happen?",
      expected: "In the chloroplasts",
      cites: [],
    },
  ],
};
const CITATIONS = [
  {
    sourceKind: "note" as const,
    sourceId: "00000000-0000-4000-8000-000000000001",
    title: "Cell notes",
    quote: "Mitochondria produce ATP.",
  },
  {
    sourceKind: "note" as const,
    sourceId: "00000000-0000-4000-8000-000000000001",
    title: "Plant notes",
    quote: "Photosynthesis turns carbon dioxide and water into glucose and oxygen using light.",
  },
];

const key = () => randomUUID();

/** A quiz with the citations a generated one has (the hand editor takes none), written as its owner. */
function makeQuiz(user: User, title = "Cells", harness = h) {
  return asUser(harness.db, user.me.id, (tx) =>
    library.create(tx, user.me.id, { itemType: "quiz", title, content: QUIZ, citations: CITATIONS, source: "topic" }),
  );
}

async function resultRows(userId: string) {
  const { rows } = await h.raw(sql`SELECT count(*)::int AS n FROM quiz_results WHERE user_id = ${userId}`);
  return (rows[0] as { n: number }).n;
}

const available = async (u: User) => (await u.caller.credits.balance()).available;

beforeAll(async () => {
  h = await startHarness();
  local = await startHarnessWithLocalModel();
  [alice, bob] = [await h.signUp("quiz-alice"), await h.signUp("quiz-bob")];
}, 60_000);

afterAll(async () => {
  await closeUntrustedPool();
  await h?.stop();
  await local?.stop();
});

describe("taking a quiz offline", () => {
  it("grades MC and TF exactly and short answers by key words (placeholder), partial counting half", async () => {
    const quiz = await makeQuiz(alice);
    const before = await available(alice);
    const result = await alice.caller.study.quiz.submit({
      itemId: quiz.id,
      attemptKey: key(),
      answers: [
        { questionId: "q1", response: 1, timeMs: 4000 },
        { questionId: "q2", response: false, timeMs: 2000 },
        // Half the key words of "Glucose and oxygen": partial.
        { questionId: "q3", response: "glucose, I think", timeMs: 9000 },
        { questionId: "q4", response: "Inside the chloroplasts of leaf cells", timeMs: 5000 },
      ],
    });
    expect(result.answers.map((a) => a.verdict)).toEqual(["correct", "incorrect", "partial", "correct"]);
    expect(result).toMatchObject({
      itemId: quiz.id,
      itemTitle: "Cells",
      total: 4,
      correct: 2,
      partial: 1,
      incorrect: 1,
      score: 2.5,
      accuracy: 0.625,
      bestStreak: 1,
      avgTimePerQuestion: 5000,
      placeholder: true,
      credits: 2,
    });
    const [mc, tf, short] = result.answers;
    expect(mc).toMatchObject({ responseText: "Mitochondrion", expectedText: "Mitochondrion", placeholder: false });
    expect(mc?.citations).toEqual([{ title: "Cell notes", quote: "Mitochondria produce ATP." }]);
    expect(mc?.explanation).toMatch(/mitochondria/);
    expect(tf).toMatchObject({ responseText: "False", expectedText: "True" });
    expect(short?.placeholder).toBe(true);
    expect(short?.feedback).toMatch(/^Placeholder grading/);
    // Two short answers read by the grader: two credits, one metered generation.
    expect(await available(alice)).toBe(before - 2);
    const logged = await alice.caller.usage.generations({ operation: "study.grade" });
    expect(logged.filter((g) => g.status === "succeeded")).toHaveLength(1);

    const read = await alice.caller.study.results.get({ kind: "quiz", resultId: result.id });
    expect(read.result).toEqual(result);
  });

  it("is free with no short answers to read, and skipped questions count as incorrect", async () => {
    const quiz = await makeQuiz(alice, "Cells, quick");
    const before = await available(alice);
    const result = await alice.caller.study.quiz.submit({
      itemId: quiz.id,
      attemptKey: key(),
      answers: [
        { questionId: "q1", response: 1, timeMs: 1000 },
        { questionId: "q2", response: true, timeMs: 1000 },
        { questionId: "q3", response: "   ", timeMs: 1000 },
      ],
    });
    expect(result.answers.map((a) => a.verdict)).toEqual(["correct", "correct", "incorrect", "incorrect"]);
    expect(result).toMatchObject({ bestStreak: 2, credits: 0, placeholder: false, accuracy: 0.5 });
    expect(await available(alice)).toBe(before);
  });

  it("refuses answers that do not fit the quiz, storing nothing", async () => {
    const quiz = await makeQuiz(alice, "Cells, bad input");
    const rows = await resultRows(alice.me.id);
    const submit = (answers: { questionId: string; response: number | boolean | string | null; timeMs: number }[]) =>
      alice.caller.study.quiz.submit({ itemId: quiz.id, attemptKey: key(), answers });
    await expectTrpcError(submit([{ questionId: "q1", response: "Mitochondrion", timeMs: 1 }]), "BAD_REQUEST");
    await expectTrpcError(submit([{ questionId: "q1", response: 3, timeMs: 1 }]), "BAD_REQUEST");
    await expectTrpcError(submit([{ questionId: "nope", response: true, timeMs: 1 }]), "BAD_REQUEST");
    await expectTrpcError(
      submit([
        { questionId: "q2", response: true, timeMs: 1 },
        { questionId: "q2", response: false, timeMs: 1 },
      ]),
      "BAD_REQUEST",
    );
    await expectTrpcError(submit([{ questionId: "q1", response: 1, timeMs: -5 }]), "BAD_REQUEST");
    const cards = await alice.caller.study.library.items.create({
      itemType: "flashcard",
      title: "Not a quiz",
      content: { cards: [{ id: "c1", front: "ATP", back: "Energy" }] },
    });
    await expectTrpcError(alice.caller.study.quiz.submit({ itemId: cards.id, attemptKey: key(), answers: [] }), "NOT_FOUND");
    expect(await resultRows(alice.me.id)).toBe(rows);
  });
});

describe("one attempt, one result, one charge", () => {
  it("a retried submit returns the stored result; two at once store one row and charge once", async () => {
    const quiz = await makeQuiz(alice, "Cells, retried");
    const answers = [
      { questionId: "q3", response: "Glucose and oxygen", timeMs: 3000 },
      { questionId: "q4", response: "chloroplasts", timeMs: 3000 },
    ];
    const before = await available(alice);
    const attemptKey = key();
    const first = await alice.caller.study.quiz.submit({ itemId: quiz.id, attemptKey, answers });
    const again = await alice.caller.study.quiz.submit({ itemId: quiz.id, attemptKey, answers });
    expect(again).toEqual(first);
    expect(await available(alice)).toBe(before - 2);

    const racing = key();
    const rows = await resultRows(alice.me.id);
    const [a, b] = await Promise.all([
      alice.caller.study.quiz.submit({ itemId: quiz.id, attemptKey: racing, answers }),
      alice.caller.study.quiz.submit({ itemId: quiz.id, attemptKey: racing, answers }),
    ]);
    expect(a.id).toBe(b.id);
    expect(await resultRows(alice.me.id)).toBe(rows + 1);
    expect(await available(alice)).toBe(before - 4);

    // The same key for another quiz is a mistake, not a replay.
    const other = await makeQuiz(alice, "Another");
    await expectTrpcError(alice.caller.study.quiz.submit({ itemId: other.id, attemptKey, answers }), "CONFLICT");
  });

  it("without credits, a quiz with short answers is refused and nothing is stored", async () => {
    const broke = await h.signUp("quiz-broke");
    const quiz = await makeQuiz(broke, "Cells, no credits");
    await h.raw(sql`UPDATE credit_grants SET remaining = 0 WHERE user_id = ${broke.me.id}`);
    await h.raw(sql`UPDATE credit_accounts SET balance = 0 WHERE user_id = ${broke.me.id}`);
    await expectTrpcError(
      broke.caller.study.quiz.submit({
        itemId: quiz.id,
        attemptKey: key(),
        answers: [
          { questionId: "q1", response: 1, timeMs: 1000 },
          { questionId: "q3", response: "glucose", timeMs: 1000 },
        ],
      }),
      "PAYMENT_REQUIRED",
    );
    expect(await resultRows(broke.me.id)).toBe(0);
    // MC and TF cost nothing: that still works.
    const free = await broke.caller.study.quiz.submit({
      itemId: quiz.id,
      attemptKey: key(),
      answers: [{ questionId: "q1", response: 1, timeMs: 1000 }],
    });
    expect(free.credits).toBe(0);
    expect(await resultRows(broke.me.id)).toBe(1);
  });
});

describe("opening a quiz to take", () => {
  it("carries prompts and choices but no answer, model answer or explanation until the result", async () => {
    const quiz = await makeQuiz(alice, "Cells, opened");
    const opened = await alice.caller.study.quiz.open({ itemId: quiz.id });
    expect(opened).toEqual({
      id: quiz.id,
      title: "Cells, opened",
      isPlaceholder: false,
      hasShortAnswers: true,
      questions: [
        {
          id: "q1",
          kind: "multiple_choice",
          prompt: QUIZ.questions[0]?.prompt,
          choices: ["Nucleus", "Mitochondrion", "Ribosome"],
        },
        { id: "q2", kind: "true_false", prompt: "Ribosomes build proteins." },
        { id: "q3", kind: "short_answer", prompt: QUIZ.questions[2]?.prompt },
        { id: "q4", kind: "short_answer", prompt: QUIZ.questions[3]?.prompt },
      ],
    });
    const wire = JSON.stringify(opened);
    for (const secret of ["answerIndex", '"answer"', "Glucose and oxygen", "In the chloroplasts", "Cellular respiration"]) {
      expect(wire).not.toContain(secret);
    }
    await expectTrpcError(bob.caller.study.quiz.open({ itemId: quiz.id }), "NOT_FOUND");
    const cards = await alice.caller.study.library.items.create({
      itemType: "flashcard",
      title: "Not a quiz either",
      content: { cards: [{ id: "c1", front: "ATP", back: "Energy" }] },
    });
    await expectTrpcError(alice.caller.study.quiz.open({ itemId: cards.id }), "NOT_FOUND");
  });
});

describe("rate limits", () => {
  it("free MC/TF-only submits are limited per user too (they never reach the metering)", async () => {
    const u = await h.signUp("quiz-limited");
    const quiz = await makeQuiz(u, "Cells, many times");
    const deps = {
      ...h.deps,
      rateLimits: { "study.grade": { perUser: { limit: 2, windowSeconds: 60 }, perIp: { limit: 100, windowSeconds: 60 } } },
    };
    const actor = { userId: u.me.id, ip: "10.7.7.7" };
    const submit = (attemptKey: string) =>
      quizzes.submit(deps, actor, { itemId: quiz.id, attemptKey, answers: [{ questionId: "q1", response: 1, timeMs: 1000 }] });
    const firstKey = key();
    const first = await submit(firstKey);
    await submit(key());
    await expect(submit(key())).rejects.toMatchObject({ code: "RATE_LIMITED" });
    expect(await resultRows(u.me.id)).toBe(2);
    // A retry of a stored attempt is a read, not a new submit: still answered.
    expect((await submit(firstKey)).id).toBe(first.id);
  });
});

describe("results", () => {
  it("outlive their quiz, list newest first by kind and item, and count the day's streak", async () => {
    const u = await h.signUp("quiz-history");
    const quiz = await makeQuiz(u, "Soon deleted");
    const taken = await u.caller.study.quiz.submit({
      itemId: quiz.id,
      attemptKey: key(),
      answers: [{ questionId: "q1", response: 1, timeMs: 2000 }],
    });
    const second = await makeQuiz(u, "Kept");
    await u.caller.study.quiz.submit({
      itemId: second.id,
      attemptKey: key(),
      answers: [{ questionId: "q2", response: true, timeMs: 2000 }],
    });
    await u.caller.study.library.items.delete({ itemId: quiz.id });
    const kept = await u.caller.study.results.get({ kind: "quiz", resultId: taken.id });
    expect(kept.result).toMatchObject({ itemId: null, itemTitle: "Soon deleted", correct: 1 });

    const list = await u.caller.study.results.list({});
    expect(list.items.map((r) => r.itemTitle)).toEqual(["Kept", "Soon deleted"]);
    expect(list.items[0]).toMatchObject({ kind: "quiz", percent: 25, detail: "1 of 4 correct" });
    const page = await u.caller.study.results.list({ limit: 1 });
    expect(page.items).toHaveLength(1);
    const rest = await u.caller.study.results.list({ limit: 1, ...(page.nextCursor ? { cursor: page.nextCursor } : {}) });
    expect(rest.items.map((r) => r.itemTitle)).toEqual(["Soon deleted"]);
    expect((await u.caller.study.results.list({ itemId: second.id })).items).toHaveLength(1);
    expect((await u.caller.study.results.list({ kind: "writing" })).items).toEqual([]);

    const summary = await u.caller.study.results.summary({ timeZone: "Europe/Paris" });
    expect(summary.quizzes).toMatchObject({ count: 2, averageAccuracy: 0.25, bestStreak: 1, questionsAnswered: 8 });
    expect(summary.streak).toMatchObject({ current: 1, longest: 1, studiedToday: true });
    await expectTrpcError(u.caller.study.results.summary({ timeZone: "Mars/Olympus" }), "BAD_REQUEST");
  });
});

describe("another user", () => {
  it("cannot submit against, read or list someone else's quiz and results", async () => {
    const quiz = await makeQuiz(alice, "Alice's own");
    const attemptKey = key();
    const mine = await alice.caller.study.quiz.submit({
      itemId: quiz.id,
      attemptKey,
      answers: [{ questionId: "q1", response: 1, timeMs: 1000 }],
    });
    const bobBefore = await available(bob);
    await expectTrpcError(
      bob.caller.study.quiz.submit({
        itemId: quiz.id,
        attemptKey: key(),
        answers: [{ questionId: "q3", response: "glucose", timeMs: 1 }],
      }),
      "NOT_FOUND",
    );
    // Alice's attempt key means nothing to Bob's submits.
    await expectTrpcError(bob.caller.study.quiz.submit({ itemId: quiz.id, attemptKey, answers: [] }), "NOT_FOUND");
    await expectTrpcError(bob.caller.study.results.get({ kind: "quiz", resultId: mine.id }), "NOT_FOUND");
    expect((await bob.caller.study.results.list({})).items).toEqual([]);
    expect((await bob.caller.study.results.list({ itemId: quiz.id })).items).toEqual([]);
    expect((await bob.caller.study.results.summary({})).quizzes.count).toBe(0);
    expect(await resultRows(bob.me.id)).toBe(0);
    expect(await available(bob)).toBe(bobBefore);
  });
});

describe("short answers graded by a model", () => {
  it("sends the question, the model answer and the cited passage; takes its verdict and feedback", async () => {
    const carol = await local.h.signUp("quiz-carol");
    const quiz = await makeQuiz(carol, "Plants", local.h);
    let calls = 0;
    local.server.setReply(() => {
      calls++;
      // The first reply is not the asked-for shape: the one corrective retry fixes it.
      return calls === 1
        ? JSON.stringify({ verdict: "mostly", feedback: "" })
        : JSON.stringify({ verdict: "partial", feedback: "Glucose is right; you left out oxygen." });
    });
    const sent = local.server.requests.length;
    const before = (await carol.caller.credits.balance()).available;
    const result = await carol.caller.study.quiz.submit({
      itemId: quiz.id,
      attemptKey: key(),
      answers: [
        { questionId: "q1", response: 1, timeMs: 1000 },
        { questionId: "q3", response: "Sugar (glucose)", timeMs: 8000 },
      ],
    });
    expect(result.answers[2]).toMatchObject({
      verdict: "partial",
      feedback: "Glucose is right; you left out oxygen.",
      placeholder: false,
    });
    expect(result.placeholder).toBe(false);
    expect(calls).toBe(2);
    const bodies = local.server.requests.slice(sent).map((r) => JSON.stringify(r.body));
    expect(bodies[0]).toContain("Glucose and oxygen");
    expect(bodies[0]).toContain("Photosynthesis turns carbon dioxide and water into glucose and oxygen");
    expect(bodies[0]).toContain("Sugar (glucose)");
    expect((await carol.caller.credits.balance()).available).toBe(before - 1);
    local.server.setReply(null);
  });

  it("a model that never answers right fails the submit: nothing stored, nothing charged", async () => {
    const dave = await local.h.signUp("quiz-dave");
    const quiz = await dave.caller.study.library.items.create({ itemType: "quiz", title: "Plants 2", content: QUIZ });
    local.server.setReply(() => "not json at all");
    const before = (await dave.caller.credits.balance()).available;
    await expectTrpcError(
      dave.caller.study.quiz.submit({
        itemId: quiz.id,
        attemptKey: key(),
        answers: [{ questionId: "q4", response: "chloroplasts", timeMs: 1000 }],
      }),
      "BAD_GATEWAY",
    );
    expect((await dave.caller.credits.balance()).available).toBe(before);
    expect((await dave.caller.study.results.list({})).items).toEqual([]);
    local.server.setReply(null);
  });
});
