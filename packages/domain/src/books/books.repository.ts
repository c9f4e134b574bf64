/** The only SQL of the books (in the caller's RLS transaction, or the system's for orders). */
import type { Tables, Tx } from "@inkwell/db";
import { type Insertable, type Selectable, sql, type Updateable } from "kysely";

export type BookRow = Selectable<Tables.Books>;
export type BookPatch = Updateable<Tables.Books>;

export function insertBook(tx: Tx, book: Insertable<Tables.Books>): Promise<BookRow> {
  return tx.insertInto("books").values(book).returningAll().executeTakeFirstOrThrow();
}

export function findBook(tx: Tx, bookId: string, options: { lock?: boolean } = {}): Promise<BookRow | undefined> {
  const q = tx.selectFrom("books").selectAll().where("id", "=", bookId);
  return (options.lock ? q.forUpdate() : q).executeTakeFirst();
}

export function listBooks(tx: Tx, campaignId: string): Promise<BookRow[]> {
  return tx
    .selectFrom("books")
    .selectAll()
    .where("campaign_id", "=", campaignId)
    .orderBy("created_at", "desc")
    .orderBy("id")
    .limit(200)
    .execute();
}

export function updateBook(tx: Tx, bookId: string, patch: BookPatch): Promise<BookRow | undefined> {
  return tx.updateTable("books").set(patch).where("id", "=", bookId).returningAll().executeTakeFirst();
}

/** A design change: the version moves on and an approval of the previous design no longer holds. */
export function changeDesign(tx: Tx, bookId: string, patch: BookPatch): Promise<BookRow | undefined> {
  return tx
    .updateTable("books")
    .set({
      ...patch,
      design_version: sql<number>`design_version + 1`,
      status: "draft",
      approved_at: null,
      approved_version: null,
      // A render of the previous design is dropped by its job; none is pending for this one.
      render_status: sql<string>`CASE WHEN render_status = 'rendering' THEN 'none' ELSE render_status END`,
    })
    .where("id", "=", bookId)
    .where("status", "in", ["draft", "ready_to_order"])
    .returningAll()
    .executeTakeFirst();
}

/** The render's results, saved only if the design is still the one rendered (else undefined). */
export function saveRender(tx: Tx, bookId: string, version: number, patch: BookPatch): Promise<BookRow | undefined> {
  return tx
    .updateTable("books")
    .set(patch)
    .where("id", "=", bookId)
    .where("design_version", "=", version)
    .where("status", "in", ["draft", "ready_to_order"])
    .returningAll()
    .executeTakeFirst();
}

export function deleteBook(tx: Tx, bookId: string): Promise<BookRow | undefined> {
  return tx.deleteFrom("books").where("id", "=", bookId).returningAll().executeTakeFirst();
}

/** Moves a book from one status to the next; undefined when it was not in `from`. */
export function moveStatus(tx: Tx, bookId: string, from: string, to: string): Promise<BookRow | undefined> {
  return tx
    .updateTable("books")
    .set({ status: to })
    .where("id", "=", bookId)
    .where("status", "=", from)
    .returningAll()
    .executeTakeFirst();
}
