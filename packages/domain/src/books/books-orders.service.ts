/**
 * Book orders: printed copies of an approved book, paid through Stripe Checkout and printed by the
 * print vendor (Lulu-shaped, `print-vendor.ts`; the local sandbox printer by default).
 *
 * 1. `quote` / `create`: the price is the server's (the book's real page count, the price list in the
 *    schemas); `create` inserts a pending order (the buyer's RLS transaction: only an owner of the
 *    book's campaign may) and opens a Checkout for its total (payments, kind `book_order`).
 * 2. Payment: the `book_order` fulfilment (below, run by payments in the transaction that marks the
 *    payment paid — from the webhook or the return page) moves the order pending → processing and the
 *    book to ordered. A replayed or out-of-order event cannot fulfil twice: payments' event and status
 *    guards, and here the order's own status (only a pending order is paid).
 * 3. Printing (jobs, no transaction held across the printer): `submitPrintJob` claims the row, calls the
 *    printer's cost calculation and creates the print job with signed URLs of the book's interior and cover
 *    PDFs; `pollPrintJob` reads the job and walks the order on — printed, shipped (carrier, tracking),
 *    delivered — one legal step at a time (the database refuses any other, migration 0047).
 */
import { randomInt } from "node:crypto";
import { asSystem, asUser, type Database, type Tx } from "@inkwell/db";
import { files } from "../files/index.ts";
import { type PaymentsDeps, payments } from "../payments/index.ts";
import { DomainError, notFound } from "../platform/errors.ts";
import type { Enqueue, KeyRing, Logger } from "../platform/index.ts";
import { bookForOrder, markBookCompleted } from "./books-orders.books.ts";
import "./books-orders.fulfilment.ts";
import { pollPrintJobJob, submitPrintJobJob } from "./books-orders.jobs.ts";
import * as repo from "./books-orders.repository.ts";
import {
  BOOK_BINDINGS,
  BOOK_SIZES,
  type CreateOrderInput,
  canMove,
  MAX_PRINT_PAGES,
  type OrderQuote,
  type OrderStatus,
  type OrderView,
  podPackageId,
  type QuoteOrderInput,
  quoteOrder,
} from "./books-orders.schemas.ts";
import { type PrintJobState, PrintVendorError, type PrintVendorRuntime } from "./print-vendor.ts";

export interface BookOrdersDeps extends PaymentsDeps {
  /** Whether printing goes to the local sandbox printer (the web labels orders so). */
  printSandbox?: boolean;
}

const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/** INK-XXXX-XXXX from Crockford's base32 (no I, L, O, U): 40 random bits, easy to read out on the phone. */
export function newOrderNumber(): string {
  const part = () => Array.from({ length: 4 }, () => ALPHABET[randomInt(ALPHABET.length)]).join("");
  return `INK-${part()}-${part()}`;
}

const cents = (value: string) => Math.round(Number(value) * 100);

export function toView(row: repo.OrderRow, sandboxPrinter: boolean | null = null): OrderView {
  return {
    id: row.id,
    orderNumber: row.order_number,
    bookId: row.book_id,
    bookTitle: row.book_title,
    quantity: row.quantity,
    options: row.book_options,
    shippingLevel: row.shipping_level,
    shippingAddress: row.shipping_address,
    unitCents: cents(row.unit_price),
    shippingCents: cents(row.shipping_price),
    totalCents: cents(row.total_price),
    currency: row.currency,
    status: row.status,
    statusNote: row.status_note,
    paymentId: row.payment_id,
    printJobId: row.print_job_id,
    sandboxPrinter: row.print_vendor ? row.print_vendor === "sandbox" : sandboxPrinter,
    carrier: row.carrier,
    trackingNumber: row.tracking_number,
    trackingUrl: row.tracking_url,
    estimatedDelivery: row.estimated_delivery,
    orderedAt: row.ordered_at,
    paidAt: row.paid_at,
    printedAt: row.printed_at,
    shippedAt: row.shipped_at,
    deliveredAt: row.delivered_at,
    cancelledAt: row.cancelled_at,
  };
}

/** The book as orders see it, or NOT_FOUND for anyone but an owner of its campaign. */
async function ownedBook(tx: Tx, bookId: string) {
  if (!(await repo.ownsBookCampaign(tx, bookId))) throw notFound("Book");
  return bookForOrder(tx, bookId);
}

