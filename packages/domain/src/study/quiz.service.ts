/**
 * Taking a quiz (issue 15.2). A submit reads the item in a short transaction, grades with none open
 * (MC and TF exactly; short answers by the model, a few at a time), and stores the result in the same
 * transaction as the charge (`study.grade`, one credit per short answer the model reads): a grading that
 * fails stores nothing and costs nothing. `attemptKey` makes a submit safe to retry: a stored attempt is
 * returned as it is, and two racing submits of one attempt store one row and charge once (the loser's
 * insert finds the winner's row, so its reservation is released).
 *
 * scoreObjective, gradeShortAnswer and summarize are also what shared quizzes (anonymous takers, the
 * sharer pays) and live sessions use.
 */
import { randomUUID } from "node:crypto";
import { asUser, type Database, type Tx } from "@inkwell/db";
import { z } from "zod";
import type { AiProvider } from "../ai/index.ts";
import { DomainError, notFound } from "../platform/errors.ts";
import { type Actor, usage } from "../usage/index.ts";
import type { QuizQuestion, StudyItem } from "./library.schemas.ts";
import * as library from "./library.service.ts";
import { gradeShortAnswerWith, mapLimit, type SourcePassage, scoreObjective } from "./quiz.grade.ts";
import * as repo from "./quiz.repository.ts";
import {
  type AnsweredQuestion,
  answeredQuestionSchema,
  type GradeOutcome,
  type OpenQuizInput,
  openQuizInput,
  type QuizResponse,
  type QuizResult,
  type QuizSummary,
  type QuizToTake,
  type SubmitQuizInput,
  submitQuizInput,
  type Verdict,
} from "./quiz.schemas.ts";

export { gradeByOverlap, keyTokens, PLACEHOLDER_GRADE_NOTE, scoreObjective } from "./quiz.grade.ts";

export interface QuizDeps {
  db: Database;
  ai: AiProvider;
  rateLimits?: Parameters<typeof usage.runMetered>[0]["rateLimits"];
}

/** Short answers graded at once per submit: enough to be quick, few enough not to flood the provider. */
const GRADE_CONCURRENCY = 4;
export const GRADE_OPERATION = "study.grade" as const;

type ShortAnswerQuestion = Extract<QuizQuestion, { kind: "short_answer" }>;

/** The pure summary: partial answers count half; the streak is consecutive correct answers. */
export function summarize(answers: readonly { verdict: Verdict; timeMs: number }[]): QuizSummary {
  let correct = 0;
  let partial = 0;
  let streak = 0;
  let bestStreak = 0;
  let time = 0;
  for (const a of answers) {
    if (a.verdict === "correct") {
      correct++;
      streak++;
      bestStreak = Math.max(bestStreak, streak);
    } else {
      if (a.verdict === "partial") partial++;
      streak = 0;
    }
    time += a.timeMs;
  }
  const total = answers.length;
  const score = correct + partial / 2;
  return {
    score,
    total,
    accuracy: total ? score / total : 0,
    correct,
    partial,
    incorrect: total - correct - partial,
    bestStreak,
    avgTimePerQuestion: total ? Math.round(time / total) : 0,
  };
}

/**
 * One short answer graded and charged to `payerUserId` (one `study.grade`), with no transaction open.
 * For shared quizzes (the sharer pays for an anonymous taker) and anything else grading one answer alone.
 * An empty answer is incorrect without a model call or a charge.
 */
export async function gradeShortAnswer(
  deps: QuizDeps,
  input: {
    payerUserId: string;
    question: ShortAnswerQuestion;
    response: string;
    source?: SourcePassage[];
    /** The taker's address, for the per-address rate limit. */
    ip?: string;
    /** Reused by a caller retrying the same grading, so it is charged once. */
    idempotencyKey?: string;
  },
): Promise<GradeOutcome & { credits: number }> {
  if (!input.response.trim()) return { verdict: "incorrect", feedback: "No answer was given.", placeholder: false, credits: 0 };
  const run = await usage.runMetered(
    deps,
    { userId: input.payerUserId, ip: input.ip ?? "0.0.0.0" },
    {
      operation: GRADE_OPERATION,
      idempotencyKey: `study.grade:${input.idempotencyKey ?? randomUUID()}`,
      request: { questionId: input.question.id, response: input.response },
      topic: `Grading: ${input.question.prompt}`.slice(0, 200),
      provider: deps.ai.name,
    },
    async () => {
      const g = await gradeShortAnswerWith(deps.ai, input.question, input.response, input.source);
      return {
        result: g.outcome,
        model: g.model,
        inputTokens: g.inputTokens,
        outputTokens: g.outputTokens,
        latencyMs: g.latencyMs,
      };
    },
  );
  return { ...run.result, credits: run.credits };
}

