/**
 * Flashcard review with spaced repetition (issue 15.3). Scheduling is ts-fsrs's (FSRS, default
 * parameters, no fuzz, so a replay of the same ratings gives the same schedule); this module keeps each
 * card's FSRS state per user, appends every rating to an append-only log, builds the due queue across
 * every set the user studies, and sums a sitting into `flashcard_results`.
 *
 * A card's state is the reviewer's own even when the set is someone else's (shared or assigned): the
 * set only has to be readable through `library.get`. Plain functions taking the caller's RLS transaction.
 */
import type { Tx } from "@inkwell/db";
import { type Card, createEmptyCard, fsrs, type Grade, generatorParameters, type RecordLogItem, type State } from "ts-fsrs";
import { DomainError, notFound } from "../platform/errors.ts";
import * as library from "./library.service.ts";
import * as repo from "./review.repository.ts";
import {
  CARD_STATES,
  type CardStateName,
  type CardStatus,
  type DueQueue,
  dueInput,
  type FinishSessionInput,
  type FlashcardResult,
  finishSessionInput,
  KNOWN_FROM_RATING,
  type RateInput,
  type RateResult,
  type RatingPreview,
  type RatingValue,
  REVIEW_LIMITS,
  type ReviewCard,
  type ReviewStats,
  rateInput,
} from "./review.schemas.ts";

/** The one scheduler: FSRS defaults without fuzz (fuzz would make a replayed history schedule differently). */
export const scheduler = fsrs(generatorParameters({ enable_fuzz: false }));

const stateName = (s: number): CardStateName => CARD_STATES[s] ?? "new";

function toCard(row: repo.CardStateRow): Card {
  return {
    due: row.due,
    stability: row.stability,
    difficulty: row.difficulty,
    elapsed_days: row.elapsed_days,
    scheduled_days: row.scheduled_days,
    learning_steps: row.learning_steps,
    reps: row.reps,
    lapses: row.lapses,
    state: row.state as State,
    ...(row.last_review ? { last_review: row.last_review } : {}),
  };
}

function previewsOf(card: Card, now: Date): RatingPreview[] {
  const preview = scheduler.repeat(card, now);
  return ([1, 2, 3, 4] as const).map((rating) => {
    const next = preview[rating as Grade].card;
    return { rating, due: next.due.toISOString(), intervalMs: next.due.getTime() - now.getTime() };
  });
}

function learnAhead(now: Date): Date {
  return new Date(now.getTime() + REVIEW_LIMITS.learnAheadMinutes * 60_000);
}

/** The user's zone from their profile preferences when it is a real IANA zone, else UTC. */
async function timeZoneOf(tx: Tx): Promise<string> {
  const tz = await repo.profileTimeZone(tx);
  if (!tz) return "UTC";
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz });
    return tz;
  } catch {
    return "UTC";
  }
}

async function newRemainingToday(tx: Tx, now: Date, timeZone: string): Promise<number> {
  const { start } = await repo.dayBounds(tx, now, timeZone);
  return Math.max(0, REVIEW_LIMITS.newPerDay - (await repo.newIntroducedSince(tx, start)));
}

async function readableSet(tx: Tx, itemId: string) {
  const item = await library.get(tx, itemId);
  if (item?.itemType !== "flashcard") throw notFound("Flashcard set");
  return item;
}

/**
 * The cards to review now: due reviews first (most overdue first), then new cards up to what is left of
 * the daily new-card limit, `limit` in all. With `itemId`, only that set (which must be readable).
 * How many new cards are left is `stats`'s to say: counting them reads every set, too slow for each batch.
 */