/** A book that may be ordered: approved, rendered, within the printer's page count. */
async function orderableBook(tx: Tx, bookId: string) {
  const book = await ownedBook(tx, bookId);
  if (book.status === "draft" || !book.interiorFileId || !book.coverFileId)
    throw new DomainError("PRECONDITION_FAILED", "Approve the book's proof before ordering printed copies.");
  if (book.pageCount > MAX_PRINT_PAGES)
    throw new DomainError("PRECONDITION_FAILED", `The printer binds books of up to ${MAX_PRINT_PAGES} pages.`);
  return book;
}

/**
 * The price of an order, from the book's real page count: what the order form shows and checkout charges.
 * A draft is priced too (at its current length), so owners see what printing will cost while designing.
 */
export async function quote(tx: Tx, input: QuoteOrderInput): Promise<OrderQuote> {
  const book = await ownedBook(tx, input.bookId);
  if (book.pageCount > MAX_PRINT_PAGES)
    throw new DomainError("PRECONDITION_FAILED", `The printer binds books of up to ${MAX_PRINT_PAGES} pages.`);
  return quoteOrder(book.pageCount, input);
}

/** Places a pending order and opens its Checkout; returns where to send the buyer. */
export async function create(deps: BookOrdersDeps, userId: string, input: CreateOrderInput) {
  const placed = await asUser(deps.db, userId, async (tx) => {
    const book = await orderableBook(tx, input.bookId);
    const price = quoteOrder(book.pageCount, input);
    for (let attempt = 0; attempt < 5; attempt++) {
      const orderNumber = newOrderNumber();
      const id = await repo.insertOrder(tx, {
        orderNumber,
        bookId: input.bookId,
        userId,
        quantity: input.quantity,
        options: input.options,
        shippingLevel: input.shippingLevel,
        shippingAddress: input.shippingAddress,
        pageCount: price.printedPages,
        unitCents: price.unitCents,
        shippingCents: price.shippingCents,
        totalCents: price.totalCents,
        currency: price.currency,
      });
      if (id) return { id, orderNumber };
    }
    throw new DomainError("CONFLICT", "Could not number the order; please try again.");
  });
  const checkout = await pay(deps, userId, placed.id);
  return { orderId: placed.id, orderNumber: placed.orderNumber, url: checkout.url };
}

function describe(order: repo.OrderRow): string {
  const size = BOOK_SIZES.find((s) => s.id === order.book_options.size)?.label ?? order.book_options.size;
  const binding = BOOK_BINDINGS.find((b) => b.id === order.book_options.binding)?.label ?? order.book_options.binding;
  const copies = `${order.quantity} ${order.quantity === 1 ? "copy" : "copies"}`;
  return `${order.order_number}: ${copies} of “${order.book_title ?? "your book"}”, ${binding.toLowerCase()} ${size}`.slice(
    0,
    200,
  );
}

/**
 * Opens a Checkout for a pending order (again, when the last one expired or was abandoned). Refused while
 * the order's current checkout may still be paid, so one order never has two payable sessions.
 */
export async function pay(deps: BookOrdersDeps, userId: string, orderId: string) {
  const order = await asUser(deps.db, userId, (tx) => repo.findOrder(tx, orderId));
  if (!order) throw notFound("Order");
  if (order.status !== "pending") throw new DomainError("PRECONDITION_FAILED", "This order is already paid.");
  // A new checkout only for the book as it was priced: one redesigned since would be paid at the old price.
  const still = await asUser(deps.db, userId, async (tx) => {
    const book = await orderableBook(tx, order.book_id).catch(() => null);
    return (
      book !== null &&
      quoteOrder(book.pageCount, { options: order.book_options, quantity: order.quantity, shippingLevel: order.shipping_level })
        .printedPages === order.page_count
    );
  });
  if (!still)
    throw new DomainError("PRECONDITION_FAILED", "The book changed after this order was placed; please place a new order.");
  if (order.payment_id) {
    const current = await payments.get(deps, userId, order.payment_id);
    if (current.status === "paid") throw new DomainError("PRECONDITION_FAILED", "This order is already paid.");
    if (current.status === "pending")
      throw new DomainError(
        "PRECONDITION_FAILED",
        "A payment page for this order is still open; finish it or wait for it to expire.",
      );
  }
  const checkout = await payments.createCheckout(deps, userId, {
    kind: "book_order",
    referenceId: order.id,
    description: describe(order),
    amountCents: cents(order.total_price),
    currency: order.currency,
    returnPath: `/orders/${order.id}`,
  });
  const won = await asSystem(deps.db, (tx) => repo.setPayment(tx, order.id, checkout.paymentId, order.payment_id));
  // Another request opened a checkout for this order meanwhile: this one's page is never handed out (no
  // one can pay it) and Stripe expires it, so the order is paid at most once.
  if (!won) throw new DomainError("CONFLICT", "A payment page for this order was just opened; use that one or reload the order.");
  return checkout;
}

