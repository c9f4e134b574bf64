/**
 * Newest-first keyset pagination. The cursor (the last row's time and id) travels to the browser and
 * back as JSON, where a Date keeps milliseconds; Postgres keeps microseconds. Ordering and comparing
 * at millisecond precision is what keeps pages from skipping (or repeating) rows that share a
 * millisecond — e.g. several ledger entries written in one transaction.
 */
import { sql } from "kysely";

export interface TimeCursor {
  at: Date;
  id: string;
}

export function newestFirst(timeColumn: string, idColumn: string) {
  const ms = sql<Date>`date_trunc('milliseconds', ${sql.ref(timeColumn)})`;
  return {
    /** ORDER BY this DESC, then the id DESC. */
    order: ms,
    /** Rows strictly after the cursor in that order. */
    before: (cursor: TimeCursor) => sql<boolean>`(${ms}, ${sql.ref(idColumn)}) < (${cursor.at}::timestamptz, ${cursor.id}::uuid)`,
  };
}
