/**
 * Live quiz sessions (issue 15 item 5): a host runs a quiz from the library; players join by code with a
 * nickname, without an account, and answer together; points by speed; a leaderboard after each question.
 *
 * Who runs what:
 * - The host's calls run in the host's RLS transaction (`asUser`, or the request's). Those that change the
 *   session open their own transaction here so the live notice goes out after the commit.
 * - Players have no user: their calls run as the system role, and every statement is scoped by the
 *   session id and the SHA-256 of the player's token (a token of another session finds nothing).
 *
 * Live updates: each change sends a notice on the generation bus (in this process at once, to other API
 * processes through NOTIFY at commit). A notice carries nothing but "changed": every view re-reads the
 * database, which stays the only source of truth. Two channels per session: the host's hears everything
 * (joins, answers), the players' only what the host does, so 200 answers do not make 200 players' views
 * re-read 200 times. Where notices from other processes do not arrive (the embedded database) views also
 * re-read on a short timer.
 */
import { asSystem, asUser, type Database, type Tx } from "@inkwell/db";
import type { GenerationBus } from "../generation/index.ts";
import { notifications } from "../notifications/index.ts";
import { DomainError, notFound } from "../platform/errors.ts";
import { hashToken, newToken } from "../platform/tokens.ts";
import type { QuizContent } from "./library.schemas.ts";
import * as library from "./library.service.ts";
import * as repo from "./live.repository.ts";
import {
  type CreateLiveInput,
  createLiveInput,
  LIVE_CODE_ALPHABET,
  LIVE_CODE_LENGTH,
  LIVE_LIMITS,
  type LiveAnswerResult,
  type LiveHostView,
  type LiveJoinInput,
  type LiveJoinResult,
  type LiveLeaderboardRow,
  type LivePlayerView,
  type LiveQuestion,
  type LiveSessionSummary,
  type LiveStatus,
  liveAnswerInput,
  liveInviteInput,
  liveJoinInput,
  livePlayerInput,
} from "./live.schemas.ts";
import * as accounts from "./sharing.repository.ts";

export interface LiveDeps {
  db: Database;
  bus: GenerationBus;
}

interface Snapshot {
  questions: LiveQuestion[];
}

export const hostChannel = (sessionId: string) => `live:host:${sessionId}`;
export const playChannel = (sessionId: string) => `live:play:${sessionId}`;
const CHANGED = { type: "changed" } as const;

// ---- pure rules ----

/** The playable part of a quiz: multiple choice and true/false; short answers need a grader, so they are skipped. */
export function snapshotQuiz(content: QuizContent): { questions: LiveQuestion[]; skipped: number } {
  const questions: LiveQuestion[] = [];
  let skipped = 0;
  for (const q of content.questions) {
    if (q.kind === "multiple_choice")
      questions.push({
        id: q.id,
        kind: q.kind,
        prompt: q.prompt,
        choices: q.choices,
        answerIndex: q.answerIndex,
        explanation: q.explanation,
      });
    else if (q.kind === "true_false")
      questions.push({
        id: q.id,
        kind: q.kind,
        prompt: q.prompt,
        choices: ["True", "False"],
        answerIndex: q.answer ? 0 : 1,
        explanation: q.explanation,
      });
    else skipped++;
  }
  return { questions, skipped };
}

export function newCode(random: (n: number) => number = secureInt): string {
  let code = "";
  for (let i = 0; i < LIVE_CODE_LENGTH; i++) code += LIVE_CODE_ALPHABET[random(LIVE_CODE_ALPHABET.length)];
  return code;
}

function secureInt(n: number): number {
  // crypto.getRandomValues is in Node and browsers alike; modulo bias over 2^32 is negligible for n ≤ 32.
  const a = new Uint32Array(1);
  crypto.getRandomValues(a);
  return (a[0] ?? 0) % n;
}

/**
 * Kahoot-like points: a correct answer is worth 1000 at once, falling linearly to 500 at the buzzer; from
 * the second correct answer in a row, 100 more per answer in the streak (at most 500).
 */
export function pointsFor(correct: boolean, elapsedMs: number, questionSeconds: number, streak: number): number {
  if (!correct) return 0;
  const share = Math.min(Math.max(elapsedMs / (questionSeconds * 1000), 0), 1);
  const speed = Math.round(1000 * (1 - share / 2));
  return speed + Math.min(Math.max(streak - 1, 0), 5) * 100;
}

