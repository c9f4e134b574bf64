/**
 * The host's side of a live game: creating, reading and running a session, removing players, inviting
 * users, and the host's live view. Every call runs in the host's RLS transaction (`asUser`, or the
 * request's); the calls that change the session open their own so the live notice goes out after the commit.
 */
import { asSystem, asUser, type Tx } from "@inkwell/db";
import { notifications } from "../notifications/index.ts";
import { DomainError, notFound } from "../platform/errors.ts";
import * as library from "./library.service.ts";
import * as repo from "./live.repository.ts";
import {
  type CreateLiveInput,
  createLiveInput,
  LIVE_INVITES_PER_HOUR,
  LIVE_LIMITS,
  type LiveHostView,
  type LiveSessionSummary,
  type LiveStatus,
  liveInviteInput,
} from "./live.schemas.ts";
import {
  CHANGED,
  closesAt,
  type FollowOptions,
  follow,
  hostChannel,
  type LiveDeps,
  newCode,
  playChannel,
  questionsOf,
  rankOpts,
  type Snapshot,
  snapshotQuiz,
  toBoardRow,
} from "./live.shared.ts";
import * as accounts from "./sharing.repository.ts";

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
  // Invites are limited per host, whoever the address is, below the bell's per-sender limit: otherwise,
  // past that limit, invites to accounts would be refused and invites to unknown addresses would not,
  // telling a host which addresses use Inkwell.
  const { recipient, sender } = await asSystem(deps.db, async (tx) => {
    const { attempts, retryAfterSeconds } = await accounts.hitThrottle(
      tx,
      `live-invite:${userId}`,
      LIVE_INVITES_PER_HOUR.windowSeconds,
    );
    if (attempts > LIVE_INVITES_PER_HOUR.limit)
      throw new DomainError("RATE_LIMITED", "You've sent a lot of invites in the last hour. Please wait a little.", {
        retryAfterSeconds,
      });
    return {
      recipient: await accounts.findUserByEmail(tx, v.email.trim().toLowerCase()),
      sender: await accounts.senderName(tx, userId),
    };
  });
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