/**
 * One order for its buyer. A pending order whose checkout was paid is settled here too (payments asks
 * Stripe, so a late webhook never leaves the buyer waiting), and a paid order not yet at the printer is
 * sent on its way.
 */
export async function get(deps: BookOrdersDeps, userId: string, orderId: string): Promise<OrderView> {
  const load = () => asUser(deps.db, userId, (tx) => repo.findOrder(tx, orderId));
  let order = await load();
  if (!order) throw notFound("Order");
  if (order.status === "pending" && order.payment_id) {
    const payment = await payments.get(deps, userId, order.payment_id);
    if (payment.status === "paid") order = (await load()) ?? order;
  }
  if (order.status === "processing" && !order.print_job_id && !order.submit_started_at) {
    const id = order.id;
    await asUser(deps.db, userId, (tx) => deps.enqueue(tx, submitPrintJobJob, { orderId: id }, { singletonKey: `submit:${id}` }));
  }
  return toView(order, deps.printSandbox ?? null);
}

export async function list(
  tx: Tx,
  userId: string,
  input: { bookId?: string | undefined; limit: number },
  sandbox: boolean | null = null,
) {
  return (await repo.listOrders(tx, userId, input)).map((r) => toView(r, sandbox));
}

// ——— the printer's side (jobs) ———

export interface PrintDeps {
  db: Database;
  printVendor: PrintVendorRuntime;
  keyRing: KeyRing;
  enqueue: Enqueue;
  log: Logger;
}

/** A claimed submission older than this was interrupted mid-call (the process died); see `submitPrintJob`. */
const CLAIM_MS = 10 * 60_000;
/** How long the printer may download our files: its queue can hold a job for days before printing. */
const FILE_URL_TTL_SECONDS = 14 * 86_400;
const POLL_SHIPPED_FOR_MS = 30 * 86_400_000;

function printAddress(order: repo.OrderRow) {
  const a = order.shipping_address;
  return {
    name: a.name,
    street1: a.street1,
    street2: a.street2,
    city: a.city,
    state_code: a.stateCode,
    postcode: a.postcode,
    country_code: a.countryCode,
    phone_number: a.phone,
    email: a.email,
  };
}

/** Whether the book is still the one the order priced: approved and frozen by a payment, at the same length. */
function orderedVersion(book: { status: string; pageCount: number }, order: repo.OrderRow): boolean {
  if (book.status !== "ordered" && book.status !== "completed") return false;
  const pages = quoteOrder(book.pageCount, {
    options: order.book_options,
    quantity: order.quantity,
    shippingLevel: order.shipping_level,
  }).printedPages;
  return pages === order.page_count;
}

export type SubmitOutcome = "submitted" | "skipped" | "interrupted" | "refused";

/**
 * Sends one paid order to the printer. The row is claimed (`submit_started_at`) in a short transaction,
 * the printer is called with none open, and the job id saved in another. A retryable failure releases
 * the claim and throws (the job retries with backoff); a refusal is noted on the order for support. A
 * claim found stale means a run died between the printer's answer and our save: the printer may hold a
 * job for it, so it is not sent again blindly (a second print job would print and ship twice) — the order
 * is noted and logged for support to reconcile.
 */
