/**
 * The players' side of a live game: joining by code, answering, leaving, and the player's view. Players
 * have no user: their calls run as the system role, and every statement is scoped by the session id and
 * the SHA-256 of the player's token (a token of another session finds nothing).
 */
import { asSystem, type Tx } from "@inkwell/db";
import { DomainError } from "../platform/errors.ts";
import { hashToken, newToken } from "../platform/tokens.ts";
import * as repo from "./live.repository.ts";
import {
  LIVE_LIMITS,
  type LiveAnswerResult,
  type LiveJoinInput,
  type LiveJoinResult,
  type LivePlayerView,
  type LiveStatus,
  liveAnswerInput,
  liveJoinInput,
  livePlayerInput,
} from "./live.schemas.ts";
import {
  CHANGED,
  closesAt,
  type FollowOptions,
  follow,
  hostChannel,
  type LiveDeps,
  playChannel,
  pointsFor,
  questionsOf,
  rankOpts,
  toBoardRow,
} from "./live.shared.ts";
import * as accounts from "./sharing.repository.ts";

const badToken = () => new DomainError("TOKEN_INVALID", "You are not a player in this game. Join it with its code.");

async function playerChange<T>(
  deps: LiveDeps,
  sessionId: string,
  fn: (tx: Tx) => Promise<{ value: T; changed: boolean }>,
): Promise<T> {
  const { value, changed } = await asSystem(deps.db, async (tx) => {
    const r = await fn(tx);
    if (r.changed) await deps.bus.notify(tx, hostChannel(sessionId), CHANGED);
    return r;
  });
  if (changed) deps.bus.publish(hostChannel(sessionId), CHANGED);
  return value;
}

/** Joins (and wrong codes) per address per minute: a room of phones behind one address, not a flood. */
export const JOINS_PER_MINUTE = 120;

/**
 * Counted in the database (auth_throttles, its own committed transaction), so every API process shares one
 * count and a refused join still counts.
 */
async function limitJoins(deps: LiveDeps, ip: string) {
  const { attempts, retryAfterSeconds } = await asSystem(deps.db, (tx) => accounts.hitThrottle(tx, `live-join:${ip}`, 60));
  if (attempts > JOINS_PER_MINUTE)
    throw new DomainError("RATE_LIMITED", "Too many joins from this network; wait a moment.", { retryAfterSeconds });
}

/**
 * Joins a running game by its code. A first join needs a nickname (unique in the game, any case) and
 * returns the player's token, once. With a token from an earlier join of this game it rejoins as that
 * player: score, streak and place kept.
 */
export async function join(deps: LiveDeps, input: LiveJoinInput, from?: { ip: string }): Promise<LiveJoinResult> {
  const v = liveJoinInput.parse(input);
  if (from) await limitJoins(deps, from.ip);
  const session = await asSystem(deps.db, (tx) => repo.findJoinableByCode(tx, v.code));
  if (!session) throw new DomainError("NOT_FOUND", "No game with that code is running.", { field: "code" });
  return playerChange<LiveJoinResult>(deps, session.id, async (tx) => {
    if (v.token) {
      const p = await repo.findPlayer(tx, session.id, hashToken(v.token));
      if (p?.kicked_at) throw new DomainError("FORBIDDEN", "The host removed you from this game.");
      if (p) {
        await repo.setPresence(tx, p.id, true);
        return {
          value: { sessionId: session.id, playerId: p.id, nickname: p.nickname, token: null, rejoined: true },
          changed: true,
        };
      }
      // A token of another game (or a stale one) means nothing here: join afresh if a nickname came too.
      if (!v.nickname) throw badToken();
    }
    if (!v.nickname) throw new DomainError("INVALID_INPUT", "Pick a nickname", { field: "nickname" });
    // A lock per session makes count-then-insert one step: joins at the same instant cannot pass the cap together.
    await repo.lockJoins(tx, session.id);
    if ((await repo.countPlayers(tx, session.id)) >= LIVE_LIMITS.playersPerSession)
      throw new DomainError("PRECONDITION_FAILED", "This game is full.");
    const { token, hash } = newToken();
    const p = await repo.insertPlayer(tx, session.id, v.nickname, hash);
    if (!p) throw new DomainError("CONFLICT", "That nickname is taken in this game.", { field: "nickname" });
    return { value: { sessionId: session.id, playerId: p.id, nickname: p.nickname, token, rejoined: false }, changed: true };
  });
}

async function playerOf(tx: Tx, sessionId: string, token: string) {
  const p = await repo.findPlayer(tx, sessionId, hashToken(token));
  if (!p) throw badToken();
  if (p.kicked_at) throw new DomainError("FORBIDDEN", "The host removed you from this game.");
  return p;
}

/**
 * One answer to the current question, timed by the database's clock from the question's start. Refused
 * once the question has closed (its time is up, or the host moved on). A repeat (a double tap, a retry
 * after a lost answer) is not counted again: it answers what was counted.
 */
