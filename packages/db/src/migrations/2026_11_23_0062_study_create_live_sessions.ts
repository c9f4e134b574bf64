import { type Kysely, sql } from "kysely";
import { enableRls, touchUpdatedAt } from "./helpers.ts";

/**
 * Live quiz sessions (issue 15 item 5, seed 004 `shared_sessions`): a host runs a quiz that players join
 * by a short code, without an account, and answer together question by question.
 *
 * - `live_sessions` belongs to its host (`user_id`). The quiz is a snapshot taken at creation (multiple
 *   choice and true/false questions only), so editing or deleting the library item later changes nothing
 *   in a running or finished session (`item_id` is kept for the link and set null on delete). The code is
 *   unique among unfinished sessions only: a finished session's code may come back.
 * - `live_players` and `live_answers` have no user: players are known by a token (only its SHA-256 kept).
 *   Their procedures run as the system role inside the study service, which scopes every statement to the
 *   player the token names. The host reads them (policies through the session) and may only mark a player
 *   kicked.
 * - One answer per player and question (unique), so a double submit counts once.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE live_sessions (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      item_id uuid REFERENCES study_items(id) ON DELETE SET NULL,
      title text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 200),
      code text NOT NULL CHECK (code ~ '^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{6}$'),
      quiz jsonb NOT NULL CHECK (jsonb_typeof(quiz) = 'object'),
      question_count integer NOT NULL CHECK (question_count BETWEEN 1 AND 50),
      skipped_count integer NOT NULL DEFAULT 0 CHECK (skipped_count >= 0),
      status text NOT NULL DEFAULT 'lobby' CHECK (status IN ('lobby', 'question', 'reveal', 'finished')),
      question_index integer NOT NULL DEFAULT 0 CHECK (question_index >= 0 AND question_index < question_count),
      question_started_at timestamptz,
      question_seconds integer NOT NULL DEFAULT 20 CHECK (question_seconds BETWEEN 5 AND 120),
      expires_at timestamptz NOT NULL DEFAULT now() + interval '6 hours',
      finished_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX live_sessions_open_code_idx ON live_sessions (code) WHERE status <> 'finished'`.execute(db);
  await sql`CREATE INDEX live_sessions_user_created_idx ON live_sessions (user_id, created_at DESC, id DESC)`.execute(db);
  await sql`CREATE INDEX live_sessions_item_idx ON live_sessions (item_id) WHERE item_id IS NOT NULL`.execute(db);
  await touchUpdatedAt(db, "live_sessions");
  await enableRls(db, "live_sessions", {
    user: { select: "user_id", insert: "user_id", update: "user_id" },
    userColumnUpdates: ["status", "question_index", "question_started_at", "finished_at"],
    system: ["SELECT"],
  });

  await sql`
    CREATE TABLE live_players (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      session_id uuid NOT NULL REFERENCES live_sessions(id) ON DELETE CASCADE,
      nickname text NOT NULL CHECK (char_length(nickname) BETWEEN 1 AND 24),
      token_hash bytea NOT NULL UNIQUE CHECK (octet_length(token_hash) = 32),
      score integer NOT NULL DEFAULT 0 CHECK (score >= 0),
      streak integer NOT NULL DEFAULT 0 CHECK (streak >= 0),
      answered integer NOT NULL DEFAULT 0 CHECK (answered >= 0),
      correct integer NOT NULL DEFAULT 0 CHECK (correct >= 0),
      total_ms bigint NOT NULL DEFAULT 0 CHECK (total_ms >= 0),
      joined_at timestamptz NOT NULL DEFAULT now(),
      left_at timestamptz,
      kicked_at timestamptz,
      last_seen_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX live_players_session_nickname_idx ON live_players (session_id, lower(nickname))`.execute(db);
  await sql`CREATE INDEX live_players_session_score_idx ON live_players (session_id, score DESC)`.execute(db);
  const hosted = "session_id IN (SELECT s.id FROM live_sessions s WHERE s.user_id = (SELECT app.current_user_id()))";
  await enableRls(db, "live_players", {
    userExpr: { select: hosted, update: hosted },
    userColumnUpdates: ["kicked_at"],
    system: ["SELECT", "INSERT", "UPDATE"],
  });

  await sql`
    CREATE TABLE live_answers (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      session_id uuid NOT NULL REFERENCES live_sessions(id) ON DELETE CASCADE,
      player_id uuid NOT NULL REFERENCES live_players(id) ON DELETE CASCADE,
      question_index integer NOT NULL CHECK (question_index >= 0),
      choice integer NOT NULL CHECK (choice BETWEEN 0 AND 5),
      correct boolean NOT NULL,
      points integer NOT NULL CHECK (points BETWEEN 0 AND 2000),
      elapsed_ms integer NOT NULL CHECK (elapsed_ms >= 0),
      answered_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (player_id, question_index)
    )`.execute(db);
  await sql`CREATE INDEX live_answers_session_question_idx ON live_answers (session_id, question_index)`.execute(db);
  await enableRls(db, "live_answers", {
    userExpr: { select: hosted },
    system: ["SELECT", "INSERT"],
  });
}