export async function submitPrintJob(deps: PrintDeps, orderId: string): Promise<SubmitOutcome> {
  const claimed = await asSystem(deps.db, async (tx) => {
    const order = await repo.lockOrder(tx, orderId);
    if (order?.status !== "processing" || order.print_job_id) return { kind: "skipped" as const };
    if (order.submit_started_at) {
      if (Date.now() - order.submit_started_at.getTime() < CLAIM_MS) return { kind: "skipped" as const };
      await repo.updateOrder(tx, orderId, {
        status_note: "Sending to the printer was interrupted; our support team is checking with the printer.",
      });
      return { kind: "interrupted" as const };
    }
    const book = await bookForOrder(tx, order.book_id);
    if (!book?.interiorFileId || !book.coverFileId) {
      await repo.updateOrder(tx, orderId, {
        submit_started_at: new Date(),
        status_note: "The book's print files are missing; our support team will contact you.",
      });
      return { kind: "refused" as const };
    }
    // Only the approved design frozen by the payment (ordered/completed) is printed, and only at the length
    // paid for: a book redesigned while the checkout was open has files the buyer never saw nor paid for.
    // The claim is kept so no later run prints it; support refunds or reorders.
    if (!orderedVersion(book, order)) {
      await repo.updateOrder(tx, orderId, {
        submit_started_at: new Date(),
        status_note: "The book changed after this order was placed; our support team will contact you.",
      });
      return { kind: "refused" as const };
    }
    await repo.updateOrder(tx, orderId, { submit_started_at: new Date() });
    return { kind: "claimed" as const, order, interiorFileId: book.interiorFileId, coverFileId: book.coverFileId };
  });
  if (claimed.kind === "interrupted") {
    deps.log.error({ orderId }, "books: a print submission was interrupted; check the printer for a job with this external id");
    return "interrupted";
  }
  if (claimed.kind !== "claimed") return claimed.kind;

  const { order } = claimed;
  const vendor = deps.printVendor;
  const url = (fileId: string) =>
    `${vendor.filesBaseUrl.replace(/\/+$/, "")}${files.signedUrl(deps, { id: fileId }, FILE_URL_TTL_SECONDS)}`;
  const pod = podPackageId(order.book_options);
  const address = printAddress(order);
  let cost: { totalExclTax: string };
  let job: PrintJobState;
  let creating = false;
  try {
    cost = await vendor.client.costCalculation({
      line_items: [{ page_count: order.page_count, pod_package_id: pod, quantity: order.quantity }],
      shipping_address: address,
      shipping_option: order.shipping_level,
    });
    creating = true;
    job = await vendor.client.createPrintJob({
      external_id: order.order_number,
      contact_email: vendor.contactEmail,
      shipping_level: order.shipping_level,
      shipping_address: address,
      line_items: [
        {
          external_id: order.id,
          title: (order.book_title ?? "Book").slice(0, 255),
          quantity: order.quantity,
          page_count: order.page_count,
          pod_package_id: pod,
          interior_url: url(claimed.interiorFileId),
          cover_url: url(claimed.coverFileId),
        },
      ],
    });
  } catch (error) {
    const refused = error instanceof PrintVendorError && !error.retryable;
    if (refused) {
      // The claim stays: neither the sweep nor a return visit sends it again until support has looked.
      deps.log.error({ err: error, orderId }, "books: the printer refused a print job");
      await asSystem(deps.db, (tx) =>
        repo.updateOrder(tx, orderId, { status_note: "The printer refused the order; our support team will contact you." }),
      );
      return "refused";
    }
    if (creating && error instanceof PrintVendorError && error.mayHaveActed) {
      // The printer may hold a job for this order although its answer never came (a timeout, a gateway's
      // 502): sending it again could print and ship twice. The claim stays, as for a run that died here.
      deps.log.error(
        { err: error, orderId },
        "books: a print job may have been created without its answer; check the printer for a job with this external id",
      );
      await asSystem(deps.db, (tx) =>
        repo.updateOrder(tx, orderId, {
          status_note: "Sending to the printer was interrupted; our support team is checking with the printer.",
        }),
      );
      return "interrupted";
    }
    await asSystem(deps.db, (tx) => repo.updateOrder(tx, orderId, { submit_started_at: null }));
    throw error;
  }
  await asSystem(deps.db, async (tx) => {
    const locked = await repo.lockOrder(tx, orderId);
    if (!locked) return;
    await repo.updateOrder(tx, orderId, {
      print_vendor: vendor.sandbox ? "sandbox" : "lulu",
      print_job_id: job.id,
      vendor_cost: Number(cost.totalExclTax).toFixed(2),
      status_note: null,
      last_polled_at: new Date(),
    });
    await applyVendorState(tx, { ...locked, print_job_id: job.id }, job);
    await deps.enqueue(tx, pollPrintJobJob, { orderId }, { startAfter: vendor.pollSeconds });
  });
  return "submitted";
}

const VENDOR_TARGET: Record<PrintJobState["status"], OrderStatus | "cancelled"> = {
  CREATED: "processing",
  UNPAID: "processing",
  PAYMENT_IN_PROGRESS: "processing",
  PRODUCTION_DELAYED: "processing",
  PRODUCTION_READY: "processing",
  IN_PRODUCTION: "processing",
  SHIPPED: "shipped",
  DELIVERED: "delivered",
  REJECTED: "cancelled",
  CANCELED: "cancelled",
};
const PATH: OrderStatus[] = ["pending", "processing", "printed", "shipped", "delivered"];

