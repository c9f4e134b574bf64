/**
 * The only SQL of live sessions. Host calls run in the host's RLS transaction; player calls run as the
 * system role, and every one of those is scoped here by the session id and the player's token hash.
 */
import type { Tables, Tx } from "@inkwell/db";
import { type Selectable, sql } from "kysely";

export type SessionRow = Selectable<Tables.LiveSessions>;
export type PlayerRow = Selectable<Tables.LivePlayers>;
export type AnswerRow = Selectable<Tables.LiveAnswers>;
/** A session with the database's clock at the moment it was read (answers are timed by it). */
export type TimedSession = SessionRow & { now: Date };

export interface NewSession {
  user_id: string;
  item_id: string;
  title: string;
  code: string;
  quiz: unknown;
  question_count: number;
  skipped_count: number;
  question_seconds: number;
}

/** Null when the code is taken by an unfinished session (the caller draws another). */
export async function insertSession(tx: Tx, s: NewSession): Promise<SessionRow | null> {
  const { rows } = await sql<SessionRow>`
    INSERT INTO live_sessions (user_id, item_id, title, code, quiz, question_count, skipped_count, question_seconds)
    VALUES (${s.user_id}, ${s.item_id}, ${s.title}, ${s.code}, ${JSON.stringify(s.quiz)}::jsonb, ${s.question_count},
            ${s.skipped_count}, ${s.question_seconds})
    ON CONFLICT (code) WHERE status <> 'finished' DO NOTHING
    RETURNING *`.execute(tx);
  return rows[0] ?? null;
}

export async function findSession(tx: Tx, sessionId: string, options: { lock?: boolean } = {}): Promise<TimedSession | null> {
  let q = tx.selectFrom("live_sessions").selectAll().select(sql<Date>`clock_timestamp()`.as("now")).where("id", "=", sessionId);
  if (options.lock) q = q.forUpdate();
  return (await q.executeTakeFirst()) ?? null;
}

/** A session players can still join: not finished, not expired. */
export async function findJoinableByCode(tx: Tx, code: string): Promise<TimedSession | null> {
  return (
    (await tx
      .selectFrom("live_sessions")
      .selectAll()
      .select(sql<Date>`clock_timestamp()`.as("now"))
      .where("code", "=", code)
      .where("status", "<>", "finished")
      .where("expires_at", ">", sql<Date>`now()`)
      .executeTakeFirst()) ?? null
  );
}

export interface SessionPatch {
  status: string;
  question_index?: number;
  question_started_at?: Date | null | "now";
  finished_at?: "now";
}

export async function updateSession(tx: Tx, sessionId: string, patch: SessionPatch): Promise<void> {
  await tx
    .updateTable("live_sessions")
    .set({
      status: patch.status,
      ...(patch.question_index !== undefined ? { question_index: patch.question_index } : {}),
      ...(patch.question_started_at !== undefined
        ? { question_started_at: patch.question_started_at === "now" ? sql<Date>`clock_timestamp()` : patch.question_started_at }
        : {}),
      ...(patch.finished_at ? { finished_at: sql<Date>`now()` } : {}),
    })
    .where("id", "=", sessionId)
    .execute();
}

export interface SessionListRow extends SessionRow {
  player_count: number;
  winner_nickname: string | null;
  winner_score: number | null;
}

export async function listSessions(tx: Tx, limit: number): Promise<SessionListRow[]> {
  const { rows } = await sql<SessionListRow>`
    SELECT s.*,
           (SELECT count(*)::int FROM live_players p WHERE p.session_id = s.id AND p.kicked_at IS NULL) AS player_count,
           w.nickname AS winner_nickname, w.score AS winner_score
      FROM live_sessions s
      LEFT JOIN LATERAL (
        SELECT p.nickname, p.score FROM live_players p
         WHERE p.session_id = s.id AND p.kicked_at IS NULL AND s.status = 'finished'
         ORDER BY p.score DESC, p.total_ms ASC, p.joined_at ASC LIMIT 1
      ) w ON true
     ORDER BY s.created_at DESC, s.id DESC
     LIMIT ${limit}`.execute(tx);
  return rows;
}

export interface RankedRow {
  id: string;
  nickname: string;
  score: number;
  streak: number;
  correct: number;
  answered: number;
  joined_at: Date;
  left_at: Date | null;
  rank: number;
  answered_current: boolean;
}

