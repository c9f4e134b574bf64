import { type Kysely, sql } from "kysely";
import { enableRls, touchUpdatedAt } from "./helpers.ts";

/**
 * Flashcard review with spaced repetition (issue 15.3).
 *
 * `study_card_states` holds one FSRS card per (user, item, card id): the scheduler's fields as ts-fsrs
 * names them. A row exists only once a card was rated; a card without one is new. The row is the
 * reviewer's own even when the item is someone else's (shared or assigned): the INSERT policy asks that
 * the caller can see the item (the subquery runs under the caller's row security, so whatever SELECT
 * policies later migrations add to study_items count). `(user_id, due)` serves the due queue.
 *
 * `study_review_logs` is append-only: the user role is granted INSERT and SELECT only, so an UPDATE or
 * DELETE is refused by the database. A rate is idempotent by (user_id, session_id, card_id, review_index).
 * `state` is the card's state before the rating; due, stability, difficulty, elapsed_days and
 * scheduled_days are the card after it (what the rating scheduled), so a retried rate answers from the
 * log alone. item_id is SET NULL when the item goes, so the history (streaks) outlives the set.
 *
 * `flashcard_results` is the seed's table plus `session_id` (unique per user: finishing twice keeps one).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const me = "(SELECT app.current_user_id())";

  await sql`
    CREATE TABLE study_card_states (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      item_id uuid NOT NULL REFERENCES study_items(id) ON DELETE CASCADE,
      card_id text NOT NULL CHECK (char_length(card_id) BETWEEN 1 AND 40),
      due timestamptz NOT NULL,
      stability double precision NOT NULL CHECK (stability >= 0),
      difficulty double precision NOT NULL CHECK (difficulty >= 0),
      elapsed_days integer NOT NULL DEFAULT 0 CHECK (elapsed_days >= 0),
      scheduled_days integer NOT NULL DEFAULT 0 CHECK (scheduled_days >= 0),
      learning_steps integer NOT NULL DEFAULT 0 CHECK (learning_steps >= 0),
      reps integer NOT NULL DEFAULT 0 CHECK (reps >= 0),
      lapses integer NOT NULL DEFAULT 0 CHECK (lapses >= 0),
      state smallint NOT NULL CHECK (state BETWEEN 0 AND 3),
      last_review timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (user_id, item_id, card_id)
    )`.execute(db);
  await sql`CREATE INDEX study_card_states_user_due_idx ON study_card_states (user_id, due)`.execute(db);
  await sql`CREATE INDEX study_card_states_item_idx ON study_card_states (item_id)`.execute(db);
  await touchUpdatedAt(db, "study_card_states");
  const readableItem = "EXISTS (SELECT 1 FROM study_items i WHERE i.id = study_card_states.item_id)";
  await enableRls(db, "study_card_states", {
    user: { select: "user_id", delete: "user_id" },
    userExpr: { insert: `user_id = ${me} AND ${readableItem}`, update: `user_id = ${me}` },
    userColumnUpdates: [
      "due",
      "stability",
      "difficulty",
      "elapsed_days",
      "scheduled_days",
      "learning_steps",
      "reps",
      "lapses",
      "state",
      "last_review",
    ],
    system: ["SELECT"],
  });

  await sql`
    CREATE TABLE study_review_logs (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      item_id uuid REFERENCES study_items(id) ON DELETE SET NULL,
      card_id text NOT NULL CHECK (char_length(card_id) BETWEEN 1 AND 40),
      session_id uuid NOT NULL,
      review_index integer NOT NULL CHECK (review_index BETWEEN 0 AND 1000),
      rating smallint NOT NULL CHECK (rating BETWEEN 1 AND 4),
      state smallint NOT NULL CHECK (state BETWEEN 0 AND 3),
      state_after smallint NOT NULL CHECK (state_after BETWEEN 0 AND 3),
      due timestamptz NOT NULL,
      stability double precision NOT NULL,
      difficulty double precision NOT NULL,
      elapsed_days integer NOT NULL,
      scheduled_days integer NOT NULL,
      reviewed_at timestamptz NOT NULL,
      duration_ms integer NOT NULL CHECK (duration_ms BETWEEN 0 AND 3600000),
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (user_id, session_id, card_id, review_index)
    )`.execute(db);
  await sql`CREATE INDEX study_review_logs_user_reviewed_idx ON study_review_logs (user_id, reviewed_at)`.execute(db);
  await sql`CREATE INDEX study_review_logs_item_idx ON study_review_logs (item_id) WHERE item_id IS NOT NULL`.execute(db);
  // INSERT and SELECT only: no UPDATE or DELETE grant or policy, so the log cannot be rewritten.
  await enableRls(db, "study_review_logs", {
    user: { select: "user_id", insert: "user_id" },
    system: ["SELECT"],
  });

  await sql`
    CREATE TABLE flashcard_results (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      flashcard_item_id uuid REFERENCES study_items(id) ON DELETE SET NULL,
      session_id uuid NOT NULL,
      known_count integer NOT NULL DEFAULT 0 CHECK (known_count >= 0),
      unknown_count integer NOT NULL DEFAULT 0 CHECK (unknown_count >= 0),
      total_cards integer NOT NULL CHECK (total_cards >= 0),
      cards_status jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(cards_status) = 'array'),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (user_id, session_id)
    )`.execute(db);
  await sql`CREATE INDEX flashcard_results_user_created_idx ON flashcard_results (user_id, created_at DESC)`.execute(db);
  await sql`CREATE INDEX flashcard_results_flashcard_item_id_idx ON flashcard_results (flashcard_item_id)`.execute(db);
  await touchUpdatedAt(db, "flashcard_results");
  await enableRls(db, "flashcard_results", {
    user: { select: "user_id", insert: "user_id", delete: "user_id" },
    system: ["SELECT"],
  });
}