/**
 * Moves an order to where the printer says it is, one legal step at a time (a job found already shipped
 * passes through printed, each step with its time), and never backwards: a status the order is past is
 * ignored. Returns whether the order is finished.
 */
export async function applyVendorState(tx: Tx, order: repo.OrderRow, state: PrintJobState): Promise<boolean> {
  const target = VENDOR_TARGET[state.status];
  await repo.updateOrder(tx, order.id, {
    vendor_status: state.status,
    last_polled_at: new Date(),
    ...(state.estimatedDelivery ? { estimated_delivery: state.estimatedDelivery } : {}),
  });
  let status = order.status;
  if (target === "cancelled") {
    if (canMove(status, "cancelled")) {
      await repo.updateOrder(tx, order.id, {
        status: "cancelled",
        status_note:
          `The printer could not print this order${state.message ? `: ${state.message}` : ""}. Our support team will refund you.`.slice(
            0,
            300,
          ),
      });
      return true;
    }
    return status === "delivered";
  }
  const from = PATH.indexOf(status);
  const to = PATH.indexOf(target);
  for (let i = from + 1; i <= to; i++) {
    const next = PATH[i] as OrderStatus;
    if (!canMove(status, next)) break;
    await repo.updateOrder(tx, order.id, {
      status: next,
      ...(next === "shipped"
        ? { carrier: state.carrier, tracking_number: state.trackingNumber, tracking_url: state.trackingUrl }
        : {}),
    });
    status = next;
  }
  if (state.status === "PRODUCTION_DELAYED" && state.message)
    await repo.updateOrder(tx, order.id, { status_note: `Printing is delayed: ${state.message}`.slice(0, 300) });
  if (status === "shipped" && !order.tracking_number && state.trackingNumber)
    await repo.updateOrder(tx, order.id, {
      carrier: state.carrier,
      tracking_number: state.trackingNumber,
      tracking_url: state.trackingUrl,
    });
  if (status === "delivered" && order.status !== "delivered") {
    // The book's own step must not hold the order back: a delivery that throws here would roll back and be
    // polled again forever, the buyer's order stuck at shipped.
    try {
      await markBookCompleted(tx, order.book_id);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
    }
  }
  return status === "delivered";
}

export type PollOutcome = "finished" | "waiting" | "skipped";

/** Reads one order's print job from the printer and applies it; schedules the next look while unfinished. */
export async function pollPrintJob(deps: Omit<PrintDeps, "keyRing">, orderId: string): Promise<PollOutcome> {
  const order = await asSystem(deps.db, (tx) => repo.findOrder(tx, orderId));
  if (!order?.print_job_id || !["processing", "printed", "shipped"].includes(order.status)) return "skipped";
  const jobId = order.print_job_id;
  const state = await deps.printVendor.client.getPrintJob(jobId);
  return asSystem(deps.db, async (tx) => {
    const locked = await repo.lockOrder(tx, orderId);
    if (!locked || locked.print_job_id !== jobId) return "skipped";
    const finished = await applyVendorState(tx, locked, state);
    // Lulu's jobs end at SHIPPED (delivery is the carrier's): a shipped order is looked at for a month, then left.
    const stale = locked.shipped_at && Date.now() - locked.shipped_at.getTime() > POLL_SHIPPED_FOR_MS;
    if (finished || stale) return "finished";
    await deps.enqueue(tx, pollPrintJobJob, { orderId }, { startAfter: deps.printVendor.pollSeconds });
    return "waiting";
  });
}

/** The minute sweep: paid orders never submitted, and submitted ones not looked at for a while. */
export async function sweepPrintJobs(deps: { db: Database; enqueue: Enqueue }, now = new Date()) {
  return asSystem(deps.db, async (tx) => {
    const toSubmit = await repo.ordersToSubmit(tx, 50);
    const toPoll = await repo.ordersToPoll(
      tx,
      new Date(now.getTime() - CLAIM_MS),
      new Date(now.getTime() - POLL_SHIPPED_FOR_MS),
      50,
    );
    for (const orderId of toSubmit) await deps.enqueue(tx, submitPrintJobJob, { orderId }, { singletonKey: `submit:${orderId}` });
    for (const orderId of toPoll) await deps.enqueue(tx, pollPrintJobJob, { orderId });
    return { submitted: toSubmit.length, polled: toPoll.length };
  });
}
