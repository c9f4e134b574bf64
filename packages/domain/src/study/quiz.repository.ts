/** The only SQL of quiz_results (always in the caller's RLS transaction: a result is its taker's own). */
import type { Tables, Tx } from "@inkwell/db";
import type { Selectable } from "kysely";

export type QuizResultRow = Selectable<Tables.QuizResults>;

export interface NewQuizResult {
  user_id: string;
  item_id: string;
  item_title: string;
  attempt_key: string;
  score: number;
  total_questions: number;
  correct_count: number;
  partial_count: number;
  incorrect_count: number;
  accuracy: number;
  avg_time_per_question: number;
  best_streak: number;
  answers: unknown[];
  is_placeholder: boolean;
  credits: number;
}

/** Stores a result; undefined when this attempt was stored already (a concurrent or retried submit won). */
export function insertResult(tx: Tx, r: NewQuizResult): Promise<QuizResultRow | undefined> {
  return tx
    .insertInto("quiz_results")
    .values({ ...r, answers: JSON.stringify(r.answers) })
    .onConflict((oc) => oc.columns(["user_id", "attempt_key"]).doNothing())
    .returningAll()
    .executeTakeFirst();
}

export function findByAttempt(tx: Tx, userId: string, attemptKey: string): Promise<QuizResultRow | undefined> {
  return tx
    .selectFrom("quiz_results")
    .selectAll()
    .where("user_id", "=", userId)
    .where("attempt_key", "=", attemptKey)
    .executeTakeFirst();
}

export function findResult(tx: Tx, resultId: string): Promise<QuizResultRow | undefined> {
  return tx.selectFrom("quiz_results").selectAll().where("id", "=", resultId).executeTakeFirst();
}