function passagesOf(item: StudyItem, q: QuizQuestion): SourcePassage[] {
  return q.cites.flatMap((i) => {
    const c = item.citations[i];
    return c ? [{ title: c.title, quote: c.quote }] : [];
  });
}

function asText(q: QuizQuestion, response: QuizResponse): string {
  if (response === null) return "";
  if (q.kind === "multiple_choice") return typeof response === "number" ? (q.choices[response] ?? "") : "";
  if (q.kind === "true_false") return typeof response === "boolean" ? (response ? "True" : "False") : "";
  return typeof response === "string" ? response : "";
}

function expectedText(q: QuizQuestion): string {
  if (q.kind === "multiple_choice") return q.choices[q.answerIndex] ?? "";
  if (q.kind === "true_false") return q.answer ? "True" : "False";
  return q.expected;
}

/** A response of the wrong type for its question is a bad request, not a wrong answer. */
function checkType(q: QuizQuestion, response: QuizResponse) {
  if (response === null) return;
  const ok =
    (q.kind === "multiple_choice" && typeof response === "number" && response < q.choices.length) ||
    (q.kind === "true_false" && typeof response === "boolean") ||
    (q.kind === "short_answer" && typeof response === "string");
  if (!ok) {
    const wants =
      q.kind === "multiple_choice" ? "one of its choices" : q.kind === "true_false" ? "true or false" : "a written answer";
    throw new DomainError("INVALID_INPUT", `Question ${q.id} takes ${wants}.`, { field: "answers" });
  }
}

export function toResult(row: repo.QuizResultRow): QuizResult {
  return {
    id: row.id,
    itemId: row.item_id,
    itemTitle: row.item_title,
    score: Number(row.score),
    total: row.total_questions,
    accuracy: Number(row.accuracy),
    correct: row.correct_count,
    partial: row.partial_count,
    incorrect: row.incorrect_count,
    bestStreak: row.best_streak,
    avgTimePerQuestion: Number(row.avg_time_per_question),
    answers: z.array(answeredQuestionSchema).parse(row.answers),
    placeholder: row.is_placeholder,
    credits: row.credits,
    createdAt: row.created_at,
  };
}

/**
 * A quiz the caller can read, opened for taking: prompts and choices only. The answers, model answers
 * and explanations stay on the server until the attempt is submitted (then they come with the result),
 * so a taker who can read the quiz (shared with them, assigned to their class) cannot read them first.
 */
export async function open(tx: Tx, input: OpenQuizInput): Promise<QuizToTake> {
  const v = openQuizInput.parse(input);
  const item = await library.get(tx, v.itemId);
  if (item?.itemType !== "quiz") throw notFound("Quiz");
  return {
    id: item.id,
    title: item.title,
    isPlaceholder: item.isPlaceholder,
    hasShortAnswers: item.content.questions.some((q) => q.kind === "short_answer"),
    questions: item.content.questions.map((q) =>
      q.kind === "multiple_choice"
        ? { id: q.id, kind: q.kind, prompt: q.prompt, choices: [...q.choices] }
        : { id: q.id, kind: q.kind, prompt: q.prompt },
    ),
  };
}

/** The caller's stored result, or NOT_FOUND (another's is invisible under RLS). */
export async function getResult(tx: Tx, resultId: string): Promise<QuizResult> {
  const row = await repo.findResult(tx, resultId);
  if (!row) throw notFound("Result");
  return toResult(row);
}

function replayOf(row: repo.QuizResultRow, itemId: string): QuizResult {
  if (row.item_id && row.item_id !== itemId) {
    throw new DomainError("CONFLICT", "This attempt key was already used for another quiz.");
  }
  return toResult(row);
}

