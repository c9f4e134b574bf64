/** The only SQL of writing_results (always in the caller's RLS transaction: a result is its writer's own). */
import type { Tables, Tx } from "@inkwell/db";
import type { Selectable } from "kysely";

export type WritingResultRow = Selectable<Tables.WritingResults>;

export interface NewWritingResult {
  user_id: string;
  item_id: string;
  item_title: string;
  attempt_key: string;
  overall_score: number;
  total_prompts: number;
  prompt_responses: unknown[];
  overall_feedback: string;
  is_placeholder: boolean;
  credits: number;
}

/** Stores a result; undefined when this attempt was stored already (a concurrent or retried submit won). */
export function insertResult(tx: Tx, r: NewWritingResult): Promise<WritingResultRow | undefined> {
  return tx
    .insertInto("writing_results")
    .values({ ...r, prompt_responses: JSON.stringify(r.prompt_responses) })
    .onConflict((oc) => oc.columns(["user_id", "attempt_key"]).doNothing())
    .returningAll()
    .executeTakeFirst();
}

export function findByAttempt(tx: Tx, userId: string, attemptKey: string): Promise<WritingResultRow | undefined> {
  return tx
    .selectFrom("writing_results")
    .selectAll()
    .where("user_id", "=", userId)
    .where("attempt_key", "=", attemptKey)
    .executeTakeFirst();
}

export function findResult(tx: Tx, resultId: string): Promise<WritingResultRow | undefined> {
  return tx.selectFrom("writing_results").selectAll().where("id", "=", resultId).executeTakeFirst();
}