export async function due(tx: Tx, input: { now: Date; limit?: number; itemId?: string | undefined }): Promise<DueQueue> {
  const v = dueInput.parse({ limit: input.limit, itemId: input.itemId });
  const now = input.now;
  if (v.itemId) await readableSet(tx, v.itemId);
  const scope = { now, ahead: learnAhead(now), itemId: v.itemId };
  const dueRows = await repo.dueCards(tx, scope, v.limit);
  const newRemaining = await newRemainingToday(tx, now, await timeZoneOf(tx));
  const fresh = await repo.newCards(tx, v.itemId, Math.min(v.limit - dueRows.length, newRemaining));
  const empty = createEmptyCard(now);
  const cards: ReviewCard[] = [
    ...dueRows.map((r) => ({
      itemId: r.item_id,
      itemTitle: r.item_title,
      cardId: r.card_id,
      front: r.front,
      back: r.back,
      state: stateName(r.state),
      due: r.due.toISOString(),
      reps: r.reps,
      lapses: r.lapses,
      isPlaceholder: r.is_placeholder,
      previews: previewsOf(toCard(r), now),
    })),
    ...fresh.map((r) => ({
      itemId: r.item_id,
      itemTitle: r.item_title,
      cardId: r.card_id,
      front: r.front,
      back: r.back,
      state: "new" as const,
      due: null,
      reps: 0,
      lapses: 0,
      isPlaceholder: r.is_placeholder,
      previews: previewsOf(empty, now),
    })),
  ];
  return {
    cards,
    dueNow: await repo.countDue(tx, scope),
    now: now.toISOString(),
  };
}

function resultOf(log: repo.ReviewLogRow, recorded: boolean): RateResult {
  return {
    itemId: log.item_id ?? "",
    cardId: log.card_id,
    rating: log.rating as RatingValue,
    reviewIndex: log.review_index,
    state: stateName(log.state_after),
    due: log.due.toISOString(),
    stability: log.stability,
    difficulty: log.difficulty,
    scheduledDays: log.scheduled_days,
    reviewedAt: log.reviewed_at.toISOString(),
    recorded,
  };
}

/**
 * Rates one card: schedules it with FSRS and appends the log, in the caller's one transaction. The card's
 * row is locked first, so two tabs rating it at once take turns; a rate whose (session, card, review
 * index) is already logged answers that log and writes nothing (a retry is safe).
 */
export async function rate(tx: Tx, userId: string, input: RateInput & { now: Date }): Promise<RateResult> {
  const v = rateInput.parse(input);
  const now = input.now;
  const item = await readableSet(tx, v.itemId);
  if (!item.content.cards.some((c) => c.id === v.cardId)) throw notFound("Card");

  let row = await repo.lockState(tx, userId, v.itemId, v.cardId);
  if (!row) {
    const empty = createEmptyCard(now);
    await repo.insertStateIfMissing(tx, {
      user_id: userId,
      item_id: v.itemId,
      card_id: v.cardId,
      due: empty.due,
      stability: empty.stability,
      difficulty: empty.difficulty,
      elapsed_days: empty.elapsed_days,
      scheduled_days: empty.scheduled_days,
      learning_steps: empty.learning_steps,
      reps: empty.reps,
      lapses: empty.lapses,
      state: empty.state,
      last_review: null,
    });
    row = await repo.lockState(tx, userId, v.itemId, v.cardId);
    if (!row) throw notFound("Card");
  }

  const key = { userId, sessionId: v.sessionId, cardId: v.cardId, reviewIndex: v.reviewIndex };
  const logged = await repo.findLog(tx, key);
  if (logged) {
    if (logged.item_id !== v.itemId) throw new DomainError("CONFLICT", "This review was already recorded for another set.");
    return resultOf(logged, false);
  }

  const before = toCard(row);
  const next: RecordLogItem = scheduler.next(before, now, v.rating as Grade);
  const card = next.card;
  await repo.updateState(tx, row.id, {
    due: card.due,
    stability: card.stability,
    difficulty: card.difficulty,
    elapsed_days: card.elapsed_days,
    scheduled_days: card.scheduled_days,
    learning_steps: card.learning_steps,
    reps: card.reps,
    lapses: card.lapses,
    state: card.state,
    last_review: card.last_review ?? now,
  });
  const log = await repo.insertLog(tx, {
    user_id: userId,
    item_id: v.itemId,
    card_id: v.cardId,
    session_id: v.sessionId,
    review_index: v.reviewIndex,
    rating: v.rating,
    state: before.state,
    state_after: card.state,
    due: card.due,
    stability: card.stability,
    difficulty: card.difficulty,
    elapsed_days: card.elapsed_days,
    scheduled_days: card.scheduled_days,
    reviewed_at: now,
    duration_ms: v.durationMs,
  });
  return resultOf(log, true);
}

