/**
 * The only SQL of flashcard review (always in the caller's RLS transaction). Queries name the caller
 * (`user_id = app.current_user_id()`) besides relying on row security, so the planner can use the
 * `(user_id, due)` index for the due queue.
 */
import type { Tables, Tx } from "@inkwell/db";
import { type Selectable, sql } from "kysely";

export type CardStateRow = Selectable<Tables.StudyCardStates>;
export type ReviewLogRow = Selectable<Tables.StudyReviewLogs>;
export type FlashcardResultRow = Selectable<Tables.FlashcardResults>;

const me = sql`(SELECT app.current_user_id())`;

export interface Scope {
  now: Date;
  /** Learning steps due before this are in the queue now. */
  ahead: Date;
  itemId?: string | undefined;
}

/** The due predicate: reviews due now, and (re)learning steps due within the learn-ahead window. */
const duePredicate = (s: Scope) =>
  sql`s.user_id = ${me} AND s.due <= ${s.ahead} AND (s.due <= ${s.now} OR s.state IN (1, 3))${
    s.itemId ? sql` AND s.item_id = ${s.itemId}` : sql``
  }`;

export type DueRow = CardStateRow & { item_title: string; is_placeholder: boolean; front: string; back: string };

/**
 * Due cards, most overdue first, with their text. Reads the `(user_id, due)` index in order and stops
 * at the limit; an item the caller can no longer read (RLS on study_items) or a card edited out of its
 * set is skipped.
 */
export async function dueCards(tx: Tx, scope: Scope, limit: number): Promise<DueRow[]> {
  const { rows } = await sql<DueRow>`
    SELECT s.*, i.title AS item_title, i.is_placeholder, c.card->>'front' AS front, c.card->>'back' AS back
    FROM study_card_states s
    JOIN study_items i ON i.id = s.item_id
    CROSS JOIN LATERAL (
      SELECT e AS card FROM jsonb_array_elements(i.content->'cards') e WHERE e->>'id' = s.card_id LIMIT 1
    ) c
    WHERE ${duePredicate(scope)}
    ORDER BY s.due, s.id
    LIMIT ${limit}`.execute(tx);
  return rows;
}

/**
 * Counts states the way the queue shows them: the states are read on the `(user_id, due)` index, then
 * each distinct set is checked once (readable through study_items' row security, the card still in it),
 * not once per state (a policy evaluation per state cost seconds at 50k due, the bench showed). A set no
 * longer shared or a card edited out is therefore neither shown nor counted.
 */
