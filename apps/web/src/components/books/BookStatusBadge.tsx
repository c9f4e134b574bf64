import type { BookStatus } from "@inkwell/domain/books/schemas";
import s from "./books.module.css";

const LABEL: Record<BookStatus, string> = {
  draft: "Draft",
  ready_to_order: "Ready to order",
  ordered: "Ordered",
  completed: "Completed",
};

/** A book's status in words (never colour alone). */
export function BookStatusBadge({ status }: { status: BookStatus }) {
  return (
    <span className={s.badge} data-status={status}>
      {LABEL[status]}
    </span>
  );
}
