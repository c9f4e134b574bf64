import { type Kysely, sql } from "kysely";
import { enableRls, touchUpdatedAt } from "./helpers.ts";

/**
 * Study results (seed 004 `quiz_results`, `writing_results`): one row per finished quiz or writing
 * attempt. `item_id` is set to NULL when the item is deleted, so a person's history outlives the item
 * (`item_title` keeps what it was called). `attempt_key` is chosen by the client per attempt and unique
 * per user: a submit retried after a lost answer finds the stored row and returns it, graded and charged
 * once. Per-question verdicts (`answers`) and per-response scores (`prompt_responses`) are JSON the study
 * module validates; the counts, accuracy and streak columns are what the results page sorts and sums.
 *
 * Rows are written once and never changed by the owner (no UPDATE or DELETE grant): a result is a record
 * of what happened. Teachers' reads (classrooms) come from their own later policy.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE quiz_results (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      item_id uuid REFERENCES study_items(id) ON DELETE SET NULL,
      item_title text NOT NULL CHECK (char_length(item_title) BETWEEN 1 AND 200),
      attempt_key text NOT NULL CHECK (char_length(attempt_key) BETWEEN 8 AND 100),
      -- Points: a correct answer counts 1, a partial one 0.5.
      score numeric NOT NULL CHECK (score >= 0),
      total_questions integer NOT NULL CHECK (total_questions > 0),
      correct_count integer NOT NULL DEFAULT 0 CHECK (correct_count >= 0),
      partial_count integer NOT NULL DEFAULT 0 CHECK (partial_count >= 0),
      incorrect_count integer NOT NULL DEFAULT 0 CHECK (incorrect_count >= 0),
      -- score / total_questions, 0..1.
      accuracy numeric NOT NULL DEFAULT 0 CHECK (accuracy BETWEEN 0 AND 1),
      -- Milliseconds.
      avg_time_per_question numeric NOT NULL DEFAULT 0 CHECK (avg_time_per_question >= 0),
      best_streak integer NOT NULL DEFAULT 0 CHECK (best_streak >= 0),
      answers jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(answers) = 'array'),
      -- Some verdict came from the offline grader (the page labels it).
      is_placeholder boolean NOT NULL DEFAULT false,
      credits integer NOT NULL DEFAULT 0 CHECK (credits >= 0),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK (correct_count + partial_count + incorrect_count = total_questions)
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX quiz_results_user_attempt_idx ON quiz_results (user_id, attempt_key)`.execute(db);
  await sql`CREATE INDEX quiz_results_user_created_idx ON quiz_results (user_id, created_at DESC, id DESC)`.execute(db);
  await sql`CREATE INDEX quiz_results_item_idx ON quiz_results (item_id) WHERE item_id IS NOT NULL`.execute(db);
  await touchUpdatedAt(db, "quiz_results");
  await enableRls(db, "quiz_results", { user: { select: "user_id", insert: "user_id" } });

  await sql`
    CREATE TABLE writing_results (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      item_id uuid REFERENCES study_items(id) ON DELETE SET NULL,
      item_title text NOT NULL CHECK (char_length(item_title) BETWEEN 1 AND 200),
      attempt_key text NOT NULL CHECK (char_length(attempt_key) BETWEEN 8 AND 100),
      -- Percent of the rubric points earned over every prompt, 0..100.
      overall_score numeric NOT NULL DEFAULT 0 CHECK (overall_score BETWEEN 0 AND 100),
      total_prompts integer NOT NULL CHECK (total_prompts > 0),
      prompt_responses jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(prompt_responses) = 'array'),
      overall_feedback text NOT NULL DEFAULT '' CHECK (char_length(overall_feedback) <= 4000),
      is_placeholder boolean NOT NULL DEFAULT false,
      credits integer NOT NULL DEFAULT 0 CHECK (credits >= 0),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX writing_results_user_attempt_idx ON writing_results (user_id, attempt_key)`.execute(db);
  await sql`CREATE INDEX writing_results_user_created_idx ON writing_results (user_id, created_at DESC, id DESC)`.execute(db);
  await sql`CREATE INDEX writing_results_item_idx ON writing_results (item_id) WHERE item_id IS NOT NULL`.execute(db);
  await touchUpdatedAt(db, "writing_results");
  await enableRls(db, "writing_results", { user: { select: "user_id", insert: "user_id" } });
}