async function countReadable(tx: Tx, states: ReturnType<typeof sql>): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    WITH st AS MATERIALIZED (${states}),
    sets AS MATERIALIZED (
      SELECT i.id, i.content->'cards' AS cards FROM study_items i
      WHERE i.item_type = 'flashcard' AND i.id IN (SELECT DISTINCT item_id FROM st)
    ),
    cards AS (SELECT sets.id AS item_id, e->>'id' AS card_id FROM sets CROSS JOIN LATERAL jsonb_array_elements(sets.cards) e)
    SELECT count(*)::int AS n FROM st JOIN cards ON cards.item_id = st.item_id AND cards.card_id = st.card_id`.execute(tx);
  return rows[0]?.n ?? 0;
}

export function countDue(tx: Tx, scope: Scope): Promise<number> {
  return countReadable(tx, sql`SELECT s.item_id, s.card_id FROM study_card_states s WHERE ${duePredicate(scope)}`);
}

export function countDueBefore(tx: Tx, before: Date, itemId: string | undefined): Promise<number> {
  return countReadable(
    tx,
    sql`SELECT s.item_id, s.card_id FROM study_card_states s
        WHERE s.user_id = ${me} AND s.due < ${before}${itemId ? sql` AND s.item_id = ${itemId}` : sql``}`,
  );
}

export type NewCardRow = {
  item_id: string;
  item_title: string;
  is_placeholder: boolean;
  card_id: string;
  front: string;
  back: string;
};

/**
 * Cards never rated, in set order (oldest set first). Without an item: the caller's own sets and the sets
 * they have begun (a shared or assigned one they opened); with one: that set, if they can read it.
 */
function newCardsQuery(itemId: string | undefined, limit: number) {
  const sets = itemId
    ? sql`i.id = ${itemId}`
    : sql`(i.user_id = ${me} OR EXISTS (SELECT 1 FROM study_card_states b WHERE b.user_id = ${me} AND b.item_id = i.id))`;
  return sql`
    SELECT i.id AS item_id, i.title AS item_title, i.is_placeholder, e.card->>'id' AS card_id,
           e.card->>'front' AS front, e.card->>'back' AS back
    FROM study_items i
    CROSS JOIN LATERAL jsonb_array_elements(i.content->'cards') WITH ORDINALITY AS e(card, ord)
    WHERE i.item_type = 'flashcard' AND ${sets}
      -- Only sets with a card never rated: a finished set costs one index count, not a probe per card.
      AND jsonb_array_length(i.content->'cards') >
          (SELECT count(*) FROM study_card_states b WHERE b.user_id = ${me} AND b.item_id = i.id)
      AND NOT EXISTS (
        SELECT 1 FROM study_card_states s WHERE s.user_id = ${me} AND s.item_id = i.id AND s.card_id = e.card->>'id'
      )
    ORDER BY i.created_at, i.id, e.ord
    LIMIT ${limit}`;
}

export async function newCards(tx: Tx, itemId: string | undefined, limit: number): Promise<NewCardRow[]> {
  if (limit <= 0) return [];
  const { rows } = await sql<NewCardRow>`${newCardsQuery(itemId, limit)}`.execute(tx);
  return rows;
}

/** How many new cards exist in scope, counting at most `cap`. */
export async function countNew(tx: Tx, itemId: string | undefined, cap: number): Promise<number> {
  if (cap <= 0) return 0;
  const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM (${newCardsQuery(itemId, cap)}) q`.execute(tx);
  return rows[0]?.n ?? 0;
}

/** New cards begun (first rated) since the start of the caller's day. */
export async function newIntroducedSince(tx: Tx, since: Date): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    SELECT count(DISTINCT (item_id, card_id))::int AS n FROM study_review_logs
    WHERE user_id = ${me} AND reviewed_at >= ${since} AND state = 0`.execute(tx);
  return rows[0]?.n ?? 0;
}

export async function reviewedSince(tx: Tx, since: Date): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM study_review_logs WHERE user_id = ${me} AND reviewed_at >= ${since}`.execute(tx);
  return rows[0]?.n ?? 0;
}

/** The start of the caller's day containing `now` and of the next, in the time zone. */
export async function dayBounds(tx: Tx, now: Date, timeZone: string): Promise<{ start: Date; end: Date; today: string }> {
  const { rows } = await sql<{ start: Date; end: Date; today: string }>`
    SELECT date_trunc('day', ${now}::timestamptz AT TIME ZONE ${timeZone}) AT TIME ZONE ${timeZone} AS start,
           (date_trunc('day', ${now}::timestamptz AT TIME ZONE ${timeZone}) + interval '1 day') AT TIME ZONE ${timeZone} AS "end",
           to_char((${now}::timestamptz AT TIME ZONE ${timeZone})::date, 'YYYY-MM-DD') AS today`.execute(tx);
  const row = rows[0];
  if (!row) throw new Error("day bounds");
  return row;
}

/**
 * Runs of consecutive local days with at least one review: the longest, and the one reaching today or
 * yesterday. The review days are found by skipping through the (user_id, reviewed_at) index one day at
 * a time (one probe per day reviewed), not by reading every log: a heavy reviewer has a million rows.
 */