/**
 * Players in leaderboard order: score, then time spent answering (a question left unanswered counts its
 * whole duration, so answering fast but wrong never ranks below not answering), then who joined first.
 * `closed` is how many questions have closed; `questionMs` one question's duration. Kicked players are
 * out. With `limit`, the top `limit` plus `alsoPlayerId` wherever it ranks. With `hideIndex` (a question not yet
 * revealed) every player's answer to it is left out of score, streak, counts and time, as if not yet given.
 */
export async function ranked(
  tx: Tx,
  sessionId: string,
  opts: {
    closed: number;
    questionMs: number;
    currentIndex: number;
    limit?: number;
    alsoPlayerId?: string;
    hideIndex?: number;
  },
): Promise<RankedRow[]> {
  const { rows } = await sql<RankedRow>`
    WITH b AS (
      SELECT p.id, p.nickname, p.joined_at, p.left_at,
             p.score - COALESCE(h.points, 0) AS score,
             CASE
               WHEN h.player_id IS NULL THEN p.streak
               WHEN h.correct THEN p.streak - 1
               -- A wrong answer reset the streak: the one before it is the run of right answers just before.
               ELSE h.question_index - 1 - COALESCE((
                 SELECT max(i) FROM generate_series(0, h.question_index - 1) i
                  WHERE NOT EXISTS (SELECT 1 FROM live_answers a
                                     WHERE a.player_id = p.id AND a.question_index = i AND a.correct)), -1)
             END::int AS streak,
             p.correct - COALESCE(h.correct::int, 0) AS correct,
             p.answered - (h.player_id IS NOT NULL)::int AS answered,
             p.total_ms - COALESCE(h.elapsed_ms, 0)::bigint AS total_ms
        FROM live_players p
        LEFT JOIN live_answers h ON h.player_id = p.id AND h.question_index = ${opts.hideIndex ?? null}::int
       WHERE p.session_id = ${sessionId}::uuid AND p.kicked_at IS NULL
    ), r AS (
      SELECT b.id, b.nickname, b.score, b.streak, b.correct, b.answered, b.joined_at, b.left_at,
             row_number() OVER (
               ORDER BY b.score DESC,
                        b.total_ms + GREATEST(${opts.closed}::int - b.answered, 0)::bigint * ${opts.questionMs}::bigint ASC,
                        b.joined_at ASC, b.id ASC
             )::int AS rank,
             EXISTS (SELECT 1 FROM live_answers a WHERE a.player_id = b.id AND a.question_index = ${opts.currentIndex}::int)
               AS answered_current
        FROM b
    )
    SELECT * FROM r
     WHERE ${opts.limit ?? null}::int IS NULL OR rank <= ${opts.limit ?? null}::int OR id = ${opts.alsoPlayerId ?? null}::uuid
     ORDER BY rank`.execute(tx);
  return rows;
}

export async function answerCounts(tx: Tx, sessionId: string, questionIndex: number): Promise<{ choice: number; n: number }[]> {
  const { rows } = await sql<{ choice: number; n: number }>`
    SELECT a.choice, count(*)::int AS n FROM live_answers a
      JOIN live_players p ON p.id = a.player_id AND p.kicked_at IS NULL
     WHERE a.session_id = ${sessionId}::uuid AND a.question_index = ${questionIndex}::int
     GROUP BY a.choice`.execute(tx);
  return rows;
}

