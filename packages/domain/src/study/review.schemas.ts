/**
 * Flashcard review with spaced repetition (issue 15.3): inputs and answers of `study.review.*`.
 * Browser-safe (zod only): the web reads the rating names and limits from here.
 */
import { z } from "zod";

export const REVIEW_LIMITS = {
  /** New cards a day may introduce (after the due reviews). */
  newPerDay: 20,
  /** Cards one `due` call returns at most. */
  queue: 100,
  /** Learning and relearning steps due this soon are shown now rather than ending the session early. */
  learnAheadMinutes: 20,
} as const;

export const RATINGS = [
  { rating: 1, name: "Again" },
  { rating: 2, name: "Hard" },
  { rating: 3, name: "Good" },
  { rating: 4, name: "Easy" },
] as const;
export type RatingValue = 1 | 2 | 3 | 4;
/** A card counts as known in a session's result when its first rating there was Good or Easy. */
export const KNOWN_FROM_RATING = 3;

export const CARD_STATES = ["new", "learning", "review", "relearning"] as const;
export type CardStateName = (typeof CARD_STATES)[number];

export const dueInput = z
  .object({
    limit: z.number().int().min(1).max(REVIEW_LIMITS.queue).default(20),
    itemId: z.uuid().optional(),
  })
  .default({ limit: 20 });
export type DueInput = z.input<typeof dueInput>;

export const rateInput = z.object({
  itemId: z.uuid(),
  cardId: z.string().regex(/^[a-z0-9-]{1,40}$/, "Unknown card"),
  rating: z.number().int().min(1).max(4),
  durationMs: z.number().int().min(0).max(3_600_000),
  /** Chosen by the client for one sitting; with the card and review index it makes a rate idempotent. */
  sessionId: z.uuid(),
  /** How many times this card was already rated in this session (a card failed comes back). */
  reviewIndex: z.number().int().min(0).max(1000).default(0),
});
export type RateInput = z.input<typeof rateInput>;

export const finishSessionInput = z.object({ sessionId: z.uuid() });
export type FinishSessionInput = z.input<typeof finishSessionInput>;

export const statsInput = z.object({ itemId: z.uuid().optional() }).optional();

/** What one rating would schedule, shown on its button before the user picks. */
export interface RatingPreview {
  rating: RatingValue;
  due: string;
  intervalMs: number;
}

export interface ReviewCard {
  itemId: string;
  itemTitle: string;
  cardId: string;
  front: string;
  back: string;
  state: CardStateName;
  /** Null for a new card. */
  due: string | null;
  reps: number;
  lapses: number;
  isPlaceholder: boolean;
  previews: RatingPreview[];
}

export interface DueQueue {
  cards: ReviewCard[];
  /** Reviews due now (learning steps within the learn-ahead window count), in scope. */
  dueNow: number;
  now: string;
}

export interface RateResult {
  itemId: string;
  cardId: string;
  rating: RatingValue;
  reviewIndex: number;
  state: CardStateName;
  due: string;
  stability: number;
  difficulty: number;
  scheduledDays: number;
  reviewedAt: string;
  /** False when this was a retry answered from the log (nothing written). */
  recorded: boolean;
}

export interface CardStatus {
  itemId: string | null;
  cardId: string;
  rating: RatingValue;
  known: boolean;
}

export interface FlashcardResult {
  id: string;
  sessionId: string;
  itemId: string | null;
  knownCount: number;
  unknownCount: number;
  totalCards: number;
  cardsStatus: CardStatus[];
  createdAt: string;
}

export interface ReviewStats {
  dueNow: number;
  dueToday: number;
  newAvailable: number;
  reviewedToday: number;
  currentStreak: number;
  bestStreak: number;
  timeZone: string;
}
