/**
 * Knowledge (/knowledge): what the writer knows about the user — entries by category (about me,
 * audience, writing style), each with its indexing state (the worker embeds new and edited entries;
 * the list refreshes while any is pending), add / edit in place / delete after confirming, and a live
 * search (hybrid: by meaning and by keyword) that says why each entry matched.
 */
import { KNOWLEDGE_CATEGORIES, type KnowledgeCategory } from "@inkwell/domain/knowledge/schemas";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useId, useRef, useState } from "react";
import { Status } from "../components/Alert.tsx";
import { Button } from "../components/SubmitButton.tsx";
import { type EntryDraft, KnowledgeEntryForm } from "../components/writer/KnowledgeEntryForm.tsx";
import { type Outputs, trpc } from "../lib/api.ts";
import { describeError } from "../lib/errors.ts";
import { timeAgo } from "../lib/format.ts";
import {
  CATEGORY_LABELS,
  excerpt,
  highlight,
  highlightTerms,
  matchReasons,
  pollWhilePending,
  STATUS_LABELS,
} from "../lib/writer-knowledge.ts";

type Entry = Outputs["writer"]["knowledge"]["list"][number];
type Match = Outputs["writer"]["knowledge"]["search"][number];

const EMPTY_DRAFT: EntryDraft = { title: "", content: "", category: "about_me" };

