/** The history's SQL over quiz_results and writing_results (in the caller's RLS transaction: their own only). */
import type { Tx } from "@inkwell/db";
import { sql } from "kysely";

/** Milliseconds, as a JS Date carries them, so a cursor compares equal to its own row. */
const sortAt = sql<Date>`date_trunc('milliseconds', created_at)`;

export interface Filter {
  itemId?: string | undefined;
  cursor?: { at: Date; id: string } | undefined;
}

export function listQuiz(tx: Tx, f: Filter, limit: number) {
  let q = tx
    .selectFrom("quiz_results")
    .select([
      "id",
      "item_id",
      "item_title",
      "accuracy",
      "correct_count",
      "partial_count",
      "total_questions",
      "best_streak",
      "is_placeholder",
      "created_at",
    ]);
  if (f.itemId) q = q.where("item_id", "=", f.itemId);
  const c = f.cursor;
  if (c) q = q.where((eb) => eb.or([eb(sortAt, "<", c.at), eb.and([eb(sortAt, "=", c.at), eb("id", "<", c.id)])]));
  return q.orderBy("created_at", "desc").orderBy("id", "desc").limit(limit).execute();
}

export function listWriting(tx: Tx, f: Filter, limit: number) {
  let q = tx
    .selectFrom("writing_results")
    .select(["id", "item_id", "item_title", "overall_score", "total_prompts", "is_placeholder", "created_at"]);
  if (f.itemId) q = q.where("item_id", "=", f.itemId);
  const c = f.cursor;
  if (c) q = q.where((eb) => eb.or([eb(sortAt, "<", c.at), eb.and([eb(sortAt, "=", c.at), eb("id", "<", c.id)])]));
  return q.orderBy("created_at", "desc").orderBy("id", "desc").limit(limit).execute();
}

export async function quizTotals(tx: Tx) {
  const row = await tx
    .selectFrom("quiz_results")
    .select((eb) => [
      eb.fn.countAll<string>().as("count"),
      eb.fn.coalesce(eb.fn.avg<string>("accuracy"), sql<string>`0`).as("accuracy"),
      eb.fn.coalesce(eb.fn.max("best_streak"), sql<number>`0`).as("best_streak"),
      eb.fn.coalesce(eb.fn.sum<string>("total_questions"), sql<string>`0`).as("questions"),
    ])
    .executeTakeFirstOrThrow();
  return {
    count: Number(row.count),
    accuracy: Number(row.accuracy),
    bestStreak: Number(row.best_streak),
    questions: Number(row.questions),
  };
}

export async function writingTotals(tx: Tx) {
  const row = await tx
    .selectFrom("writing_results")
    .select((eb) => [
      eb.fn.countAll<string>().as("count"),
      eb.fn.coalesce(eb.fn.avg<string>("overall_score"), sql<string>`0`).as("score"),
    ])
    .executeTakeFirstOrThrow();
  return { count: Number(row.count), score: Number(row.score) };
}

/** When the caller's latest quizzes were finished (enough to count years of daily streaks). */
export async function quizTimes(tx: Tx, limit = 5000): Promise<Date[]> {
  const rows = await tx.selectFrom("quiz_results").select("created_at").orderBy("created_at", "desc").limit(limit).execute();
  return rows.map((r) => r.created_at);
}
