/**
 * What a paid `book_order` payment delivers, registered with payments (which never imports books). Both
 * run in the system transaction that changes the payment's status, so the order and the payment move
 * together or not at all.
 */
import { type Fulfilment, registerFulfilment } from "../payments/index.ts";
import { DomainError } from "../platform/errors.ts";
import { markBookOrdered } from "./books-orders.books.ts";
import * as repo from "./books-orders.repository.ts";

type Payment = Parameters<Fulfilment["fulfil"]>[1];

const cents = (value: string) => Math.round(Number(value) * 100);
/** The service's claim on a submission (CLAIM_MS in books-orders.service.ts): older is no longer in flight. */
const SUBMIT_CLAIM_MS = 10 * 60_000;

registerFulfilment("book_order", {
  async fulfil(tx, payment: Payment) {
    const order = await repo.lockOrder(tx, payment.reference_id);
    if (!order || order.user_id !== payment.user_id) return "No order for this payment; nothing delivered";
    // The order's own guard against paying twice (a second checkout, a replay payments let through).
    if (order.status !== "pending") return `Order ${order.order_number} was already paid`;
    if (cents(order.total_price) !== payment.amount_cents || order.currency !== payment.currency)
      return `Order ${order.order_number}: the amount paid differs from its price; not sent to print`;
    await repo.updateOrder(tx, order.id, { status: "processing" });
    // The book froze (ordered) when it was paid for; one changed back to a draft since the order was placed
    // is still printed from the files it had, and the line says so for support (the order is paid either way).
    try {
      await markBookOrdered(tx, order.book_id);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      return `Order ${order.order_number} paid; printing next (the book was no longer approved: ${error.message})`;
    }
    return `Order ${order.order_number} paid; printing next`;
  },
  async refund(tx, payment: Payment) {
    const order = await repo.lockOrder(tx, payment.reference_id);
    if (!order) return "Refunded; no order";
    // Not yet at the printer: the order is cancelled. Once printing, the copies exist; the refund stands alone.
    // An order held for support (a refused or interrupted submission: its claim kept, a note set) is not at the
    // printer either; only a submission in flight right now (a fresh claim, no note) may still become a job.
    const inFlight =
      order.submit_started_at !== null &&
      order.status_note === null &&
      Date.now() - order.submit_started_at.getTime() < SUBMIT_CLAIM_MS;
    if ((order.status === "pending" || order.status === "processing") && !order.print_job_id && !inFlight) {
      await repo.updateOrder(tx, order.id, { status: "cancelled", status_note: "Cancelled: the payment was refunded." });
      return `Refunded; order ${order.order_number} cancelled`;
    }
    return `Refunded; order ${order.order_number} was already ${order.status === "pending" ? "unpaid" : "at the printer"}`;
  },
});