export function KnowledgePage() {
  const qc = useQueryClient();
  const [category, setCategory] = useState<KnowledgeCategory | "all">("all");
  const [adding, setAdding] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const addButton = useRef<HTMLButtonElement>(null);

  const listInput = category === "all" ? {} : { category };
  const list = useQuery({
    ...trpc.writer.knowledge.list.queryOptions(listInput),
    // The worker embeds new entries in the background: watch until none is pending.
    refetchInterval: (query) => pollWhilePending(query.state.data),
    placeholderData: keepPreviousData,
  });
  const entries = list.data ?? [];
  const refresh = () => qc.invalidateQueries(trpc.writer.knowledge.pathFilter());

  const create = useMutation(
    trpc.writer.knowledge.create.mutationOptions({
      onSuccess: (entry) => {
        setAdding(false);
        setNotice(`Added “${entry.title}”. It becomes searchable once it is indexed.`);
        void refresh();
        addButton.current?.focus();
      },
    }),
  );

  return (
    <div className="page page-wide wr-knowledge">
      <title>Knowledge · Inkwell</title>
      <header className="page-header">
        <h1 tabIndex={-1}>Knowledge</h1>
        <p className="lead">
          What the writer should know about you. Each generation looks up the entries closest to its concept and tells you which
          it used.
        </p>
      </header>

      <KnowledgeSearch />

      <section className="card" aria-labelledby="wr-entries-heading">
        <div className="wr-section-head">
          <h2 id="wr-entries-heading">Your entries</h2>
          {!adding && (
            <Button
              ref={addButton}
              className="btn-small"
              onClick={() => {
                create.reset();
                setNotice(null);
                setAdding(true);
              }}
            >
              Add an entry
            </Button>
          )}
        </div>
        <Status>{notice}</Status>
        {adding && (
          <div className="wr-entry-new">
            <KnowledgeEntryForm
              label="New entry"
              initial={category === "all" ? EMPTY_DRAFT : { ...EMPTY_DRAFT, category }}
              submitLabel="Add entry"
              pending={create.isPending}
              error={create.error}
              onSubmit={(draft) => create.mutate(draft)}
              onCancel={() => {
                setAdding(false);
                addButton.current?.focus();
              }}
            />
          </div>
        )}

        <fieldset className="wr-category-filter">
          <legend className="visually-hidden">Show category</legend>
          <div className="segmented">
            {(["all", ...KNOWLEDGE_CATEGORIES] as const).map((c) => (
              <label key={c} className="segment">
                <input type="radio" name="wr-category" value={c} checked={category === c} onChange={() => setCategory(c)} />
                <span>{c === "all" ? "All" : CATEGORY_LABELS[c]}</span>
              </label>
            ))}
          </div>
        </fieldset>

        {list.isPending ? (
          <p className="loading" role="status">
            <span className="spinner" aria-hidden="true" /> Loading your entries…
          </p>
        ) : list.isError && entries.length === 0 ? (
          <p className="status status-error" role="alert">
            {describeError(list.error).message}
          </p>
        ) : entries.length === 0 ? (
          <div className="empty">
            <p>
              {category === "all"
                ? "No entries yet. Add what you do, who you write for and how you like to sound."
                : `No “${CATEGORY_LABELS[category]}” entries yet.`}
            </p>
          </div>
        ) : (
          <ul className="wr-entry-list" aria-label="Knowledge entries">
            {entries.map((entry) => (
              <EntryRow
                key={entry.id}
                entry={entry}
                onChanged={refresh}
                onDeleted={(title) => setNotice(`Deleted “${title}”.`)}
              />
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}

function StatusBadge({ entry }: { entry: Entry }) {
  const { status, error } = entry.embedding;
  const tone = status === "ready" ? "badge-success" : status === "failed" ? "badge-danger" : "badge-warning";
  return (
    <span className={`badge ${tone} wr-embed-status`} data-status={status} title={error ?? undefined}>
      {status === "pending" && <span className="spinner wr-spinner-small" aria-hidden="true" />}
      {STATUS_LABELS[status]}
    </span>
  );
}

function EntryRow({ entry, onChanged, onDeleted }: { entry: Entry; onChanged: () => void; onDeleted: (title: string) => void }) {
  const qc = useQueryClient();
  const [mode, setMode] = useState<"view" | "edit" | "confirm-delete">("view");
  const [expanded, setExpanded] = useState(false);
  const editButton = useRef<HTMLButtonElement>(null);
  const update = useMutation(
    trpc.writer.knowledge.update.mutationOptions({
      onSuccess: () => {
        setMode("view");
        onChanged();
        setTimeout(() => editButton.current?.focus(), 0);
      },
    }),
  );
  const remove = useMutation(
    trpc.writer.knowledge.delete.mutationOptions({
      onSuccess: () => {
        // Gone from every cached list at once (the refetch confirms).
        qc.setQueriesData<Entry[]>(trpc.writer.knowledge.list.pathFilter(), (old) => old?.filter((e) => e.id !== entry.id));
        onDeleted(entry.title);
        onChanged();
      },
    }),
  );

  if (mode === "edit") {
    return (
      <li className="wr-entry wr-entry-editing">
        <KnowledgeEntryForm
          label={`Edit ${entry.title}`}
          initial={{ title: entry.title, content: entry.content, category: entry.category }}
          submitLabel="Save changes"
          pending={update.isPending}
          error={update.error}
          onSubmit={(draft) => {
            // Only what changed: an unchanged text keeps its embedding.
            const patch = {
              id: entry.id,
              ...(draft.title !== entry.title ? { title: draft.title } : {}),
              ...(draft.content !== entry.content ? { content: draft.content } : {}),
              ...(draft.category !== entry.category ? { category: draft.category } : {}),
            };
            // Nothing changed: a failed entry is still worth saving (it is indexed again), others are not.
            if (Object.keys(patch).length === 1 && entry.embedding.status !== "failed") setMode("view");
            else update.mutate(Object.keys(patch).length === 1 ? { ...patch, title: draft.title } : patch);
          }}
          onCancel={() => {
            setMode("view");
            setTimeout(() => editButton.current?.focus(), 0);
          }}
        />
      </li>
    );
  }

  const long = entry.content.length > 220;
  return (
    <li className="wr-entry" data-status={entry.embedding.status}>
      <div className="wr-entry-head">
        <h3 className="wr-entry-title">{entry.title}</h3>
        <span className="badge badge-accent">{CATEGORY_LABELS[entry.category]}</span>
        <StatusBadge entry={entry} />
      </div>
      <p className="wr-entry-content">{expanded || !long ? entry.content : excerpt(entry.content, 220)}</p>
      {entry.embedding.status === "failed" && (
        <div className="wr-entry-failed">
          <p className="field-error small">{entry.embedding.error ?? "It could not be indexed."}</p>
          {/* Any save of a failed entry queues it for indexing again. */}
          <Button
            variant="secondary"
            className="btn-small"
            pending={update.isPending && mode === "view"}
            pendingLabel="Queuing…"
            onClick={() => update.mutate({ id: entry.id, title: entry.title })}
          >
            Retry indexing<span className="visually-hidden"> {entry.title}</span>
          </Button>
        </div>
      )}
      <div className="wr-entry-foot">
        <span className="muted small">Updated {timeAgo(entry.updatedAt)}</span>
        {mode === "confirm-delete" ? (
          <fieldset className="wr-inline-confirm">
            <legend className="visually-hidden">Delete {entry.title}?</legend>
            <span className="small">Delete this entry?</span>
            <Button
              variant="danger"
              className="btn-small"
              pending={remove.isPending}
              onClick={() => remove.mutate({ id: entry.id })}
            >
              Delete
            </Button>
            <Button variant="ghost" className="btn-small" onClick={() => setMode("view")}>
              Cancel
            </Button>
          </fieldset>
        ) : (
          <div className="row-actions">
            {long && (
              <Button variant="ghost" className="btn-small" aria-expanded={expanded} onClick={() => setExpanded((x) => !x)}>
                {expanded ? "Show less" : "Show all"}
              </Button>
            )}
            <Button
              ref={editButton}
              variant="ghost"
              className="btn-small"
              aria-label={`Edit ${entry.title}`}
              onClick={() => {
                update.reset();
                setMode("edit");
              }}
            >
              Edit
            </Button>
            <Button
              variant="ghost"
              className="btn-small"
              aria-label={`Delete ${entry.title}`}
              onClick={() => {
                remove.reset();
                setMode("confirm-delete");
              }}
            >
              Delete
            </Button>
          </div>
        )}
      </div>
      {remove.isError && (
        <p className="field-error small" role="alert">
          {describeError(remove.error).message}
        </p>
      )}
    </li>
  );
}

function KnowledgeSearch() {
  const id = useId();
  const [text, setText] = useState("");
  const [query, setQuery] = useState("");
  // Search as you type, without a request per keystroke.
  useEffect(() => {
    const t = setTimeout(() => setQuery(text.trim()), 300);
    return () => clearTimeout(t);
  }, [text]);

  const search = useQuery({
    ...trpc.writer.knowledge.search.queryOptions({ query, limit: 10 }),
    enabled: query.length > 0,
    placeholderData: keepPreviousData,
    staleTime: 10_000,
  });
  const matches = query ? (search.data ?? []) : [];
  const terms = highlightTerms(query);

  return (
    <section className="card wr-search" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`} className="visually-hidden">
        Search
      </h2>
      <search className="field">
        <label htmlFor={`${id}-input`}>Search your knowledge</label>
        <input
          id={`${id}-input`}
          type="search"
          value={text}
          placeholder="e.g. who do I write for?"
          autoComplete="off"
          maxLength={500}
          onChange={(e) => setText(e.target.value)}
          aria-describedby={`${id}-hint`}
        />
        <p className="hint" id={`${id}-hint`}>
          Finds entries by meaning and by keyword — the same search the writer uses for a concept.
        </p>
      </search>
      <div aria-live="polite" className="wr-search-results">
        {!query ? null : search.isPending ? (
          <p className="muted small" role="status">
            <span className="spinner" aria-hidden="true" /> Searching…
          </p>
        ) : search.isError ? (
          <p className="field-error" role="alert">
            {describeError(search.error).message}
          </p>
        ) : matches.length === 0 ? (
          <p className="muted">Nothing matches “{query}”.</p>
        ) : (
          <ol className="wr-match-list" aria-label={`Entries matching ${query}`}>
            {matches.map((m) => (
              <MatchRow key={m.entry.id} match={m} terms={terms} />
            ))}
          </ol>
        )}
      </div>
    </section>
  );
}

function MatchRow({ match, terms }: { match: Match; terms: string[] }) {
  const reasons = matchReasons(match.matched);
  return (
    <li className="wr-match">
      <div className="wr-entry-head">
        <span className="wr-entry-title">
          <Highlighted text={match.entry.title} terms={terms} />
        </span>
        <span className="badge badge-accent">{CATEGORY_LABELS[match.entry.category]}</span>
      </div>
      <p className="wr-entry-content small">
        <Highlighted text={excerpt(match.entry.content, 200)} terms={terms} />
      </p>
      {reasons.length > 0 && (
        <ul className="wr-match-reasons" aria-label="Why it matched">
          {reasons.map((r) => (
            <li key={r.label} className={r.best ? "badge badge-accent wr-best-match" : undefined}>
              {r.label}
            </li>
          ))}
        </ul>
      )}
    </li>
  );
}

function Highlighted({ text, terms }: { text: string; terms: string[] }) {
  return <>{highlight(text, terms).map((piece, i) => (piece.hit ? <mark key={i}>{piece.text}</mark> : piece.text))}</>;
}
