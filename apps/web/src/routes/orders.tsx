/** Orders (/orders): the buyer's orders of printed books, newest first, each linking to its page. */
import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router";
import { money } from "../components/books/orders/money.ts";
import { STATUS_LABELS } from "../components/books/orders/OrderStatus.tsx";
import s from "../components/books/orders/orders.module.css";
import { EmptyState } from "../components/ui/empty-state.tsx";
import { PageHeader } from "../components/ui/page-header.tsx";
import { trpc } from "../lib/api.ts";
import { describeError } from "../lib/errors.ts";
import { formatDate } from "../lib/format.ts";

export function OrdersPage() {
  const list = useQuery(trpc.bookOrders.list.queryOptions({ limit: 50 }));
  return (
    <div className="page">
      <title>Orders · Inkwell</title>
      <PageHeader title="Book orders" lead="Printed copies of your family books, from payment to your door." />
      {list.isPending ? (
        <p className="loading" role="status">
          <span className="spinner" aria-hidden="true" /> Loading orders…
        </p>
      ) : list.isError ? (
        <p className="alert alert-error" role="alert">
          {describeError(list.error).message}
        </p>
      ) : list.data.length === 0 ? (
        <EmptyState>No orders yet. Approve a book's proof, then order printed copies from the book's page.</EmptyState>
      ) : (
        <ul className={`card ${s.list}`} aria-label="Your orders">
          {list.data.map((o) => (
            <li key={o.id} className={s.item}>
              <div>
                <Link to={`/orders/${o.id}`}>
                  <strong>{o.bookTitle ?? "Book"}</strong> · {o.orderNumber}
                </Link>
                <div className={s.meta}>
                  {o.quantity} {o.quantity === 1 ? "copy" : "copies"} · ordered {formatDate(o.orderedAt)}
                  {o.sandboxPrinter ? " · sandbox printer" : ""}
                </div>
              </div>
              <div>
                <span className="badge badge-status">{STATUS_LABELS[o.status]}</span> {money(o.totalCents, o.currency)}
              </div>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
