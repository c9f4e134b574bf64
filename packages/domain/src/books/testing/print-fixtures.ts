/** Fixture rows for sweeps that have no book to render or checkout to run (the owner's own transaction). */
import type { Tx } from "@inkwell/db";
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