/** When the current question stops taking answers. */
function closesAt(s: repo.SessionRow): Date | null {
  if (s.status !== "question" || !s.question_started_at) return null;
  return new Date(s.question_started_at.getTime() + s.question_seconds * 1000);
}

/** How many questions are over (their time counts for everyone on the leaderboard). */
function closedCount(s: repo.TimedSession): number {
  if (s.status === "lobby") return 0;
  if (s.status === "question") {
    const closes = closesAt(s);
    return s.question_index + (closes && s.now.getTime() >= closes.getTime() ? 1 : 0);
  }
  return s.question_index + 1;
}

function questionsOf(s: repo.SessionRow): LiveQuestion[] {
  return (s.quiz as unknown as Snapshot).questions;
}

function rankOpts(s: repo.TimedSession) {
  return { closed: closedCount(s), questionMs: s.question_seconds * 1000, currentIndex: s.question_index };
}

function toBoardRow(r: repo.RankedRow): LiveLeaderboardRow {
  return {
    playerId: r.id,
    nickname: r.nickname,
    rank: r.rank,
    score: r.score,
    streak: r.streak,
    correct: r.correct,
    away: r.left_at !== null,
  };
}

// ---- the host ----

async function hostView(tx: Tx, s: repo.TimedSession): Promise<LiveHostView> {
  const questions = questionsOf(s);
  const question = s.status === "lobby" ? null : (questions[s.question_index] ?? null);
  const [rows, counts] = await Promise.all([
    repo.ranked(tx, s.id, rankOpts(s)),
    s.status === "lobby" ? Promise.resolve([]) : repo.answerCounts(tx, s.id, s.question_index),
  ]);
  const answerCounts = (question?.choices ?? []).map((_, i) => counts.find((c) => c.choice === i)?.n ?? 0);
  const players = rows.map((r) => ({ ...toBoardRow(r), joinedAt: r.joined_at, answeredCurrent: r.answered_current }));
  return {
    id: s.id,
    title: s.title,
    code: s.code,
    itemId: s.item_id,
    status: s.status as LiveStatus,
    questionIndex: s.question_index,
    questionCount: s.question_count,
    skippedCount: s.skipped_count,
    questionSeconds: s.question_seconds,
    questionStartedAt: s.question_started_at,
    closesAt: closesAt(s),
    serverNow: s.now,
    expiresAt: s.expires_at,
    finishedAt: s.finished_at,
    createdAt: s.created_at,
    question,
    answerCounts,
    // From the same statement as the players list, so the two always agree.
    answeredCount: rows.filter((r) => r.answered_current).length,
    players,
    leaderboard: rows.slice(0, LIVE_LIMITS.leaderboard).map(toBoardRow),
  };
}

async function ownSession(tx: Tx, sessionId: string, options: { lock?: boolean } = {}) {
  // RLS shows the host their own sessions only: anyone else's is "not found", as is a missing one.
  const s = await repo.findSession(tx, sessionId, options);
  if (!s) throw notFound("Live session");
  return s;
}

/** Starts a session from a quiz the host can read (their own, or one shared with or assigned to them). */
export async function create(tx: Tx, userId: string, input: CreateLiveInput): Promise<LiveHostView> {
  const v = createLiveInput.parse(input);
  const item = await library.get(tx, v.itemId);
  if (item?.itemType !== "quiz") throw notFound("Quiz");
  const { questions, skipped } = snapshotQuiz(item.content);
  if (questions.length === 0)
    throw new DomainError(
      "PRECONDITION_FAILED",
      "This quiz has only short-answer questions; a live game needs multiple-choice or true/false ones.",
    );
  for (let attempt = 0; attempt < 8; attempt++) {
    const row = await repo.insertSession(tx, {
      user_id: userId,
      item_id: item.id,
      title: item.title,
      code: newCode(),
      quiz: { questions } satisfies Snapshot,
      question_count: questions.length,
      skipped_count: skipped,
      question_seconds: v.questionSeconds,
    });
    if (row) return hostView(tx, await ownSession(tx, row.id));
  }
  // 8 collisions in a billion codes means something else is wrong; say so rather than loop.
  throw new DomainError("CONFLICT", "Could not find a free game code. Please try again.");
}