function toResult(row: repo.FlashcardResultRow): FlashcardResult {
  return {
    id: row.id,
    sessionId: row.session_id,
    itemId: row.flashcard_item_id,
    knownCount: row.known_count,
    unknownCount: row.unknown_count,
    totalCards: row.total_cards,
    cardsStatus: (row.cards_status ?? []) as unknown as CardStatus[],
    createdAt: row.created_at.toISOString(),
  };
}

/**
 * Sums a sitting into `flashcard_results`: each card reviewed counts once, known when its first rating
 * in the sitting was Good or Easy (a card failed and then relearned was not known). Finishing twice
 * answers the first result.
 */
export async function finishSession(tx: Tx, userId: string, input: FinishSessionInput): Promise<FlashcardResult> {
  const v = finishSessionInput.parse(input);
  const existing = await repo.findResult(tx, userId, v.sessionId);
  if (existing) return toResult(existing);
  const logs = await repo.sessionLogs(tx, userId, v.sessionId);
  if (logs.length === 0) throw new DomainError("INVALID_INPUT", "Nothing was reviewed in this session.");
  const first = new Map<string, CardStatus>();
  for (const log of logs) {
    const k = `${log.item_id}:${log.card_id}`;
    if (!first.has(k)) {
      first.set(k, {
        itemId: log.item_id,
        cardId: log.card_id,
        rating: log.rating as RatingValue,
        known: log.rating >= KNOWN_FROM_RATING,
      });
    }
  }
  const cards = [...first.values()];
  const items = new Set(cards.map((c) => c.itemId));
  const [onlyItem] = items;
  const known = cards.filter((c) => c.known).length;
  const inserted = await repo.insertResult(tx, {
    user_id: userId,
    flashcard_item_id: items.size === 1 ? (onlyItem ?? null) : null,
    session_id: v.sessionId,
    known_count: known,
    unknown_count: cards.length - known,
    total_cards: cards.length,
    cards_status: cards,
  });
  const row = inserted ?? (await repo.findResult(tx, userId, v.sessionId));
  if (!row) throw notFound("Session");
  return toResult(row);
}

/**
 * Due now, due by the end of the caller's day, new cards still allowed today, reviews today, and the
 * current and best streaks of consecutive days with a review, in the profile's time zone (else UTC).
 */
export async function stats(tx: Tx, input: { now: Date; itemId?: string | undefined }): Promise<ReviewStats> {
  const { now, itemId } = input;
  if (itemId) await readableSet(tx, itemId);
  const timeZone = await timeZoneOf(tx);
  const day = await repo.dayBounds(tx, now, timeZone);
  const newRemaining = Math.max(0, REVIEW_LIMITS.newPerDay - (await repo.newIntroducedSince(tx, day.start)));
  const streak = await repo.streaks(tx, day.today, timeZone);
  return {
    dueNow: await repo.countDue(tx, { now, ahead: learnAhead(now), itemId }),
    dueToday: await repo.countDueBefore(tx, day.end, itemId),
    newAvailable: await repo.countNew(tx, itemId, newRemaining),
    reviewedToday: await repo.reviewedSince(tx, day.start),
    currentStreak: streak.current,
    bestStreak: streak.best,
    timeZone,
  };
}
