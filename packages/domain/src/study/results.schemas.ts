/** The results history and streaks (issue 15.2, 15.4), browser-safe (zod only). */
import { z } from "zod";
import type { QuizResult } from "./quiz.schemas.ts";
import type { WritingResult } from "./writing.schemas.ts";

export const RESULT_KINDS = ["quiz", "writing"] as const;
export type ResultKind = (typeof RESULT_KINDS)[number];

export const listResultsInput = z
  .object({
    kind: z.enum(RESULT_KINDS).optional(),
    itemId: z.uuid().optional(),
    cursor: z.object({ at: z.coerce.date(), id: z.uuid() }).optional(),
    limit: z.number().int().min(1).max(100).default(30),
  })
  .default({ limit: 30 });
export type ListResultsInput = z.input<typeof listResultsInput>;

export const resultIdInput = z.object({ kind: z.enum(RESULT_KINDS), resultId: z.uuid() });
export type ResultIdInput = z.input<typeof resultIdInput>;

const validTimeZone = (tz: string) => {
  try {
    new Intl.DateTimeFormat("en-CA", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};

export const resultsSummaryInput = z
  .object({
    /** The reader's time zone (IANA): a "day" of the streak is their day, not UTC's. */
    timeZone: z.string().max(64).refine(validTimeZone, "Unknown time zone").default("UTC"),
  })
  .default({ timeZone: "UTC" });
export type ResultsSummaryInput = z.input<typeof resultsSummaryInput>;

/** One line of the history. `percent` is the quiz accuracy or the writing score, 0..100. */
export interface ResultEntry {
  kind: ResultKind;
  id: string;
  itemId: string | null;
  itemTitle: string;
  percent: number;
  /** Quizzes: "7 of 10 correct, 1 partial"; writing: "2 responses". */
  detail: string;
  bestStreak: number | null;
  placeholder: boolean;
  createdAt: Date;
}

export interface ResultsPage {
  items: ResultEntry[];
  nextCursor: { at: string; id: string } | null;
}

export interface ResultsSummary {
  quizzes: { count: number; averageAccuracy: number; bestStreak: number; questionsAnswered: number };
  writing: { count: number; averageScore: number };
  /** Consecutive days (in the reader's time zone) with at least one quiz finished. */
  streak: { current: number; longest: number; studiedToday: boolean; days: number };
}

/** One result of either kind (`study.results.get`). Declared here, beside the inputs, so the API's router type can name it. */
export type AnyResult = { kind: "quiz"; result: QuizResult } | { kind: "writing"; result: WritingResult };