export async function get(tx: Tx, sessionId: string): Promise<LiveHostView> {
  return hostView(tx, await ownSession(tx, sessionId));
}

export async function list(tx: Tx, limit = 20): Promise<LiveSessionSummary[]> {
  const rows = await repo.listSessions(tx, limit);
  return rows.map((r) => ({
    id: r.id,
    title: r.title,
    code: r.code,
    status: r.status as LiveStatus,
    questionCount: r.question_count,
    playerCount: r.player_count,
    createdAt: r.created_at,
    finishedAt: r.finished_at,
    winner: r.winner_nickname !== null ? { nickname: r.winner_nickname, score: r.winner_score ?? 0 } : null,
  }));
}

/** Runs a host change in the host's own transaction, then tells every view (after the commit). */
async function hostChange(
  deps: LiveDeps,
  userId: string,
  sessionId: string,
  change: (tx: Tx, s: repo.TimedSession) => Promise<boolean>,
) {
  const changed = await asUser(deps.db, userId, async (tx) => {
    const s = await ownSession(tx, sessionId, { lock: true });
    const did = await change(tx, s);
    if (did) {
      await deps.bus.notify(tx, hostChannel(sessionId), CHANGED);
      await deps.bus.notify(tx, playChannel(sessionId), CHANGED);
    }
    return did;
  });
  if (changed) {
    deps.bus.publish(hostChannel(sessionId), CHANGED);
    deps.bus.publish(playChannel(sessionId), CHANGED);
  }
  return asUser(deps.db, userId, (tx) => get(tx, sessionId));
}

export type Expect = { status: LiveStatus; questionIndex: number } | undefined;

/**
 * Moves the game on one step: lobby → the first question → its reveal → the next question … → finished.
 * With `expect` (what the host's screen showed), a step from any other state changes nothing: two host
 * tabs, or a click racing the countdown's own advance, move the game once.
 */
export function next(deps: LiveDeps, userId: string, sessionId: string, expect?: Expect): Promise<LiveHostView> {
  return hostChange(deps, userId, sessionId, async (tx, s) => {
    if (expect && (expect.status !== s.status || expect.questionIndex !== s.question_index)) return false;
    if (s.status === "finished") throw new DomainError("PRECONDITION_FAILED", "This game has finished.");
    if (s.status === "lobby") {
      await repo.updateSession(tx, s.id, { status: "question", question_index: 0, question_started_at: "now" });
    } else if (s.status === "question") {
      await repo.updateSession(tx, s.id, { status: "reveal" });
    } else if (s.question_index + 1 < s.question_count) {
      await repo.updateSession(tx, s.id, {
        status: "question",
        question_index: s.question_index + 1,
        question_started_at: "now",
      });
    } else {
      await repo.updateSession(tx, s.id, { status: "finished", finished_at: "now" });
    }
    return true;
  });
}

/** The first question (from the lobby only). */
export function start(deps: LiveDeps, userId: string, sessionId: string): Promise<LiveHostView> {
  return hostChange(deps, userId, sessionId, async (tx, s) => {
    if (s.status !== "lobby") throw new DomainError("PRECONDITION_FAILED", "This game has already started.");
    await repo.updateSession(tx, s.id, { status: "question", question_index: 0, question_started_at: "now" });
    return true;
  });
}

/** Ends the game now; its leaderboard is kept as the result. */
export function end(deps: LiveDeps, userId: string, sessionId: string): Promise<LiveHostView> {
  return hostChange(deps, userId, sessionId, async (tx, s) => {
    if (s.status === "finished") return false;
    await repo.updateSession(tx, s.id, { status: "finished", finished_at: "now" });
    return true;
  });
}

/** Removes a player: their token stops working; their nickname stays taken in this game. */
export function kick(deps: LiveDeps, userId: string, sessionId: string, playerId: string): Promise<LiveHostView> {
  return hostChange(deps, userId, sessionId, async (tx, s) => {
    if (!(await repo.kick(tx, s.id, playerId))) throw notFound("Player");
    return true;
  });
}

/**
 * Invites a user (by their account's e-mail) to a running game: a `live_invite` in their bell with the code,
 * once per game (dedupe key), until the game expires. The answer is the same whether or not the address has
 * an account, so it tells nothing about who uses Inkwell; the bell's own limit (60 an hour per sender) holds.
 */
