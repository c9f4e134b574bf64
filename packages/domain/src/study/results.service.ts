/**
 * The results history (quizzes and writing, newest first, one keyset-paged list over both tables) and
 * the summary: averages and the streak of consecutive days with a quiz finished, counted in the reader's
 * time zone. Reads only, in the caller's RLS transaction.
 */
import type { Tx } from "@inkwell/db";
import * as quiz from "./quiz.service.ts";
import * as repo from "./results.repository.ts";
import {
  type AnyResult,
  type ListResultsInput,
  listResultsInput,
  type ResultEntry,
  type ResultIdInput,
  type ResultsPage,
  type ResultsSummary,
  type ResultsSummaryInput,
  resultIdInput,
  resultsSummaryInput,
} from "./results.schemas.ts";
import * as writing from "./writing.service.ts";

const newestFirst = (a: ResultEntry, b: ResultEntry) =>
  b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

export async function list(tx: Tx, input?: ListResultsInput): Promise<ResultsPage> {
  const v = listResultsInput.parse(input);
  const filter = { itemId: v.itemId, cursor: v.cursor };
  // Each table gives at most a page (+1); merged, the newest page (+1) of both is among them.
  // One after the other: a transaction is one connection.
  const quizzes = v.kind === "writing" ? [] : await repo.listQuiz(tx, filter, v.limit + 1);
  const writings = v.kind === "quiz" ? [] : await repo.listWriting(tx, filter, v.limit + 1);
  const entries: ResultEntry[] = [
    ...quizzes.map((r) => ({
      kind: "quiz" as const,
      id: r.id,
      itemId: r.item_id,
      itemTitle: r.item_title,
      percent: Math.round(Number(r.accuracy) * 1000) / 10,
      detail: `${r.correct_count} of ${r.total_questions} correct${r.partial_count ? `, ${r.partial_count} partial` : ""}`,
      bestStreak: r.best_streak,
      placeholder: r.is_placeholder,
      createdAt: r.created_at,
    })),
    ...writings.map((r) => ({
      kind: "writing" as const,
      id: r.id,
      itemId: r.item_id,
      itemTitle: r.item_title,
      percent: Number(r.overall_score),
      detail: `${r.total_prompts} prompt${r.total_prompts === 1 ? "" : "s"}`,
      bestStreak: null,
      placeholder: r.is_placeholder,
      createdAt: r.created_at,
    })),
  ].sort(newestFirst);
  const items = entries.slice(0, v.limit);
  const last = items.at(-1);
  return { items, nextCursor: entries.length > v.limit && last ? { at: last.createdAt.toISOString(), id: last.id } : null };
}

export async function get(tx: Tx, input: ResultIdInput): Promise<AnyResult> {
  const v = resultIdInput.parse(input);
  return v.kind === "quiz"
    ? { kind: "quiz", result: await quiz.getResult(tx, v.resultId) }
    : { kind: "writing", result: await writing.getResult(tx, v.resultId) };
}

/** "2026-11-23" in `timeZone`. */
export function dayIn(date: Date, timeZone: string): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(date);
}

const dayNumber = (day: string) => Math.round(Date.parse(`${day}T00:00:00Z`) / 86_400_000);

/**
 * Streaks over the days something was done (any order, repeats allowed). The current streak ends today,
 * or yesterday (a streak is not lost before today's study); `longest` is the longest run ever.
 */
export function streaks(days: readonly string[], today: string): ResultsSummary["streak"] {
  const numbers = [...new Set(days.map(dayNumber))].sort((a, b) => a - b);
  let longest = 0;
  let run = 0;
  for (let i = 0; i < numbers.length; i++) {
    run = i > 0 && numbers[i] === (numbers[i - 1] as number) + 1 ? run + 1 : 1;
    longest = Math.max(longest, run);
  }
  const t = dayNumber(today);
  const set = new Set(numbers);
  let current = 0;
  let d = set.has(t) ? t : t - 1;
  while (set.has(d)) {
    current++;
    d--;
  }
  return { current, longest, studiedToday: set.has(t), days: numbers.length };
}

export async function summary(tx: Tx, input?: ResultsSummaryInput, now = new Date()): Promise<ResultsSummary> {
  const v = resultsSummaryInput.parse(input);
  const q = await repo.quizTotals(tx);
  const w = await repo.writingTotals(tx);
  const times = await repo.quizTimes(tx);
  return {
    quizzes: { count: q.count, averageAccuracy: q.accuracy, bestStreak: q.bestStreak, questionsAnswered: q.questions },
    writing: { count: w.count, averageScore: Math.round(w.score * 10) / 10 },
    streak: streaks(
      times.map((t) => dayIn(t, v.timeZone)),
      dayIn(now, v.timeZone),
    ),
  };
}
