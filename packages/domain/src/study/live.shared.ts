/**
 * What the host's and the players' sides of a live game share: the session snapshot, the notice channels,
 * the pure rules (points, codes, what a quiz can play, when a question closes) and `follow`, the loop that
 * turns bus notices into fresh views for both sides' subscriptions.
 */
import type { Database } from "@inkwell/db";
import type { GenerationBus } from "../generation/index.ts";
import type { QuizContent } from "./library.schemas.ts";
import type * as repo from "./live.repository.ts";
import {
  LIVE_CODE_ALPHABET,
  LIVE_CODE_LENGTH,
  type LiveLeaderboardRow,
  type LiveQuestion,
  type LiveStatus,
} from "./live.schemas.ts";

export interface LiveDeps {
  db: Database;
  bus: GenerationBus;
}

export interface Snapshot {
  questions: LiveQuestion[];
}

export const hostChannel = (sessionId: string) => `live:host:${sessionId}`;
export const playChannel = (sessionId: string) => `live:play:${sessionId}`;
export const CHANGED = { type: "changed" } as const;

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
export function closesAt(s: repo.SessionRow): Date | null {
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

export function questionsOf(s: repo.SessionRow): LiveQuestion[] {
  return (s.quiz as unknown as Snapshot).questions;
}

export function rankOpts(s: repo.TimedSession) {
  return { closed: closedCount(s), questionMs: s.question_seconds * 1000, currentIndex: s.question_index };
}

export function toBoardRow(r: repo.RankedRow): LiveLeaderboardRow {
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
