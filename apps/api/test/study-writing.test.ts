/**
 * Writing prompts scored against their rubrics, on the real database: offline (length and rubric key
 * words, labelled placeholder), and by a model on the local OpenAI-compatible server (points per
 * criterion, one that exceeds its criterion corrected by the retry); a retried submit returns the stored
 * result, charged once; no credits, nothing stored; another user can use none of it.
 */
import { randomUUID } from "node:crypto";
import { closeUntrustedPool } from "@inkwell/domain/platform";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectTrpcError, type Harness, startHarness, startHarnessWithLocalModel } from "./harness.ts";

type User = Awaited<ReturnType<Harness["signUp"]>>;
let h: Harness;
let local: Awaited<ReturnType<typeof startHarnessWithLocalModel>>;
let alice: User;
let bob: User;

const PROMPTS = {
  prompts: [
    {
      id: "p1",
      prompt: "Explain why the sky is blue.",
      minWords: 30,
      rubric: [
        { criterion: "Scattering", description: "Rayleigh scattering of sunlight by air molecules", points: 4 },
        { criterion: "Clarity", description: "Plain, ordered explanation", points: 2 },
      ],
    },
    {
      id: "p2",
      prompt: "Why are sunsets red?",
      minWords: 20,
      rubric: [{ criterion: "Path length", description: "Longer path through the atmosphere at sunset", points: 4 }],
    },
  ],
};

const GOOD =
  "Sunlight reaches the air and is scattered by air molecules. This Rayleigh scattering is much stronger for short blue wavelengths than for red ones, so blue light is scattered across the whole sky and reaches our eyes from every direction. That is why a clear, plain daytime sky looks blue.";

const key = () => randomUUID();
const makePrompts = (u: User, title = "Light and colour") =>
  u.caller.study.library.items.create({ itemType: "writing_prompt", title, content: PROMPTS });
const available = async (u: User) => (await u.caller.credits.balance()).available;
async function rows(userId: string) {
  const { rows } = await h.raw(sql`SELECT count(*)::int AS n FROM writing_results WHERE user_id = ${userId}`);
  return (rows[0] as { n: number }).n;
}

beforeAll(async () => {
  h = await startHarness();
  local = await startHarnessWithLocalModel();
  [alice, bob] = [await h.signUp("writing-alice"), await h.signUp("writing-bob")];
}, 60_000);

afterAll(async () => {
  await closeUntrustedPool();
  await h?.stop();
  await local?.stop();
});

describe("scoring offline", () => {
  it("scores each response against its rubric (placeholder), leaves the unanswered at zero, charges per response", async () => {
    const item = await makePrompts(alice);
    const before = await available(alice);
    const result = await alice.caller.study.writing.submit({
      itemId: item.id,
      attemptKey: key(),
      responses: [
        { promptId: "p1", text: GOOD },
        { promptId: "p2", text: "" },
      ],
    });
    expect(result).toMatchObject({
      itemId: item.id,
      itemTitle: "Light and colour",
      totalPrompts: 2,
      placeholder: true,
      credits: 3,
    });
    const [p1, p2] = result.responses;
    expect(p1?.criteria.map((c) => c.maxPoints)).toEqual([4, 2]);
    expect(p1?.points).toBeGreaterThan(3);
    expect(p1?.points).toBeLessThanOrEqual(6);
    expect(p1?.wordCount).toBeGreaterThanOrEqual(30);
    expect(p1?.feedback).toMatch(/^Placeholder scoring/);
    expect(p2).toMatchObject({ points: 0, maxPoints: 4, feedback: "No response.", placeholder: false });
    expect(result.overallScore).toBe(Math.round((1000 * (p1?.points ?? 0)) / 10) / 10);
    expect(result.overallFeedback).toMatch(/^Placeholder scoring/);
    expect(result.overallFeedback).toMatch(/1 prompt left unanswered/);
    expect(await available(alice)).toBe(before - 3);

    // A short, off-topic answer scores lower.
    const poor = await alice.caller.study.writing.submit({
      itemId: item.id,
      attemptKey: key(),
      responses: [{ promptId: "p1", text: "It just is." }],
    });
    expect(poor.responses[0]?.points).toBeLessThan(p1?.points ?? 0);

    const read = await alice.caller.study.results.get({ kind: "writing", resultId: result.id });
    expect(read.result).toEqual(result);
    const list = await alice.caller.study.results.list({ kind: "writing" });
    expect(list.items.map((r) => r.id)).toEqual([poor.id, result.id]);
    expect(list.items[1]).toMatchObject({ kind: "writing", percent: result.overallScore, detail: "2 prompts" });
    expect((await alice.caller.study.results.summary({})).writing.count).toBe(2);
  });

  it("refuses nothing written, unknown prompts and a non-writing item", async () => {
    const item = await makePrompts(alice, "Refusals");
    const n = await rows(alice.me.id);
    const submit = (responses: { promptId: string; text: string }[]) =>
      alice.caller.study.writing.submit({ itemId: item.id, attemptKey: key(), responses });
    await expectTrpcError(submit([{ promptId: "p1", text: "   " }]), "BAD_REQUEST");
    await expectTrpcError(submit([{ promptId: "p9", text: GOOD }]), "BAD_REQUEST");
    await expectTrpcError(submit([]), "BAD_REQUEST");
    const quiz = await alice.caller.study.library.items.create({
      itemType: "quiz",
      title: "A quiz",
      content: { questions: [{ id: "q1", kind: "true_false", prompt: "Blue?", answer: true }] },
    });
    await expectTrpcError(
      alice.caller.study.writing.submit({ itemId: quiz.id, attemptKey: key(), responses: [{ promptId: "p1", text: GOOD }] }),
      "NOT_FOUND",
    );
    expect(await rows(alice.me.id)).toBe(n);
  });
});

