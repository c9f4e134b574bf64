/** The only SQL of book orders (table `book_orders`, migrations 0046–0047). */
import type { Tx } from "@inkwell/db";
import { sql } from "kysely";
import type { BookOptions, OrderStatus, ShippingAddress, ShippingLevel } from "./books-orders.schemas.ts";

const COLUMNS = [
  "o.id",
  "o.order_number",
  "o.book_id",
  "o.user_id",
  "o.quantity",
  "o.book_options",
  "o.shipping_level",
  "o.shipping_address",
  "o.page_count",
  "o.unit_price",
  "o.shipping_price",
  "o.total_price",
  "o.currency",
  "o.status",
  "o.status_note",
  "o.payment_id",
  "o.print_vendor",
  "o.print_job_id",
  "o.vendor_status",
  "o.submit_started_at",
  "o.carrier",
  "o.tracking_number",
  "o.tracking_url",
  "o.ordered_at",
  "o.paid_at",
  "o.printed_at",
  "o.shipped_at",
  "o.delivered_at",
  "o.cancelled_at",
] as const;

export interface OrderRow {
  id: string;
  order_number: string;
  book_id: string;
  user_id: string;
  quantity: number;
  book_options: BookOptions;
  shipping_level: ShippingLevel;
  shipping_address: ShippingAddress;
  page_count: number;
  unit_price: string;
  shipping_price: string;
  total_price: string;
  currency: string;
  status: OrderStatus;
  status_note: string | null;
  payment_id: string | null;
  print_vendor: string | null;
  print_job_id: string | null;
  vendor_status: string | null;
  submit_started_at: Date | null;
  carrier: string | null;
  tracking_number: string | null;
  tracking_url: string | null;
  estimated_delivery: string | null;
  ordered_at: Date;
  paid_at: Date | null;
  printed_at: Date | null;
  shipped_at: Date | null;
  delivered_at: Date | null;
  cancelled_at: Date | null;
  book_title: string | null;
}

function select(tx: Tx) {
  return tx
    .selectFrom("book_orders as o")
    .leftJoin("books as b", "b.id", "o.book_id")
    .select(COLUMNS)
    .select([sql<string | null>`to_char(o.estimated_delivery, 'YYYY-MM-DD')`.as("estimated_delivery"), "b.title as book_title"]);
}

const row = (r: unknown) => r as OrderRow;

/** Whether the caller owns the book's campaign (RLS: the books they can see, the owners' campaigns). */
export async function ownsBookCampaign(tx: Tx, bookId: string): Promise<boolean> {
  const found = await tx
    .selectFrom("books")
    .select("id")
    .where("id", "=", bookId)
    .where(sql<boolean>`campaign_id IN (SELECT app.campaigns_with_role(ARRAY['owner']))`)
    .executeTakeFirst();
  return Boolean(found);
}

export interface NewOrder {
  orderNumber: string;
  bookId: string;
  userId: string;
  quantity: number;
  options: BookOptions;
  shippingLevel: ShippingLevel;
  shippingAddress: ShippingAddress;
  pageCount: number;
  unitCents: number;
  shippingCents: number;
  totalCents: number;
  currency: string;
}

const dollars = (cents: number) => (cents / 100).toFixed(2);

/** Inserts the order; null when the order number is taken (the caller draws another). */
export async function insertOrder(tx: Tx, o: NewOrder): Promise<string | null> {
  const inserted = await tx
    .insertInto("book_orders")
    .values({
      order_number: o.orderNumber,
      book_id: o.bookId,
      user_id: o.userId,
      quantity: o.quantity,
      book_options: JSON.stringify(o.options),
      shipping_level: o.shippingLevel,
      shipping_address: JSON.stringify(o.shippingAddress),
      page_count: o.pageCount,
      unit_price: dollars(o.unitCents),
      shipping_price: dollars(o.shippingCents),
      total_price: dollars(o.totalCents),
      currency: o.currency,
    })
    .onConflict((c) => c.column("order_number").doNothing())
    .returning("id")
    .executeTakeFirst();
  return inserted?.id ?? null;
}

export async function findOrder(tx: Tx, id: string): Promise<OrderRow | undefined> {
  const r = await select(tx).where("o.id", "=", id).executeTakeFirst();
  return r ? row(r) : undefined;
}

export async function lockOrder(tx: Tx, id: string): Promise<OrderRow | undefined> {
  const r = await select(tx).where("o.id", "=", id).forUpdate("o").executeTakeFirst();
  return r ? row(r) : undefined;
}

export async function listOrders(tx: Tx, userId: string, opts: { bookId?: string | undefined; limit: number }) {
  let q = select(tx).where("o.user_id", "=", userId);
  if (opts.bookId) q = q.where("o.book_id", "=", opts.bookId);
  const rows = await q.orderBy("o.ordered_at", "desc").orderBy("o.id", "desc").limit(opts.limit).execute();
  return rows.map(row);
}

/**
 * Points a pending order at its new checkout, only if its payment is still the one the caller saw
 * (`previous`): of two checkouts opened at once, one wins and the other's page is never handed out.
 */
export async function setPayment(tx: Tx, id: string, paymentId: string, previous: string | null): Promise<boolean> {
  const updated = await tx
    .updateTable("book_orders")
    .set({ payment_id: paymentId })
    .where("id", "=", id)
    .where("status", "=", "pending")
    .where((eb) => (previous ? eb("payment_id", "=", previous) : eb("payment_id", "is", null)))
    .returning("id")
    .executeTakeFirst();
  return Boolean(updated);
}

export interface OrderChange {
  status?: OrderStatus;
  status_note?: string | null;
  print_vendor?: string;
  print_job_id?: string;
  vendor_status?: string;
  vendor_cost?: string;
  submit_started_at?: Date | null;
  last_polled_at?: Date;
  carrier?: string | null;
  tracking_number?: string | null;
  tracking_url?: string | null;
  estimated_delivery?: string | null;
}

export async function updateOrder(tx: Tx, id: string, change: OrderChange): Promise<void> {
  await tx.updateTable("book_orders").set(change).where("id", "=", id).execute();
}

/** Paid orders never sent to the printer (no submission started), oldest first. */
export async function ordersToSubmit(tx: Tx, limit: number): Promise<string[]> {
  const rows = await tx
    .selectFrom("book_orders")
    .select("id")
    .where("status", "=", "processing")
    .where("print_job_id", "is", null)
    .where("submit_started_at", "is", null)
    .orderBy("paid_at")
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}

/**
 * Orders at the printer, not finished, whose status was last checked before `polledBefore` (their own
 * chain of checks broke); shipped ones only until `shippedAfter` (Lulu's jobs end at SHIPPED).
 */
export async function ordersToPoll(tx: Tx, polledBefore: Date, shippedAfter: Date, limit: number): Promise<string[]> {
  const rows = await tx
    .selectFrom("book_orders")
    .select("id")
    .where("status", "in", ["processing", "printed", "shipped"])
    .where("print_job_id", "is not", null)
    .where((eb) => eb.or([eb("last_polled_at", "is", null), eb("last_polled_at", "<", polledBefore)]))
    .where((eb) => eb.or([eb("shipped_at", "is", null), eb("shipped_at", ">", shippedAfter)]))
    .orderBy("last_polled_at")
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}
