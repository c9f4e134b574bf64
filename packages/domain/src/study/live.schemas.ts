/**
 * Live quiz sessions (issue 15 item 5): inputs and the shapes the host's and the players' views read.
 * Browser-safe (zod only).
 */
import { z } from "zod";

/** Codes avoid look-alikes (0/O, 1/I/L): a room reads them off a projector. */
export const LIVE_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
export const LIVE_CODE_LENGTH = 6;
export const LIVE_STATUSES = ["lobby", "question", "reveal", "finished"] as const;
export type LiveStatus = (typeof LIVE_STATUSES)[number];

export const LIVE_LIMITS = {
  /** Top of the leaderboard every view shows. */
  leaderboard: 10,
  playersPerSession: 500,
  nickname: 24,
} as const;

const uuid = z.uuid();
/** Typed by hand on a phone: case and spaces forgiven, look-alikes mapped to the letters we use. */
export const liveCodeSchema = z
  .string()
  .trim()
  .max(20)
  .transform((s) => s.replace(/[\s-]/g, "").toUpperCase())
  .pipe(z.string().regex(new RegExp(`^[${LIVE_CODE_ALPHABET}]{${LIVE_CODE_LENGTH}}$`), "Enter the 6-character code"));
/** The player token from `join`: 32 random bytes, base64url. */
export const livePlayerTokenSchema = z.string().regex(/^[A-Za-z0-9_-]{43}$/, "Not a player token");
export const liveNicknameSchema = z
  .string()
  .trim()
  .min(1, "Pick a nickname")
  .max(LIVE_LIMITS.nickname, `At most ${LIVE_LIMITS.nickname} characters`)
  // Shown on a projector to a class: no control or invisible characters (line breaks, zero-width, right-to-left
  // overrides that disguise a name or blank it out).
  .refine((s) => !/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u.test(s), "Use letters, digits, spaces and punctuation only");

export const createLiveInput = z.object({
  itemId: uuid,
  questionSeconds: z.number().int().min(5).max(120).default(20),
});
export type CreateLiveInput = z.input<typeof createLiveInput>;
export const liveSessionIdInput = z.object({ sessionId: uuid });
/** `expect`: the state the host's screen showed; a step from another state changes nothing. */
export const liveNextInput = liveSessionIdInput.extend({
  expect: z.object({ status: z.enum(LIVE_STATUSES), questionIndex: z.number().int().min(0).max(49) }).optional(),
});
export const listLiveInput = z.object({ limit: z.number().int().min(1).max(50).default(20) });
export const liveKickInput = z.object({ sessionId: uuid, playerId: uuid });
export const liveInviteInput = z.object({ sessionId: uuid, email: z.email().max(320) });

export const liveJoinInput = z.object({
  code: liveCodeSchema,
  nickname: liveNicknameSchema.optional(),
  /** A token from an earlier join of this session: rejoins as that player (score and place kept). */
  token: livePlayerTokenSchema.optional(),
});
export type LiveJoinInput = z.input<typeof liveJoinInput>;
export const livePlayerInput = z.object({ sessionId: uuid, token: livePlayerTokenSchema });
export const liveAnswerInput = livePlayerInput.extend({
  questionIndex: z.number().int().min(0).max(49),
  choice: z.number().int().min(0).max(5),
});
export const liveWatchInput = z.object({ sessionId: uuid });

/** A question as it is played: multiple choice, or true/false (choices "True", "False"). */
export interface LiveQuestion {
  id: string;
  kind: "multiple_choice" | "true_false";
  prompt: string;
  choices: string[];
  answerIndex: number;
  explanation: string;
}

export interface LiveLeaderboardRow {
  playerId: string;
  nickname: string;
  rank: number;
  score: number;
  streak: number;
  correct: number;
  away: boolean;
}

export interface LivePlayerRow extends LiveLeaderboardRow {
  joinedAt: Date;
  answeredCurrent: boolean;
}

/** What the host sees: everything, including the answer and who answered what. */
export interface LiveHostView {
  id: string;
  title: string;
  code: string;
  itemId: string | null;
  status: LiveStatus;
  questionIndex: number;
  questionCount: number;
  skippedCount: number;
  questionSeconds: number;
  questionStartedAt: Date | null;
  /** When the current question stops taking answers (server clock). */
  closesAt: Date | null;
  serverNow: Date;
  expiresAt: Date;
  finishedAt: Date | null;
  createdAt: Date;
  question: LiveQuestion | null;
  /** Answers per choice for the current question. */
  answerCounts: number[];
  answeredCount: number;
  players: LivePlayerRow[];
  leaderboard: LiveLeaderboardRow[];
}

export interface LiveSessionSummary {
  id: string;
  title: string;
  code: string;
  status: LiveStatus;
  questionCount: number;
  playerCount: number;
  createdAt: Date;
  finishedAt: Date | null;
  winner: { nickname: string; score: number } | null;
}

/** What a player sees: the question without its answer until the reveal, their own result and rank. */
export interface LivePlayerView {
  sessionId: string;
  title: string;
  status: LiveStatus;
  questionIndex: number;
  questionCount: number;
  questionSeconds: number;
  closesAt: Date | null;
  serverNow: Date;
  question: { id: string; kind: LiveQuestion["kind"]; prompt: string; choices: string[] } | null;
  /** Shown from the reveal on. */
  answerIndex: number | null;
  explanation: string | null;
  me: {
    playerId: string;
    nickname: string;
    score: number;
    streak: number;
    rank: number;
    kicked: boolean;
    /** This question's answer, once given. */
    answer: { choice: number; correct: boolean | null; points: number | null } | null;
  };
  playerCount: number;
  leaderboard: LiveLeaderboardRow[];
}

export interface LiveJoinResult {
  sessionId: string;
  playerId: string;
  nickname: string;
  /** Only on a first join: the secret that is this player (kept by the browser, never shown again). */
  token: string | null;
  rejoined: boolean;
}

export interface LiveAnswerResult {
  accepted: boolean;
  /** False when this was a repeat of an answer already counted. */
  counted: boolean;
  choice: number;
}

/** Invites one host may send an hour, to any addresses (the bell's own limit per sender is 60 an hour). */
export const LIVE_INVITES_PER_HOUR = { limit: 30, windowSeconds: 3600 };
