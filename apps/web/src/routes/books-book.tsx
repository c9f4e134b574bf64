/**
 * The book designer (/books/:bookId): owners pick and order the campaign's stories and their photos,
 * choose a template and a cover, and see a live outline of the book (cover and contents) as they edit;
 * "Render proof" has the worker typeset it (PDFs and page images, polled until ready); the owner looks
 * through the proof and approves it, and the book is ready to order. Other members see the book and
 * its proof read-only.
 */
import { BOOK_LIMITS, BOOK_TEMPLATE_LABELS, BOOK_TEMPLATES, type BookTemplate } from "@inkwell/domain/books/schemas";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useMemo, useState } from "react";
import { Link, useParams } from "react-router";
import { FormError } from "../components/Alert.tsx";
import { BookProof } from "../components/books/BookProof.tsx";
import { BookStatusBadge } from "../components/books/BookStatusBadge.tsx";
import s from "../components/books/books.module.css";
import { LiveOutline } from "../components/books/LiveOutline.tsx";
import { type Design, StoryPicker } from "../components/books/StoryPicker.tsx";
import { PageHeader } from "../components/ui/page-header.tsx";
import { type Outputs, trpc } from "../lib/api.ts";
import { describeError } from "../lib/errors.ts";

type Book = Outputs["books"]["get"];
const POLL_MS = 2000;

export function BooksBookPage() {
  const { bookId = "" } = useParams();
  const book = useQuery({
    ...trpc.books.get.queryOptions({ bookId }),
    refetchInterval: (q) => (q.state.data?.renderStatus === "rendering" ? POLL_MS : false),
  });
  if (book.isPending)
    return (
      <div className="page">
        <p className="loading" role="status">
          <span className="spinner" aria-hidden="true" /> Loading the book…
        </p>
      </div>
    );
  if (book.isError)
    return (
      <div className="page">
        <FormError problem={describeError(book.error)} />
        <Link to="/books">All books</Link>
      </div>
    );
  return <Designer key={book.data.id} book={book.data} />;
}

function designOf(book: Book): Design {
  return {
    title: book.title,
    subtitle: book.subtitle ?? "",
    template: book.template,
    storyIds: book.storyIds,
    photoFileIds: book.photoFileIds,
    coverPhotoFileId: book.coverPhotoFileId,
  };
}

