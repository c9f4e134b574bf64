/**
 * Books (/books): for each family campaign, its books with their status and counts; owners start a new
 * one (it opens in the designer with the campaign's finished stories already in order).
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { Link, useNavigate } from "react-router";
import { FormError } from "../components/Alert.tsx";
import { BookStatusBadge } from "../components/books/BookStatusBadge.tsx";
import s from "../components/books/books.module.css";
import { SubmitButton } from "../components/SubmitButton.tsx";
import { Field } from "../components/stories/Field.tsx";
import { EmptyState } from "../components/ui/empty-state.tsx";
import { PageHeader } from "../components/ui/page-header.tsx";
import { type Outputs, trpc } from "../lib/api.ts";
import { describeError } from "../lib/errors.ts";

type Campaign = Outputs["stories"]["campaigns"]["list"][number];

export function BooksPage() {
  const campaigns = useQuery(trpc.stories.campaigns.list.queryOptions());
  return (
    <div className="page page-wide">
      <title>Books · Inkwell</title>
      <PageHeader
        title="Books"
        lead="Turn a family campaign's stories and photos into a printed book: choose and order the stories, a template and a cover, look through the proof, approve it and order copies."
      />
      {campaigns.isError && <FormError problem={describeError(campaigns.error)} />}
      {campaigns.isPending && (
        <p className="loading" role="status">
          <span className="spinner" aria-hidden="true" /> Loading…
        </p>
      )}
      {campaigns.data?.length === 0 && (
        <EmptyState action={<Link to="/stories">Family stories</Link>}>
          Books are made from a family campaign's stories. Start a campaign first.
        </EmptyState>
      )}
      {campaigns.data?.map((c) => (
        <CampaignBooks key={c.id} campaign={c} />
      ))}
    </div>
  );
}

function CampaignBooks({ campaign }: { campaign: Campaign }) {
  const list = useQuery(trpc.books.list.queryOptions({ campaignId: campaign.id }));
  const [creating, setCreating] = useState(false);
  const owner = campaign.myRole === "owner";
  return (
    <section className={s.campaign} aria-labelledby={`campaign-${campaign.id}`}>
      <div className={s.campaignHead}>
        <h2 id={`campaign-${campaign.id}`}>{campaign.title}</h2>
        {owner && !creating && (
          <button type="button" className="btn btn-secondary" onClick={() => setCreating(true)}>
            New book
          </button>
        )}
      </div>
      {creating && <CreateBook campaign={campaign} onCancel={() => setCreating(false)} />}
      {list.isError && <FormError problem={describeError(list.error)} />}
      {list.data?.length === 0 && !creating && (
        <p className={s.meta}>{owner ? "No books yet." : "No books yet; the campaign's owners make them."}</p>
      )}
      <ul className={s.bookList} aria-label={`Books of ${campaign.title}`}>
        {list.data?.map((b) => (
          <li key={b.id} className={s.bookItem}>
            <Link to={`/books/${b.id}`}>{b.title}</Link>
            <BookStatusBadge status={b.status} />
            <span className={s.meta}>
              {b.storyCount} stories · {b.photoCount} photos{b.pageCount ? ` · ${b.pageCount} pages` : ""}
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}

function CreateBook({ campaign, onCancel }: { campaign: Campaign; onCancel(): void }) {
  const qc = useQueryClient();
  const navigate = useNavigate();
  const create = useMutation(
    trpc.books.create.mutationOptions({
      onSuccess: async (book) => {
        await qc.invalidateQueries(trpc.books.list.pathFilter());
        void navigate(`/books/${book.id}`);
      },
    }),
  );
  const problem = create.error ? describeError(create.error, ["title", "subtitle"]) : null;
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const f = new FormData(event.currentTarget);
    create.mutate({
      campaignId: campaign.id,
      title: String(f.get("title") ?? ""),
      subtitle: String(f.get("subtitle") ?? ""),
    });
  }
  return (
    <form className={`card ${s.form}`} onSubmit={submit} aria-label={`New book from ${campaign.title}`}>
      <FormError problem={problem} />
      <Field
        label="Book title"
        name="title"
        required
        maxLength={120}
        defaultValue={campaign.title}
        error={problem?.fieldErrors.title}
      />
      <Field label="Subtitle" name="subtitle" optional maxLength={200} error={problem?.fieldErrors.subtitle} />
      <div className={s.row}>
        <SubmitButton pending={create.isPending} pendingLabel="Creating…">
          Create book
        </SubmitButton>
        <button type="button" className="btn btn-secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