describe("one attempt, one result, one charge", () => {
  it("a retry returns the stored result; racing submits store one; without credits nothing is stored", async () => {
    const item = await makePrompts(alice, "Retried");
    const responses = [{ promptId: "p1", text: GOOD }];
    const before = await available(alice);
    const attemptKey = key();
    const first = await alice.caller.study.writing.submit({ itemId: item.id, attemptKey, responses });
    expect(await alice.caller.study.writing.submit({ itemId: item.id, attemptKey, responses })).toEqual(first);
    const racing = key();
    const [a, b] = await Promise.all([
      alice.caller.study.writing.submit({ itemId: item.id, attemptKey: racing, responses }),
      alice.caller.study.writing.submit({ itemId: item.id, attemptKey: racing, responses }),
    ]);
    expect(a.id).toBe(b.id);
    expect(await available(alice)).toBe(before - 6);

    const broke = await h.signUp("writing-broke");
    const own = await makePrompts(broke, "No credits");
    await h.raw(sql`UPDATE credit_grants SET remaining = 0 WHERE user_id = ${broke.me.id}`);
    await h.raw(sql`UPDATE credit_accounts SET balance = 0 WHERE user_id = ${broke.me.id}`);
    await expectTrpcError(
      broke.caller.study.writing.submit({ itemId: own.id, attemptKey: key(), responses }),
      "PAYMENT_REQUIRED",
    );
    expect(await rows(broke.me.id)).toBe(0);
  });
});

describe("another user", () => {
  it("cannot submit against or read someone else's prompts and results", async () => {
    const item = await makePrompts(alice, "Alice's prompts");
    const mine = await alice.caller.study.writing.submit({
      itemId: item.id,
      attemptKey: key(),
      responses: [{ promptId: "p2", text: "The light travels a longer path through the atmosphere at sunset." }],
    });
    const bobBefore = await available(bob);
    await expectTrpcError(
      bob.caller.study.writing.submit({ itemId: item.id, attemptKey: key(), responses: [{ promptId: "p1", text: GOOD }] }),
      "NOT_FOUND",
    );
    await expectTrpcError(bob.caller.study.results.get({ kind: "writing", resultId: mine.id }), "NOT_FOUND");
    // A writing result's id is not a quiz result's either.
    await expectTrpcError(alice.caller.study.results.get({ kind: "quiz", resultId: mine.id }), "NOT_FOUND");
    expect((await bob.caller.study.results.list({ kind: "writing" })).items).toEqual([]);
    expect(await rows(bob.me.id)).toBe(0);
    expect(await available(bob)).toBe(bobBefore);
  });
});

describe("scored by a model", () => {
  it("sends the prompt, rubric and response; caps points at each criterion (one retry)", async () => {
    const carol = await local.h.signUp("writing-carol");
    const item = await carol.caller.study.library.items.create({ itemType: "writing_prompt", title: "Sky", content: PROMPTS });
    let calls = 0;
    local.server.setReply(() => {
      calls++;
      // 5 points on a 2-point criterion: refused by the schema, corrected on the retry.
      const clarity = calls === 1 ? 5 : 2;
      return JSON.stringify({
        scores: [
          { points: 3, comment: "Names Rayleigh scattering; no molecules." },
          { points: clarity, comment: "Clear." },
        ],
        feedback: "A clear explanation. Say what does the scattering.",
      });
    });
    const sent = local.server.requests.length;
    const before = (await carol.caller.credits.balance()).available;
    const result = await carol.caller.study.writing.submit({
      itemId: item.id,
      attemptKey: key(),
      responses: [{ promptId: "p1", text: GOOD }],
    });
    expect(calls).toBe(2);
    expect(result.placeholder).toBe(false);
    expect(result.responses[0]).toMatchObject({
      points: 5,
      maxPoints: 6,
      feedback: "A clear explanation. Say what does the scattering.",
      criteria: [
        { criterion: "Scattering", points: 3, maxPoints: 4, comment: "Names Rayleigh scattering; no molecules." },
        { criterion: "Clarity", points: 2, maxPoints: 2, comment: "Clear." },
      ],
    });
    // p2 unanswered: 5 of 10 points.
    expect(result.overallScore).toBe(50);
    const body = JSON.stringify(local.server.requests[sent]?.body);
    expect(body).toContain("Explain why the sky is blue.");
    expect(body).toContain("Scattering (max 4 points)");
    expect(body).toContain("This Rayleigh scattering is much stronger");
    expect((await carol.caller.credits.balance()).available).toBe(before - 3);
    local.server.setReply(null);
  });
});