function Designer({ book }: { book: Book }) {
  const qc = useQueryClient();
  const sources = useQuery(trpc.books.sources.queryOptions({ campaignId: book.campaignId }));
  const [design, setDesign] = useState<Design>(() => designOf(book));
  const saved = useMemo(() => designOf(book), [book]);
  const dirty = JSON.stringify(design) !== JSON.stringify(saved);
  const frozen = book.status === "ordered" || book.status === "completed";
  const editable = book.canDesign && !frozen;
  const refresh = (next: Book) => {
    qc.setQueryData(trpc.books.get.queryKey({ bookId: book.id }), next);
    void qc.invalidateQueries(trpc.books.list.pathFilter());
  };
  const save = useMutation(trpc.books.update.mutationOptions({ onSuccess: refresh }));
  const render = useMutation(trpc.books.render.mutationOptions({ onSuccess: refresh }));
  const approve = useMutation(trpc.books.approve.mutationOptions({ onSuccess: refresh }));
  // A render that finishes refreshes the book; keep local edits, but take what the server settled.
  useEffect(() => {
    if (!dirty) setDesign(designOf(book));
  }, [book, dirty]);

  const problem = save.error
    ? describeError(save.error, ["title", "subtitle", "storyIds", "photoFileIds", "coverPhotoFileId"])
    : render.error
      ? describeError(render.error)
      : approve.error
        ? describeError(approve.error)
        : null;

  const allPhotos = (sources.data ?? [])
    .filter((st) => design.storyIds.includes(st.id))
    .flatMap((st) => st.photos.filter((p) => design.photoFileIds === null || design.photoFileIds.includes(p.fileId)));
  const coverPhoto = allPhotos.find((p) => p.fileId === design.coverPhotoFileId) ?? null;

  return (
    <div className="page page-wide">
      <title>{`${book.title} · Books · Inkwell`}</title>
      <PageHeader
        title={book.title}
        lead={
          <>
            <BookStatusBadge status={book.status} /> {book.storyCount} stories · {book.photoCount} photos
            {book.pageCount ? ` · ${book.pageCount} pages` : ""} · <Link to="/books">All books</Link>
          </>
        }
      />
      <FormError problem={problem} />
      {frozen && <p className="alert alert-info">This book has been ordered; its design can no longer change.</p>}
      {!book.canDesign && <p className="alert alert-info">Only the campaign's owners design and approve its books.</p>}
      <div className={s.designer}>
        <form
          className={s.design}
          aria-label="Book design"
          onSubmit={(e) => {
            e.preventDefault();
            save.mutate({
              bookId: book.id,
              title: design.title,
              subtitle: design.subtitle,
              template: design.template,
              storyIds: design.storyIds,
              photoFileIds: design.photoFileIds,
              coverPhotoFileId: design.coverPhotoFileId,
            });
          }}
        >
          <fieldset disabled={!editable} className={s.fieldset}>
            <legend>Cover</legend>
            <div className="field">
              <label htmlFor="book-title">Title</label>
              <input
                id="book-title"
                type="text"
                value={design.title}
                maxLength={120}
                required
                onChange={(e) => setDesign({ ...design, title: e.target.value })}
              />
            </div>
            <div className="field">
              <label htmlFor="book-subtitle">
                Subtitle <span className="optional">(optional)</span>
              </label>
              <input
                id="book-subtitle"
                type="text"
                value={design.subtitle}
                maxLength={200}
                onChange={(e) => setDesign({ ...design, subtitle: e.target.value })}
              />
            </div>
            <div className="field">
              <label htmlFor="book-cover">Cover photo</label>
              <select
                id="book-cover"
                value={design.coverPhotoFileId ?? ""}
                onChange={(e) => setDesign({ ...design, coverPhotoFileId: e.target.value || null })}
              >
                <option value="">No photo</option>
                {allPhotos.map((p, i) => (
                  <option key={p.fileId} value={p.fileId}>
                    {p.caption || `Photo ${i + 1}`}
                  </option>
                ))}
              </select>
            </div>
          </fieldset>
          <fieldset disabled={!editable} className={s.fieldset}>
            <legend>Template</legend>
            <div className={s.row}>
              {BOOK_TEMPLATES.map((t) => (
                <label key={t} className={s.template}>
                  <input
                    type="radio"
                    name="template"
                    value={t}
                    checked={design.template === t}
                    onChange={() => setDesign({ ...design, template: t as BookTemplate })}
                  />{" "}
                  {BOOK_TEMPLATE_LABELS[t]}
                </label>
              ))}
            </div>
          </fieldset>
          <fieldset disabled={!editable} className={s.fieldset}>
            <legend>
              Stories and photos (at most {BOOK_LIMITS.stories} stories and {BOOK_LIMITS.photos} photos)
            </legend>
            {sources.isError && <FormError problem={describeError(sources.error)} />}
            {sources.data && <StoryPicker stories={sources.data} design={design} onChange={setDesign} />}
          </fieldset>
          {editable && (
            <div className={s.row}>
              <button type="submit" className="btn btn-primary" disabled={!dirty || save.isPending}>
                {save.isPending ? "Saving…" : dirty ? "Save design" : "Design saved"}
              </button>
              {dirty && (
                <button type="button" className="btn btn-secondary" onClick={() => setDesign(saved)}>
                  Undo changes
                </button>
              )}
            </div>
          )}
        </form>
        <aside className={s.side} aria-label="Live preview">
          <LiveOutline design={design} stories={sources.data ?? []} coverPhotoUrl={coverPhoto?.url ?? null} />
        </aside>
      </div>
      <BookProof
        book={book}
        dirty={dirty}
        editable={editable}
        rendering={render.isPending}
        approving={approve.isPending}
        onRender={() => render.mutate({ bookId: book.id })}
        onApprove={() => approve.mutate({ bookId: book.id })}
      />
    </div>
  );
}
