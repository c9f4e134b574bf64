/** Ordering printed copies (/orders/new?book=<id>): the order form for one book. */
import { useSearchParams } from "react-router";
import { OrderForm } from "../components/books/orders/OrderForm.tsx";
import { PageHeader } from "../components/ui/page-header.tsx";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function OrderNewPage() {
  const [params] = useSearchParams();
  const bookId = params.get("book") ?? "";
  return (
    <div className="page narrow">
      <title>Order printed copies · Inkwell</title>
      <PageHeader
        title="Order printed copies"
        lead="Choose how your book is printed and where it goes; you pay on a secure payment page."
      />
      {UUID.test(bookId) ? (
        <OrderForm bookId={bookId} />
      ) : (
        <p className="alert alert-error" role="alert">
          No book was chosen. Open a book and choose “Order printed copies”.
        </p>
      )}
    </div>
  );
}
