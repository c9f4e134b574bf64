/**
 * "Load more" over the API's keyset pagination (`cursor: { createdAt, id }` of the last row, newest
 * first).
 *
 * The cursor's time travels as JSON, i.e. in milliseconds, while PostgreSQL keeps microseconds. Rows
 * in the same millisecond as the last row of a page (several ledger entries written by one
 * transaction share `now()`) compare as neither "before" nor "equal" to the truncated cursor and the
 * server would skip them. So the next page starts one millisecond *after* the last row — the overlap
 * comes back again and is dropped here by id. Only if a whole page is overlap (more rows in one
 * millisecond than a page holds) does it fall back to the exact cursor, so paging always moves on.
 */

interface Row {
  id: string;
  createdAt: string;
}

export interface Cursor {
  createdAt: string;
  id: string;
}

export function nextCursor<T extends Row>(lastPage: T[], allPages: T[][], pageSize: number): Cursor | undefined {
  if (lastPage.length < pageSize) return undefined;
  const last = lastPage.at(-1);
  if (!last) return undefined;
  const seenBefore = new Set(allPages.slice(0, -1).flatMap((page) => page.map((row) => row.id)));
  const broughtNew = lastPage.some((row) => !seenBefore.has(row.id));
  if (!broughtNew) return { createdAt: last.createdAt, id: last.id };
  return { createdAt: new Date(new Date(last.createdAt).getTime() + 1).toISOString(), id: last.id };
}

/** The pages as one list, each row once. */
export function uniqueRows<T extends { id: string }>(pages: T[][] | undefined): T[] {
  const seen = new Set<string>();
  const rows: T[] = [];
  for (const page of pages ?? []) {
    for (const row of page) {
      if (seen.has(row.id)) continue;
      seen.add(row.id);
      rows.push(row);
    }
  }
  return rows;
}
