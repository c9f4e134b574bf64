/**
 * Knowledge (/knowledge): what the writer knows about the user — entries by category (about me,
 * audience, writing style), each with its indexing state (the worker embeds new and edited entries;
 * the list refreshes while any is pending), add / edit in place / delete after confirming, and a live
 * search (hybrid: by meaning and by keyword) that says why each entry matched.
 */
import { KNOWLEDGE_CATEGORIES, type KnowledgeCategory } from "@inkwell/domain/knowledge/schemas";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type ReactNode, useId, useRef, useState } from "react";
import { Button } from "../components/SubmitButton.tsx";
import { PageHeader } from "../components/ui/page-header.tsx";
import { SearchableList, useDebouncedValue } from "../components/ui/searchable-list.tsx";
import { useToast } from "../components/ui/toast.tsx";
import { type EntryDraft, KnowledgeEntryForm } from "../components/writer/KnowledgeEntryForm.tsx";
import { type Outputs, trpc, trpcClient } from "../lib/api.ts";
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
import s from "./knowledge.module.css";

type Entry = Outputs["writer"]["knowledge"]["list"][number];
type Match = Outputs["writer"]["knowledge"]["search"][number];

const EMPTY_DRAFT: EntryDraft = { title: "", content: "", category: "about_me" };

export function KnowledgePage() {
  const qc = useQueryClient();
  const toast = useToast();
  const [category, setCategory] = useState<KnowledgeCategory | "all">("all");
  const [adding, setAdding] = useState(false);
  const [editing, setEditing] = useState<string | null>(null);
  const addButton = useRef<HTMLButtonElement>(null);
  const editButtons = useRef(new Map<string, HTMLButtonElement>());
  // Back on the entry's Edit button once its form has gone (after the re-render that removes it).
  const focusEdit = (id: string) => setTimeout(() => editButtons.current.get(id)?.focus(), 0);

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
        toast(`Added “${entry.title}”. It becomes searchable once it is indexed.`);
        void refresh();
        addButton.current?.focus();
      },
    }),
  );

  const remove = async (entry: Entry) => {
    await trpcClient.writer.knowledge.delete.mutate({ id: entry.id });
    // Gone from every cached list at once (the refetch confirms).
    qc.setQueriesData<Entry[]>(trpc.writer.knowledge.list.pathFilter(), (old) => old?.filter((e) => e.id !== entry.id));
    toast(`Deleted “${entry.title}”.`);
    void refresh();
  };

  return (
    <div className={`page page-wide ${s.page}`}>
      <title>Knowledge · Inkwell</title>
      <PageHeader
        title="Knowledge"
        lead="What the writer should know about you. Each generation looks up the entries closest to its concept and tells you which it used."
      />

      <KnowledgeSearch />

      <section className="card" aria-labelledby="wr-entries-heading">
        <div className={s.sectionHead}>
          <h2 id="wr-entries-heading">Your entries</h2>
          {!adding && (
            <Button
              ref={addButton}
              className="btn-small"
              onClick={() => {
                create.reset();
                setAdding(true);
              }}
            >
              Add an entry
            </Button>
          )}
        </div>
        {adding && (
          <div className={s.newEntry}>
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

        <SearchableList
          variant="cards"
          items={entries}
          getKey={(entry) => entry.id}
          getName={(entry) => entry.title}
          label="Knowledge entries"
          state={list}
          filtered={category !== "all"}
          loadingText="Loading your entries…"
          emptyText="No entries yet. Add what you do, who you write for and how you like to sound."
          noMatchText={category === "all" ? undefined : `No “${CATEGORY_LABELS[category]}” entries yet.`}
          onClearFilters={() => setCategory("all")}
          toolbar={
            <fieldset className={s.filter}>
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
          }
          extraActions={(entry) => (
            <Button
              ref={(el: HTMLButtonElement | null) => {
                if (el) editButtons.current.set(entry.id, el);
                else editButtons.current.delete(entry.id);
              }}
              variant="ghost"
              className="btn-small"
              aria-label={`Edit ${entry.title}`}
              onClick={() => setEditing(entry.id)}
            >
              Edit
            </Button>
          )}
          remove={{
            title: (entry) => `Delete “${entry.title}”?`,
            description: () => "The writer stops using it. This cannot be undone.",
            onDelete: remove,
          }}
          renderItem={(entry, { actions }) => (
            <EntryRow
              entry={entry}
              actions={actions}
              editing={editing === entry.id}
              onChanged={refresh}
              onDone={() => {
                setEditing(null);
                focusEdit(entry.id);
              }}
            />
          )}
        />
      </section>
    </div>
  );
}

function StatusBadge({ entry }: { entry: Entry }) {
  const { status } = entry.embedding;
  const tone = status === "ready" ? "badge-success" : status === "failed" ? "badge-danger" : "badge-warning";
  return (
    <span className={`badge ${tone} ${s.status}`} data-status={status}>
      {status === "pending" && <span className={`spinner ${s.spinner}`} aria-hidden="true" />}
      {STATUS_LABELS[status]}
    </span>
  );
}

function EntryRow({
  entry,
  actions,
  editing,
  onChanged,
  onDone,
}: {
  entry: Entry;
  actions: ReactNode;
  editing: boolean;
  onChanged: () => void;
  onDone: () => void;
}) {
  const [expanded, setExpanded] = useState(false);
  const update = useMutation(
    trpc.writer.knowledge.update.mutationOptions({
      onSuccess: () => {
        onChanged();
        if (editing) onDone();
      },
    }),
  );

  if (editing) {
    return (
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
          if (Object.keys(patch).length === 1 && entry.embedding.status !== "failed") onDone();
          else update.mutate(Object.keys(patch).length === 1 ? { ...patch, title: draft.title } : patch);
        }}
        onCancel={onDone}
      />
    );
  }

  const long = entry.content.length > 220;
  return (
    <div className={s.entry}>
      <div className={s.head}>
        <h3 className={s.title}>{entry.title}</h3>
        <span className="badge badge-accent">{CATEGORY_LABELS[entry.category]}</span>
        <StatusBadge entry={entry} />
      </div>
      <p className={s.content}>{expanded || !long ? entry.content : excerpt(entry.content, 220)}</p>
      {entry.embedding.status === "failed" && (
        <div className={s.failed}>
          <p className="field-error small">{entry.embedding.error ?? "It could not be indexed."}</p>
          {/* Any save of a failed entry queues it for indexing again. */}
          <Button
            variant="secondary"
            className="btn-small"
            pending={update.isPending}
            pendingLabel="Queuing…"
            onClick={() => update.mutate({ id: entry.id, title: entry.title })}
          >
            Retry indexing<span className="visually-hidden"> {entry.title}</span>
          </Button>
        </div>
      )}
      <div className={s.foot}>
        <span className="muted small">Updated {timeAgo(entry.updatedAt)}</span>
        <div className={s.footActions}>
          {long && (
            <Button variant="ghost" className="btn-small" aria-expanded={expanded} onClick={() => setExpanded((x) => !x)}>
              {expanded ? "Show less" : "Show all"}
            </Button>
          )}
          {actions}
        </div>
      </div>
    </div>
  );
}