export async function kick(tx: Tx, sessionId: string, playerId: string): Promise<boolean> {
  const r = await tx
    .updateTable("live_players")
    .set({ kicked_at: sql<Date>`now()` })
    .where("id", "=", playerId)
    .where("session_id", "=", sessionId)
    .where("kicked_at", "is", null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

// ---- players (system role, always scoped by session and token hash) ----

export async function findPlayer(tx: Tx, sessionId: string, tokenHash: Buffer): Promise<PlayerRow | null> {
  return (
    (await tx
      .selectFrom("live_players")
      .selectAll()
      .where("session_id", "=", sessionId)
      .where("token_hash", "=", tokenHash)
      .executeTakeFirst()) ?? null
  );
}

/** Serialises new joins of one session until the transaction ends (the system role cannot lock the session row). */
export async function lockJoins(tx: Tx, sessionId: string): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`live-join:${sessionId}`}, 0))`.execute(tx);
}

export async function countPlayers(tx: Tx, sessionId: string): Promise<number> {
  const row = await tx
    .selectFrom("live_players")
    .select(sql<number>`count(*)::int`.as("n"))
    .where("session_id", "=", sessionId)
    .executeTakeFirstOrThrow();
  return row.n;
}

/** Null when the nickname is taken in this session (case-insensitively). */
export async function insertPlayer(tx: Tx, sessionId: string, nickname: string, tokenHash: Buffer): Promise<PlayerRow | null> {
  const { rows } = await sql<PlayerRow>`
    INSERT INTO live_players (session_id, nickname, token_hash) VALUES (${sessionId}::uuid, ${nickname}, ${tokenHash})
    ON CONFLICT (session_id, lower(nickname)) DO NOTHING
    RETURNING *`.execute(tx);
  return rows[0] ?? null;
}

export async function setPresence(tx: Tx, playerId: string, present: boolean): Promise<void> {
  await tx
    .updateTable("live_players")
    .set(present ? { left_at: null, last_seen_at: sql<Date>`now()` } : { left_at: sql<Date>`now()` })
    .where("id", "=", playerId)
    .execute();
}

export async function findAnswer(tx: Tx, playerId: string, questionIndex: number): Promise<AnswerRow | null> {
  return (
    (await tx
      .selectFrom("live_answers")
      .selectAll()
      .where("player_id", "=", playerId)
      .where("question_index", "=", questionIndex)
      .executeTakeFirst()) ?? null
  );
}

export interface NewAnswer {
  session_id: string;
  player_id: string;
  question_index: number;
  choice: number;
  correct: boolean;
  points: number;
  elapsed_ms: number;
}

/**
 * Everything an answer needs, in one round trip: the player (by session and token hash), the session with
 * the database's clock, and this player's answers to this question and the one before (for the streak).
 */
export interface AnswerContext {
  player_id: string;
  kicked_at: Date | null;
  streak: number;
  session: TimedSession;
  done_choice: number | null;
  previous_correct: boolean | null;
}

export async function answerContext(
  tx: Tx,
  sessionId: string,
  tokenHash: Buffer,
  questionIndex: number,
): Promise<AnswerContext | null> {
  const { rows } = await sql<{
    player_id: string;
    kicked_at: Date | null;
    streak: number;
    session: Record<string, unknown>;
    now: Date;
    done_choice: number | null;
    previous_correct: boolean | null;
  }>`
    SELECT p.id AS player_id, p.kicked_at, p.streak, to_jsonb(s) AS session, clock_timestamp() AS now,
           cur.choice AS done_choice, prev.correct AS previous_correct
      FROM live_players p
      JOIN live_sessions s ON s.id = p.session_id
      LEFT JOIN live_answers cur ON cur.player_id = p.id AND cur.question_index = ${questionIndex}::int
      LEFT JOIN live_answers prev ON prev.player_id = p.id AND prev.question_index = ${questionIndex - 1}::int
     WHERE p.session_id = ${sessionId}::uuid AND p.token_hash = ${tokenHash}`.execute(tx);
  const r = rows[0];
  if (!r) return null;
  const j = r.session;
  const at = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string));
  const session = {
    ...(j as unknown as SessionRow),
    question_started_at: at(j.question_started_at),
    expires_at: at(j.expires_at) as Date,
    finished_at: at(j.finished_at),
    created_at: at(j.created_at) as Date,
    updated_at: at(j.updated_at) as Date,
    now: r.now,
  };
  return {
    player_id: r.player_id,
    kicked_at: r.kicked_at,
    streak: r.streak,
    session,
    done_choice: r.done_choice,
    previous_correct: r.previous_correct,
  };
}

/**
 * Records the answer and scores it in one statement; false when this player already answered this question
 * (another submit won the race on the unique index: a double submit counts once).
 */
export async function recordAnswer(tx: Tx, a: NewAnswer, score: { streak: number }): Promise<boolean> {
  const { rows } = await sql<{ n: number }>`
    WITH ins AS (
      INSERT INTO live_answers (session_id, player_id, question_index, choice, correct, points, elapsed_ms)
      VALUES (${a.session_id}::uuid, ${a.player_id}::uuid, ${a.question_index}::int, ${a.choice}::int, ${a.correct},
              ${a.points}::int, ${a.elapsed_ms}::int)
      ON CONFLICT (player_id, question_index) DO NOTHING
      RETURNING player_id
    ), upd AS (
      UPDATE live_players
         SET score = score + ${a.points}::int, streak = ${score.streak}::int, answered = answered + 1,
             correct = correct + ${a.correct ? 1 : 0}::int, total_ms = total_ms + ${a.elapsed_ms}::bigint,
             left_at = NULL, last_seen_at = now()
       WHERE id IN (SELECT player_id FROM ins)
       RETURNING id
    )
    SELECT count(*)::int AS n FROM upd`.execute(tx);
  return (rows[0]?.n ?? 0) > 0;
}