export async function invite(deps: LiveDeps, userId: string, input: { sessionId: string; email: string }): Promise<{ ok: true }> {
  const v = liveInviteInput.parse(input);
  // Other accounts are the system role's to read; looked up before the host's own transaction opens.
  const { recipient, sender } = await asSystem(deps.db, async (tx) => ({
    recipient: await accounts.findUserByEmail(tx, v.email.trim().toLowerCase()),
    sender: await accounts.senderName(tx, userId),
  }));
  await asUser(deps.db, userId, async (tx) => {
    const s = await ownSession(tx, v.sessionId);
    if (s.status === "finished") throw new DomainError("PRECONDITION_FAILED", "This game has finished.");
    if (!recipient || recipient.id === userId) return;
    await notifications.notify(tx, {
      userId: recipient.id,
      senderId: userId,
      materialId: s.item_id,
      type: "live_invite",
      title: `${sender} invited you to a live quiz: "${s.title}"`.slice(0, 200),
      message: `Join at /play/${s.code} (code ${s.code}) while the game runs.`,
      expiresAt: s.expires_at,
      dedupeKey: `live:${s.id}`,
    });
  });
  return { ok: true };
}

// ---- the players (system role, scoped by session and token) ----

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

// ---- live views ----

export interface FollowOptions {
  signal?: AbortSignal | undefined;
  /** The stream ends after this long (the client opens a new one). */
  maxMs: number;
  /** Re-read this often when notices from other processes do not arrive (the embedded database). */
  pollMs?: number;
}

/** A view after which nothing more will happen: the game is over, or this player was removed. */
const isOver = (view: { status: LiveStatus; me?: { kicked: boolean } }) => view.status === "finished" || view.me?.kicked === true;

/**
 * Yields `read()` now and again after every notice on `channel` (notices that arrive during a read are
 * folded into one more read), and on a timer as a safety net; only views that differ from the last sent.
 * Ends when `read` says the game is over (after sending that view), when the signal aborts, or at maxMs.
 */
export async function* follow<V extends { status: LiveStatus; serverNow: Date; me?: { kicked: boolean } }>(
  deps: LiveDeps,
  channel: string,
  read: () => Promise<V>,
  options: FollowOptions,
): AsyncGenerator<V> {
  const local = new AbortController();
  const stop = () => local.abort();
  options.signal?.addEventListener("abort", stop, { once: true });
  const until = Date.now() + options.maxMs;
  let dirty = true;
  const waker: { wake: (() => void) | null } = { wake: null };
  const messages = deps.bus.subscribe(channel, local.signal);
  // Drains the bus into one flag: a burst of 200 answers is one or two re-reads, not 200.
  void (async () => {
    try {
      for (;;) {
        const m = await messages.next();
        if (m.done) return;
        dirty = true;
        waker.wake?.();
      }
    } catch {
      // aborted
    }
  })();
  const timer = setTimeout(stop, Math.max(0, until - Date.now()));
  let last = "";
  try {
    while (!local.signal.aborted) {
      if (dirty) {
        dirty = false;
        const view = await read();
        const { serverNow: _now, ...rest } = view;
        const key = JSON.stringify(rest);
        if (key !== last) {
          last = key;
          yield view;
        }
        if (isOver(view)) return;
        continue;
      }
      const pollMs = options.pollMs ?? (deps.bus.listening ? 10_000 : 2_000);
      await new Promise<void>((resolve) => {
        const t = setTimeout(done, pollMs);
        function done() {
          clearTimeout(t);
          local.signal.removeEventListener("abort", done);
          waker.wake = null;
          resolve();
        }
        waker.wake = done;
        local.signal.addEventListener("abort", done, { once: true });
      });
      dirty = true;
    }
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener("abort", stop);
    local.abort();
  }
}

/** The host's live view; NOT_FOUND before anything streams when the session is not theirs. */
export async function watch(
  deps: LiveDeps,
  userId: string,
  sessionId: string,
  options: FollowOptions,
): Promise<AsyncGenerator<LiveHostView>> {
  await asUser(deps.db, userId, (tx) => ownSession(tx, sessionId));
  return follow(deps, hostChannel(sessionId), () => asUser(deps.db, userId, (tx) => get(tx, sessionId)), options);
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
