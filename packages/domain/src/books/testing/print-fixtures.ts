/** Fixture rows for sweeps that have no book to render or checkout to run (the owner's own transaction). */
import type { Tx } from "@inkwell/db";
import { files, type Storage } from "../../files/index.ts";
import { newOrderNumber } from "../books-orders.service.ts";

/** A draft book in the owner's campaign and a pending order of it, written as the owner (RLS applies). */
export async function insertFixtureBookOrder(
  tx: Tx,
  userId: string,
  campaignId: string,
): Promise<{ bookId: string; orderId: string }> {
  const book = await tx
    .insertInto("books")
    .values({ campaign_id: campaignId, user_id: userId, title: "Fixture book", page_count: 40 })
    .returning("id")
    .executeTakeFirstOrThrow();
  const order = await tx
    .insertInto("book_orders")
    .values({
      order_number: newOrderNumber(),
      book_id: book.id,
      user_id: userId,
      quantity: 1,
      book_options: JSON.stringify({ size: "6x9", binding: "paperback", paper: "standard" }),
      shipping_level: "MAIL",
      shipping_address: JSON.stringify({
        name: "Fixture Person",
        street1: "1 Main St",
        city: "Springfield",
        stateCode: "IL",
        postcode: "62701",
        countryCode: "US",
        phone: "+1 555 0100",
      }),
      page_count: 40,
      unit_price: "5.70",
      shipping_price: "5.99",
      total_price: "11.69",
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return { bookId: book.id, orderId: order.id };
}

/** A one-page PDF (enough for a file's sniffed type and a printer's "is it a PDF" check). */
export const FIXTURE_PDF = new TextEncoder().encode(
  "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n" +
    "3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 432 648]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n",
);

/**
 * An approved book ready to order, as the render would leave it (interior and cover PDFs stored as the
 * owner's files), written as the owner: for order tests that do not exercise the designer.
 */
export async function insertFixtureApprovedBook(
  deps: { storage: Storage },
  tx: Tx,
  userId: string,
  campaignId: string,
  options: { title?: string; pageCount?: number } = {},
): Promise<{ bookId: string; interiorFileId: string; coverFileId: string }> {
  const pdf = (purpose: string, filename: string) =>
    files.store(deps, tx, userId, { purpose, filename, bytes: FIXTURE_PDF, allowed: ["pdf"], maxBytes: 1024 * 1024 });
  const interior = await pdf("book_interior", "interior.pdf");
  const cover = await pdf("book_cover", "cover.pdf");
  const now = new Date();
  const book = await tx
    .insertInto("books")
    .values({
      campaign_id: campaignId,
      user_id: userId,
      title: options.title ?? "Grandma's stories",
      status: "ready_to_order",
      page_count: options.pageCount ?? 48,
      render_status: "done",
      rendered_at: now,
      rendered_version: 1,
      interior_file_id: interior.id,
      cover_file_id: cover.id,
      approved_at: now,
      approved_version: 1,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return { bookId: book.id, interiorFileId: interior.id, coverFileId: cover.id };
}