export async function answer(
  deps: LiveDeps,
  input: { sessionId: string; token: string; questionIndex: number; choice: number },
): Promise<LiveAnswerResult> {
  const v = liveAnswerInput.parse(input);
  return playerChange<LiveAnswerResult>(deps, v.sessionId, async (tx) => {
    // One read for player, session, clock and earlier answers; one statement to record and score.
    const c = await repo.answerContext(tx, v.sessionId, hashToken(v.token), v.questionIndex);
    if (!c) throw badToken();
    if (c.kicked_at) throw new DomainError("FORBIDDEN", "The host removed you from this game.");
    if (c.done_choice !== null) return { value: { accepted: true, counted: false, choice: c.done_choice }, changed: false };
    const s = c.session;
    const closes = closesAt(s);
    if (s.status !== "question" || s.question_index !== v.questionIndex || !closes || !s.question_started_at || s.now >= closes)
      throw new DomainError("PRECONDITION_FAILED", "This question is closed.");
    const question = questionsOf(s)[v.questionIndex];
    if (!question || v.choice >= question.choices.length)
      throw new DomainError("INVALID_INPUT", "That is not one of the choices.", { field: "choice" });
    const correct = v.choice === question.answerIndex;
    const elapsedMs = Math.max(0, s.now.getTime() - s.question_started_at.getTime());
    const streak = correct ? (c.previous_correct ? c.streak + 1 : 1) : 0;
    const points = pointsFor(correct, elapsedMs, s.question_seconds, streak);
    const counted = await repo.recordAnswer(
      tx,
      {
        session_id: s.id,
        player_id: c.player_id,
        question_index: v.questionIndex,
        choice: v.choice,
        correct,
        points,
        elapsed_ms: elapsedMs,
      },
      { streak },
    );
    // Not counted: another submit of this player won the race (it committed while we waited on the unique index).
    return { value: { accepted: true, counted, choice: v.choice }, changed: counted };
  });
}

/** Steps out of the game; the player's score and place are kept for a rejoin with their token. */
export async function leave(deps: LiveDeps, input: { sessionId: string; token: string }): Promise<{ ok: true }> {
  const v = livePlayerInput.parse(input);
  return playerChange(deps, v.sessionId, async (tx) => {
    const p = await playerOf(tx, v.sessionId, v.token);
    await repo.setPresence(tx, p.id, false);
    return { value: { ok: true as const }, changed: true };
  });
}

async function playerView(tx: Tx, s: repo.TimedSession, p: repo.PlayerRow): Promise<LivePlayerView> {
  const questions = questionsOf(s);
  const q = s.status === "lobby" ? null : (questions[s.question_index] ?? null);
  const revealed = s.status === "reveal" || s.status === "finished";
  // While a question is open (or closed but not revealed) its answers stay out of score, streak and rank:
  // a jump in them would tell the player, and a neighbour, whether the answer was right.
  const hidden = s.status === "question" ? { hideIndex: s.question_index, closed: s.question_index } : {};
  const [rows, mine] = await Promise.all([
    repo.ranked(tx, s.id, { ...rankOpts(s), ...hidden, limit: LIVE_LIMITS.leaderboard, alsoPlayerId: p.id }),
    q ? repo.findAnswer(tx, p.id, s.question_index) : Promise.resolve(null),
  ]);
  const me = rows.find((r) => r.id === p.id);
  const count = await repo.countPlayers(tx, s.id);
  return {
    sessionId: s.id,
    title: s.title,
    status: s.status as LiveStatus,
    questionIndex: s.question_index,
    questionCount: s.question_count,
    questionSeconds: s.question_seconds,
    closesAt: closesAt(s),
    serverNow: s.now,
    question: q ? { id: q.id, kind: q.kind, prompt: q.prompt, choices: q.choices } : null,
    answerIndex: revealed && q ? q.answerIndex : null,
    explanation: revealed && q ? q.explanation : null,
    me: {
      playerId: p.id,
      nickname: p.nickname,
      score: me?.score ?? (s.status === "question" ? 0 : p.score),
      streak: me?.streak ?? (s.status === "question" ? 0 : p.streak),
      rank: me?.rank ?? 0,
      kicked: p.kicked_at !== null,
      // Whether it was right, and its points, only from the reveal on (a neighbour's screen tells nothing).
      answer: mine
        ? { choice: mine.choice, correct: revealed ? mine.correct : null, points: revealed ? mine.points : null }
        : null,
    },
    playerCount: count,
    leaderboard: revealed ? rows.filter((r) => r.rank <= LIVE_LIMITS.leaderboard).map(toBoardRow) : [],
  };
}

/** The player's view of the game now (also what the `play` subscription sends on every change). */
export async function state(deps: LiveDeps, input: { sessionId: string; token: string }): Promise<LivePlayerView> {
  const v = livePlayerInput.parse(input);
  return asSystem(deps.db, async (tx) => {
    const p = await repo.findPlayer(tx, v.sessionId, hashToken(v.token));
    const s = await repo.findSession(tx, v.sessionId);
    if (!p || !s) throw badToken();
    return playerView(tx, s, p);
  });
}

/** A player's live view; refused before anything streams when the token is not a player of this game. */
export async function play(
  deps: LiveDeps,
  input: { sessionId: string; token: string },
  options: FollowOptions,
): Promise<AsyncGenerator<LivePlayerView>> {
  const v = livePlayerInput.parse(input);
  await state(deps, v);
  return follow(deps, playChannel(v.sessionId), () => state(deps, v), options);
}