export async function streaks(tx: Tx, today: string, timeZone: string): Promise<{ current: number; best: number }> {
  const { rows } = await sql<{ current: number; best: number }>`
    WITH RECURSIVE days(d, next_start) AS (
      SELECT f.d, (f.d + 1)::timestamp AT TIME ZONE ${timeZone}
      FROM (SELECT (min(reviewed_at) AT TIME ZONE ${timeZone})::date AS d FROM study_review_logs WHERE user_id = ${me}) f
      UNION ALL
      -- The bound is a plain value here, so the probe below is an index condition: under row security a
      -- comparison with a function of the outer row is only a filter (it reads every log).
      SELECT n.d, (n.d + 1)::timestamp AT TIME ZONE ${timeZone}
      FROM days CROSS JOIN LATERAL (
        SELECT (min(l.reviewed_at) AT TIME ZONE ${timeZone})::date AS d FROM study_review_logs l
        WHERE l.user_id = ${me} AND l.reviewed_at >= days.next_start
      ) n
      WHERE days.d IS NOT NULL AND days.d < ${today}::date
    ), grouped AS (
      SELECT d, d - (row_number() OVER (ORDER BY d))::int AS grp FROM days WHERE d IS NOT NULL AND d <= ${today}::date
    ), runs AS (
      SELECT max(d) AS last, count(*)::int AS len FROM grouped GROUP BY grp
    )
    SELECT coalesce(max(len) FILTER (WHERE last >= ${today}::date - 1), 0)::int AS current,
           coalesce(max(len), 0)::int AS best
    FROM runs`.execute(tx);
  return rows[0] ?? { current: 0, best: 0 };
}

export async function profileTimeZone(tx: Tx): Promise<string | null> {
  const row = await tx
    .selectFrom("profiles")
    .select(sql<string | null>`preferences->>'timeZone'`.as("tz"))
    .where("user_id", "=", sql<string>`${me}`)
    .executeTakeFirst();
  return row?.tz ?? null;
}

export type NewCardState = Omit<CardStateRow, "id" | "created_at" | "updated_at">;

/** A new card's row, made before its first rating so the rating can lock it (two tabs, one card). */
export async function insertStateIfMissing(tx: Tx, state: NewCardState): Promise<void> {
  await tx
    .insertInto("study_card_states")
    .values(state)
    .onConflict((oc) => oc.columns(["user_id", "item_id", "card_id"]).doNothing())
    .execute();
}

export function lockState(tx: Tx, userId: string, itemId: string, cardId: string): Promise<CardStateRow | undefined> {
  return tx
    .selectFrom("study_card_states")
    .selectAll()
    .where("user_id", "=", userId)
    .where("item_id", "=", itemId)
    .where("card_id", "=", cardId)
    .forUpdate()
    .executeTakeFirst();
}

export async function updateState(
  tx: Tx,
  id: string,
  patch: Omit<NewCardState, "user_id" | "item_id" | "card_id">,
): Promise<void> {
  await tx.updateTable("study_card_states").set(patch).where("id", "=", id).execute();
}

export function findLog(
  tx: Tx,
  key: { userId: string; sessionId: string; cardId: string; reviewIndex: number },
): Promise<ReviewLogRow | undefined> {
  return tx
    .selectFrom("study_review_logs")
    .selectAll()
    .where("user_id", "=", key.userId)
    .where("session_id", "=", key.sessionId)
    .where("card_id", "=", key.cardId)
    .where("review_index", "=", key.reviewIndex)
    .executeTakeFirst();
}

export type NewLog = Omit<ReviewLogRow, "id" | "created_at">;

export function insertLog(tx: Tx, log: NewLog): Promise<ReviewLogRow> {
  return tx.insertInto("study_review_logs").values(log).returningAll().executeTakeFirstOrThrow();
}

export function sessionLogs(tx: Tx, userId: string, sessionId: string): Promise<ReviewLogRow[]> {
  return tx
    .selectFrom("study_review_logs")
    .selectAll()
    .where("user_id", "=", userId)
    .where("session_id", "=", sessionId)
    .orderBy("reviewed_at")
    .orderBy("review_index")
    .execute();
}

export function findResult(tx: Tx, userId: string, sessionId: string): Promise<FlashcardResultRow | undefined> {
  return tx
    .selectFrom("flashcard_results")
    .selectAll()
    .where("user_id", "=", userId)
    .where("session_id", "=", sessionId)
    .executeTakeFirst();
}

export function insertResult(
  tx: Tx,
  row: Omit<FlashcardResultRow, "id" | "created_at" | "updated_at" | "cards_status"> & { cards_status: unknown[] },
): Promise<FlashcardResultRow | undefined> {
  return tx
    .insertInto("flashcard_results")
    .values({ ...row, cards_status: JSON.stringify(row.cards_status) })
    .onConflict((oc) => oc.columns(["user_id", "session_id"]).doNothing())
    .returningAll()
    .executeTakeFirst();
}