function KnowledgeSearch() {
  const id = useId();
  const [text, setText] = useState("");
  // Search as you type, without a request per keystroke.
  const query = useDebouncedValue(text.trim(), 300);

  const search = useQuery({
    ...trpc.writer.knowledge.search.queryOptions({ query, limit: 10 }),
    enabled: query.length > 0,
    placeholderData: keepPreviousData,
    staleTime: 10_000,
  });
  const matches = query ? (search.data ?? []) : [];
  const terms = highlightTerms(query);

  return (
    <section className={`card ${s.search}`} aria-labelledby={`${id}-heading`}>
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
      <div aria-live="polite" className={s.results}>
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
          <ol className={s.matches} aria-label={`Entries matching ${query}`}>
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
    <li className={s.match}>
      <div className={s.head}>
        <span className={s.title}>
          <Highlighted text={match.entry.title} terms={terms} />
        </span>
        <span className="badge badge-accent">{CATEGORY_LABELS[match.entry.category]}</span>
      </div>
      <p className={`${s.content} small`}>
        <Highlighted text={excerpt(match.entry.content, 200)} terms={terms} />
      </p>
      {reasons.length > 0 && (
        <ul className={s.reasons} aria-label="Why it matched">
          {reasons.map((r) => (
            <li key={r.label} className={r.best ? `badge badge-accent ${s.best}` : undefined}>
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
