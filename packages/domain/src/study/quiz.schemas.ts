/**
 * Taking a quiz (issue 15.2), browser-safe (zod only): what a submit sends, the grader's reply shape,
 * and a stored result. A result keeps a snapshot of every question as it was asked (prompt, choices,
 * the right answer, explanation, citations), so it still reads right after the item is edited or deleted.
 */
import { z } from "zod";
import { STUDY_LIMITS } from "./library.schemas.ts";

export const VERDICTS = ["correct", "partial", "incorrect"] as const;
export type Verdict = (typeof VERDICTS)[number];

/** Longest short answer a person may submit. */
export const SHORT_ANSWER_MAX = 2000;
/** A question's time is capped at an hour: a tab left open is not a statistic. */
const MAX_QUESTION_MS = 3_600_000;

export const attemptKeySchema = z.string().trim().min(8).max(100);

/** An MC choice index, a TF boolean, a short answer's text; null when the question was skipped. */
export const quizResponseSchema = z.union([
  z.number().int().min(0).max(5),
  z.boolean(),
  z.string().max(SHORT_ANSWER_MAX),
  z.null(),
]);
export type QuizResponse = z.infer<typeof quizResponseSchema>;

export const submitQuizInput = z.object({
  itemId: z.uuid(),
  /** Chosen by the client per attempt: a retried submit returns the stored result, graded and charged once. */
  attemptKey: attemptKeySchema,
  answers: z
    .array(
      z.object({
        questionId: z.string().min(1).max(40),
        response: quizResponseSchema,
        timeMs: z.number().int().min(0).max(MAX_QUESTION_MS),
      }),
    )
    .max(STUDY_LIMITS.questions),
});
export type SubmitQuizInput = z.input<typeof submitQuizInput>;

export const openQuizInput = z.object({ itemId: z.uuid() });
export type OpenQuizInput = z.input<typeof openQuizInput>;

/** A question as the taker sees it before submitting: never its answer, model answer or explanation. */
export type QuestionToTake =
  | { id: string; kind: "multiple_choice"; prompt: string; choices: string[] }
  | { id: string; kind: "true_false" | "short_answer"; prompt: string };

/** A quiz opened for taking (`study.quiz.open`): what was right comes only with the submitted result. */
export interface QuizToTake {
  id: string;
  title: string;
  isPlaceholder: boolean;
  hasShortAnswers: boolean;
  questions: QuestionToTake[];
}

/** What the AI grader must answer for one short answer (structured output). */
export const gradeReply = z.object({
  verdict: z.enum(VERDICTS),
  feedback: z.string().trim().min(1).max(1000),
});
export type GradeReply = z.infer<typeof gradeReply>;

export interface GradeOutcome {
  verdict: Verdict;
  feedback: string;
  /** Graded by the offline token-overlap grader, not a model: the page labels it. */
  placeholder: boolean;
}

/** One graded answer as stored with the result. */
export const answeredQuestionSchema = z.object({
  questionId: z.string(),
  kind: z.enum(["multiple_choice", "true_false", "short_answer"]),
  prompt: z.string(),
  choices: z.array(z.string()).default([]),
  /** What the person answered, as text ("" when skipped). */
  responseText: z.string(),
  /** The right answer as text (the choice, "True"/"False", the model answer). */
  expectedText: z.string(),
  verdict: z.enum(VERDICTS),
  feedback: z.string().default(""),
  explanation: z.string().default(""),
  citations: z.array(z.object({ title: z.string(), quote: z.string() })).default([]),
  timeMs: z.number(),
  placeholder: z.boolean().default(false),
});
export type AnsweredQuestion = z.infer<typeof answeredQuestionSchema>;

/** The pure summary of a run of answers (also what live sessions and shared quizzes show). */
export interface QuizSummary {
  /** Points: correct 1, partial 0.5. */
  score: number;
  total: number;
  /** score / total, 0..1 (0 for no questions). */
  accuracy: number;
  correct: number;
  partial: number;
  incorrect: number;
  /** The longest run of consecutive correct answers (a partial or incorrect one ends it). */
  bestStreak: number;
  /** Milliseconds. */
  avgTimePerQuestion: number;
}

export interface QuizResult extends QuizSummary {
  id: string;
  itemId: string | null;
  itemTitle: string;
  answers: AnsweredQuestion[];
  placeholder: boolean;
  credits: number;
  createdAt: Date;
}
