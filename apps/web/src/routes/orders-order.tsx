/**
 * One order (/orders/:orderId): what was ordered, where it stands and its tracking. The buyer lands here
 * from the payment page (`?payment=<id>`, `&cancelled=1` when they backed out); the API settles a paid
 * checkout on the spot, and the page looks again every few seconds until the order is delivered or
 * cancelled (the printer reports through the worker).
 */
import { BOOK_BINDINGS, BOOK_PAPERS, BOOK_SIZES, SHIPPING_LEVELS } from "@inkwell/domain/books/orders/schemas";
import { useMutation, useQuery } from "@tanstack/react-query";
import { Link, useParams, useSearchParams } from "react-router";
import { FormError, Notice } from "../components/Alert.tsx";
import { money } from "../components/books/orders/money.ts";
import { OrderSteps } from "../components/books/orders/OrderStatus.tsx";
import s from "../components/books/orders/orders.module.css";
import { Button } from "../components/SubmitButton.tsx";
import { PageHeader } from "../components/ui/page-header.tsx";
import { trpc } from "../lib/api.ts";
import { describeError } from "../lib/errors.ts";

const POLL_MS = 3_000;
const labelOf = (list: readonly { id: string; label: string }[], id: string) => list.find((x) => x.id === id)?.label ?? id;

export function OrderPage() {
  const { orderId = "" } = useParams();
  const [params] = useSearchParams();
  const cancelled = params.get("cancelled") === "1";
  const order = useQuery({
    ...trpc.bookOrders.get.queryOptions({ orderId }),
    refetchInterval: (q) => {
      const status = q.state.data?.status;
      if (!status || status === "delivered" || status === "cancelled") return false;
      // A pending order is looked at only while its payment may be settling (the buyer just came back).
      return status === "pending" && (cancelled || !params.get("payment")) ? false : POLL_MS;
    },
  });
  const pay = useMutation(trpc.bookOrders.pay.mutationOptions({ onSuccess: ({ url }) => window.location.assign(url) }));

  if (order.isPending)
    return (
      <div className="page narrow">
        <p className="loading" role="status">
          <span className="spinner" aria-hidden="true" /> Loading the order…
        </p>
      </div>
    );
  if (order.isError)
    return (
      <div className="page narrow">
        <title>Order · Inkwell</title>
        <PageHeader title="Order" />
        <p className="alert alert-error" role="alert">
          {describeError(order.error).message}
        </p>
        <p>
          <Link to="/orders">All orders</Link>
        </p>
      </div>
    );
  const o = order.data;
  return (
    <div className="page narrow">
      <title>{`Order ${o.orderNumber} · Inkwell`}</title>
      <PageHeader
        title={`Order ${o.orderNumber}`}
        lead={o.bookTitle ? `Printed copies of “${o.bookTitle}”` : undefined}
        actions={<Link to="/orders">All orders</Link>}
      />
      <div className="stack">
        {o.sandboxPrinter && (
          <p className="alert alert-warning small" data-role="sandbox-printer">
            <strong>Sandbox printer.</strong> This order went to a local stand-in printer: nothing is printed or shipped.
          </p>
        )}
        {cancelled && o.status === "pending" && (
          <Notice title="Payment not completed">Nothing was charged. You can pay when you are ready.</Notice>
        )}
        {o.status === "pending" && (
          <div className="card stack">
            <p>This order is waiting for payment.</p>
            <FormError problem={pay.error ? describeError(pay.error) : null} />
            <div>
              <Button pending={pay.isPending} pendingLabel="Opening checkout…" onClick={() => pay.mutate({ orderId: o.id })}>
                Pay {money(o.totalCents, o.currency)}
              </Button>
            </div>
          </div>
        )}
        <OrderSteps order={o} />
        <section className="card stack" aria-labelledby="details-heading">
          <h2 id="details-heading">Details</h2>
          <dl className={s.price}>
            <dt>Copies</dt>
            <dd>{o.quantity}</dd>
            <dt>Size</dt>
            <dd>{labelOf(BOOK_SIZES, o.options.size)}</dd>
            <dt>Binding</dt>
            <dd>{labelOf(BOOK_BINDINGS, o.options.binding)}</dd>
            <dt>Paper</dt>
            <dd>{labelOf(BOOK_PAPERS, o.options.paper)}</dd>
            <dt>Shipping</dt>
            <dd>{labelOf(SHIPPING_LEVELS, o.shippingLevel)}</dd>
            <dt>Books</dt>
            <dd>{money(o.unitCents * o.quantity, o.currency)}</dd>
            <dt>Delivery</dt>
            <dd>{money(o.shippingCents, o.currency)}</dd>
            <dt className={s.total}>Total</dt>
            <dd className={s.total}>{money(o.totalCents, o.currency)}</dd>
          </dl>
          <h3>Ship to</h3>
          <address>
            {o.shippingAddress.name}
            <br />
            {o.shippingAddress.street1}
            {o.shippingAddress.street2 && (
              <>
                <br />
                {o.shippingAddress.street2}
              </>
            )}
            <br />
            {o.shippingAddress.city}
            {o.shippingAddress.stateCode ? `, ${o.shippingAddress.stateCode}` : ""} {o.shippingAddress.postcode}
            <br />
            {o.shippingAddress.countryCode}
          </address>
        </section>
      </div>
    </div>
  );
}