/** Grades a finished quiz and stores the result; see the module comment. */
export async function submit(deps: QuizDeps, actor: Actor, input: SubmitQuizInput): Promise<QuizResult> {
  const v = submitQuizInput.parse(input);
  const found = await asUser(deps.db, actor.userId, async (tx) => {
    const stored = await repo.findByAttempt(tx, actor.userId, v.attemptKey);
    return stored ? { stored } : { item: await library.get(tx, v.itemId) };
  });
  if (found.stored) return replayOf(found.stored, v.itemId);
  const item = found.item;
  if (item?.itemType !== "quiz") throw notFound("Quiz");

  const given = new Map<string, { response: QuizResponse; timeMs: number }>();
  for (const a of v.answers) {
    if (given.has(a.questionId)) throw new DomainError("INVALID_INPUT", `Question ${a.questionId} was answered twice.`);
    given.set(a.questionId, { response: a.response, timeMs: a.timeMs });
  }
  const questions = item.content.questions;
  for (const id of given.keys()) {
    if (!questions.some((q) => q.id === id)) throw new DomainError("INVALID_INPUT", `The quiz has no question ${id}.`);
  }
  const asked = questions.map((q) => {
    const a = given.get(q.id) ?? { response: null, timeMs: 0 };
    checkType(q, a.response);
    return { q, ...a };
  });

  const toGrade = asked.filter(
    (a): a is typeof a & { q: ShortAnswerQuestion; response: string } =>
      a.q.kind === "short_answer" && typeof a.response === "string" && a.response.trim() !== "",
  );

  const build = (grades: Map<string, GradeOutcome>, credits: number): repo.NewQuizResult => {
    const answers: AnsweredQuestion[] = asked.map(({ q, response, timeMs }) => {
      const graded: GradeOutcome =
        q.kind === "short_answer"
          ? (grades.get(q.id) ?? { verdict: "incorrect", feedback: "No answer was given.", placeholder: false })
          : { verdict: scoreObjective(q, response), feedback: "", placeholder: false };
      return {
        questionId: q.id,
        kind: q.kind,
        prompt: q.prompt,
        choices: q.kind === "multiple_choice" ? q.choices : [],
        responseText: asText(q, response),
        expectedText: expectedText(q),
        verdict: graded.verdict,
        feedback: graded.feedback,
        explanation: q.explanation,
        citations: passagesOf(item, q),
        timeMs,
        placeholder: graded.placeholder,
      };
    });
    const s = summarize(answers);
    return {
      user_id: actor.userId,
      item_id: item.id,
      item_title: item.title,
      attempt_key: v.attemptKey,
      score: s.score,
      total_questions: s.total,
      correct_count: s.correct,
      partial_count: s.partial,
      incorrect_count: s.incorrect,
      accuracy: s.accuracy,
      avg_time_per_question: s.avgTimePerQuestion,
      best_streak: s.bestStreak,
      answers,
      is_placeholder: answers.some((a) => a.placeholder),
      credits,
    };
  };
  const store = async (tx: Tx, row: repo.NewQuizResult) => {
    const saved = await repo.insertResult(tx, row);
    // Another submit of this attempt stored it first: throwing releases this one's reservation.
    if (!saved) throw new DomainError("CONFLICT", "This attempt was already submitted.");
    return saved;
  };

  try {
    if (!toGrade.length) {
      // Free (nothing for the model to read), so it never reaches the metering: it takes a start from the
      // same per-user and per-address windows a graded submit does, or a script could store rows unbounded.
      await usage.takeRateLimit(deps, actor, GRADE_OPERATION);
      return toResult(await asUser(deps.db, actor.userId, (tx) => store(tx, build(new Map(), 0))));
    }
    const price = await usage.priceFor(deps, actor.userId, GRADE_OPERATION, toGrade.length);
    const run = await usage.runMetered(
      deps,
      actor,
      {
        operation: GRADE_OPERATION,
        quantity: toGrade.length,
        // Fresh per run: the attempt key (unique in quiz_results) is what makes the submit idempotent, and a
        // run that failed (released) must not block the retry of the same attempt.
        idempotencyKey: `study.quiz:${v.attemptKey}:${randomUUID()}`,
        request: { itemId: item.id, attemptKey: v.attemptKey },
        topic: `Quiz: ${item.title}`.slice(0, 200),
        provider: deps.ai.name,
      },
      async () => {
        const calls = await mapLimit(toGrade, GRADE_CONCURRENCY, (a) =>
          gradeShortAnswerWith(deps.ai, a.q, a.response, passagesOf(item, a.q)),
        );
        return {
          result: new Map(toGrade.map((a, i) => [a.q.id, calls[i]?.outcome as GradeOutcome])),
          model: calls.find((c) => c.model !== "none")?.model ?? "none",
          inputTokens: calls.reduce((n, c) => n + c.inputTokens, 0),
          outputTokens: calls.reduce((n, c) => n + c.outputTokens, 0),
          // In parallel: the slowest call is the wait.
          latencyMs: Math.max(0, ...calls.map((c) => c.latencyMs)),
        };
      },
      (tx, { result }) => store(tx, build(result, price)),
    );
    return toResult(run.kept);
  } catch (error) {
    // Lost a race with another submit of the same attempt: answer with the stored result, charged once.
    const stored = await asUser(deps.db, actor.userId, (tx) => repo.findByAttempt(tx, actor.userId, v.attemptKey));
    if (stored) return replayOf(stored, v.itemId);
    throw error;
  }
}
