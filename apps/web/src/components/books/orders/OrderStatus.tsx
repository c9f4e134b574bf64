/**
 * Where an order stands: the steps from order to door, each with its time once reached, the carrier and
 * tracking once shipped, and the printer's note (a delay, a cancellation). Orders sent to the local
 * sandbox printer say so: nothing was printed and the tracking is made up.
 */
import type { OrderView } from "@inkwell/domain/books/orders/schemas";
import { formatDate, formatDateTime } from "../../../lib/format.ts";
import s from "./orders.module.css";

type When = string | Date;
/** The fields the steps show (dates arrive as strings over the wire). */
interface Order {
  status: OrderView["status"];
  statusNote: string | null;
  sandboxPrinter: boolean | null;
  carrier: string | null;
  trackingNumber: string | null;
  trackingUrl: string | null;
  estimatedDelivery: string | null;
  orderedAt: When;
  paidAt: When | null;
  printedAt: When | null;
  shippedAt: When | null;
  deliveredAt: When | null;
  cancelledAt: When | null;
}

export const STATUS_LABELS = {
  pending: "Waiting for payment",
  processing: "Paid, at the printer",
  printed: "Printed",
  shipped: "Shipped",
  delivered: "Delivered",
  cancelled: "Cancelled",
} as const;

export function OrderSteps({ order }: { order: Order }) {
  const steps = [
    { label: "Ordered", at: order.orderedAt },
    { label: "Paid", at: order.paidAt },
    { label: "Printed", at: order.printedAt },
    { label: "Shipped", at: order.shippedAt },
    { label: "Delivered", at: order.deliveredAt },
  ];
  return (
    <section className="card stack" aria-labelledby="progress-heading">
      <h2 id="progress-heading">Progress</h2>
      <p role="status" data-role="order-status" data-status={order.status}>
        <span
          className={`badge badge-status ${order.status === "cancelled" ? "badge-danger" : order.status === "delivered" ? "badge-success" : ""}`}
        >
          {STATUS_LABELS[order.status]}
        </span>
      </p>
      {order.statusNote && <p className="alert alert-warning small">{order.statusNote}</p>}
      <ol className={s.steps}>
        {steps.map((step) => (
          <li key={step.label} className={s.step} data-done={step.at ? "" : undefined}>
            <span className={s.dot} aria-hidden="true" />
            <span>
              <strong>{step.label}</strong>
              {step.at ? (
                <>
                  {" "}
                  <time dateTime={new Date(step.at).toISOString()}>{formatDateTime(step.at)}</time>
                </>
              ) : (
                <span className="visually-hidden"> (not yet)</span>
              )}
            </span>
          </li>
        ))}
        {order.cancelledAt && (
          <li className={s.step} data-done="">
            <span className={s.dot} aria-hidden="true" />
            <span>
              <strong>Cancelled</strong>{" "}
              <time dateTime={new Date(order.cancelledAt).toISOString()}>{formatDateTime(order.cancelledAt)}</time>
            </span>
          </li>
        )}
      </ol>
      {order.trackingNumber && (
        <div className={s.tracking} data-role="order-tracking">
          <h3>Tracking</h3>
          <p>
            {order.carrier ?? "Carrier"}: <strong>{order.trackingNumber}</strong>
            {order.trackingUrl && (
              <>
                {" · "}
                <a href={order.trackingUrl} target="_blank" rel="noreferrer noopener">
                  Track the parcel
                </a>
              </>
            )}
          </p>
          {order.estimatedDelivery && order.status !== "delivered" && (
            <p className="muted">Expected by {formatDate(order.estimatedDelivery)}</p>
          )}
          {order.sandboxPrinter && <p className="muted small">Sandbox printer: this tracking number is made up.</p>}
        </div>
      )}
    </section>
  );
}
