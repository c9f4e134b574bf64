/**
 * The proof: the worker's rendering of the saved design — the cover and the first pages as images, the
 * interior and cover PDFs to download — with "Render proof" and "Approve proof". A proof of an older
 * design is shown as out of date and cannot be approved; unsaved changes must be saved first.
 */
import { Link } from "react-router";
import type { Outputs } from "../../lib/api.ts";
import { formatDate } from "../../lib/format.ts";
import s from "./books.module.css";

type Book = Outputs["books"]["get"];

export function BookProof({
  book,
  dirty,
  editable,
  rendering,
  approving,
  onRender,
  onApprove,
}: {
  book: Book;
  dirty: boolean;
  editable: boolean;
  rendering: boolean;
  approving: boolean;
  onRender(): void;
  onApprove(): void;
}) {
  const busy = book.renderStatus === "rendering";
  const canApprove = editable && book.status === "draft" && book.proofCurrent && !dirty;
  return (
    <section className={s.proof} aria-labelledby="proof-heading">
      <div className={s.campaignHead}>
        <h2 id="proof-heading">Proof</h2>
        {editable && (
          <span className={s.row}>
            <button type="button" className="btn btn-secondary" onClick={onRender} disabled={busy || rendering || dirty}>
              {busy ? "Rendering…" : book.previewUrls.length ? "Render again" : "Render proof"}
            </button>
            {book.status === "draft" && (
              <button type="button" className="btn btn-primary" onClick={onApprove} disabled={!canApprove || approving}>
                Approve proof
              </button>
            )}
          </span>
        )}
      </div>
      <p role="status" className={s.meta} data-testid="render-status">
        {dirty
          ? "Save the design to render it."
          : busy
            ? "Rendering the book: typesetting the pages and photos…"
            : book.renderStatus === "failed"
              ? `The render failed: ${book.renderError ?? "unknown reason"}`
              : book.renderStatus === "done" && book.proofCurrent
                ? `Proof of the current design, rendered ${book.renderedAt ? formatDate(book.renderedAt) : ""}: ${book.pageCount} pages.`
                : book.previewUrls.length
                  ? "This proof shows an earlier design; render again to see the changes."
                  : "No proof yet."}
      </p>
      {book.status === "ready_to_order" && (
        <p className="alert alert-success">
          Proof approved{book.approvedAt ? ` on ${formatDate(book.approvedAt)}` : ""}. The book is ready to order:{" "}
          <Link to={`/orders/new?book=${book.id}`}>order printed copies</Link>. Rendering it again (to take in edits to its
          stories) sends it back to draft for a new approval.
        </p>
      )}
      {book.previewUrls.length > 0 && (
        <>
          <ul className={s.pages} aria-label="Proof pages" data-stale={book.proofCurrent ? undefined : ""}>
            {book.previewUrls.map((url, i) => (
              <li key={url}>
                <figure>
                  <img src={url} alt={i === 0 ? "Cover" : `Page ${i}`} loading="lazy" />
                  <figcaption>{i === 0 ? "Cover" : `Page ${i}`}</figcaption>
                </figure>
              </li>
            ))}
          </ul>
          <p className={s.row}>
            {book.interiorUrl && (
              <a href={book.interiorUrl} download>
                Download the interior (PDF, {book.pageCount} pages)
              </a>
            )}
            {book.coverUrl && (
              <a href={book.coverUrl} download>
                Download the cover (PDF)
              </a>
            )}
          </p>
        </>
      )}
    </section>
  );
}
