/**
 * Projects (/projects): writer sessions pinned as projects, newest first, filtered by a tag (kept in
 * the URL: ?tag=launch), each with its name, description, tags and formats; edit in place, unpin after
 * confirming, and open the session.
 */
import { keepPreviousData, useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, type ReactNode, useId, useRef, useState } from "react";
import { Link } from "react-router";
import { Button } from "../components/SubmitButton.tsx";
import { PageHeader } from "../components/ui/page-header.tsx";
import { SearchableList } from "../components/ui/searchable-list.tsx";
import { ProjectFields, type ProjectFieldValues } from "../components/writer/ProjectFields.tsx";
import w from "../components/writer/writer.module.css";
import { type Outputs, trpc, trpcClient } from "../lib/api.ts";
import { describeError } from "../lib/errors.ts";
import { timeAgo } from "../lib/format.ts";
import { nextCursor, uniqueRows } from "../lib/pagination.ts";
import { useSearchState } from "../lib/search-state.ts";
import { formatLabel, parseTags } from "../lib/writer.ts";
import { sessionName } from "../lib/writer-session.ts";
import s from "./projects.module.css";

const PAGE_SIZE = 20;

type Project = Outputs["writer"]["projects"]["list"][number];

const readTag = (params: URLSearchParams) => params.get("tag")?.trim().toLowerCase() ?? "";
const writeTag = (tag: string) => new URLSearchParams(tag ? { tag } : {});

export function ProjectsPage() {
  const qc = useQueryClient();
  const [tag, setTag] = useSearchState(readTag, writeTag);
  const [editing, setEditing] = useState<string | null>(null);
  const editButtons = useRef(new Map<string, HTMLButtonElement>());
  const list = useInfiniteQuery(
    trpc.writer.projects.list.infiniteQueryOptions(
      { limit: PAGE_SIZE, ...(tag ? { tag } : {}) },
      {
        getNextPageParam: (last, all) => nextCursor(last, all, PAGE_SIZE),
        placeholderData: keepPreviousData,
      },
    ),
  );
  const rows = uniqueRows(list.data?.pages);
  // Every tag on the projects shown (and the one filtered by), to filter by with one click.
  const tags = [...new Set([...(tag ? [tag] : []), ...rows.flatMap((p) => p.tags)])].sort();
  const refresh = () =>
    Promise.all([
      qc.invalidateQueries(trpc.writer.projects.pathFilter()),
      qc.invalidateQueries(trpc.writer.sessions.pathFilter()),
    ]);

  return (
    <div className={`page page-wide ${s.page}`}>
      <title>Projects · Inkwell</title>
      <PageHeader
        title="Projects"
        lead={
          <>
            Writer sessions you pinned to keep. Pin one from its page in the <Link to="/writer">writer</Link>.
          </>
        }
      />
      <SearchableList
        variant="cards"
        items={rows}
        getKey={(p) => p.id}
        getName={(p) => p.name}
        label={tag ? `Projects tagged ${tag}` : "Projects"}
        state={list}
        filtered={tag !== ""}
        loadingText="Loading projects…"
        emptyText="No projects yet. Open a writer session and choose “Pin as project”."
        noMatchText={`No projects are tagged “${tag}”.`}
        onClearFilters={() => setTag("")}
        toolbar={
          tags.length > 0 && (
            <fieldset className={s.tagFilter}>
              <legend>Filter by tag</legend>
              <div className="chips">
                {tags.map((t) => (
                  <label key={t} className="chip">
                    <input type="radio" name="wr-tag" value={t} checked={tag === t} onChange={() => setTag(t)} />
                    <span className="chip-label">{t}</span>
                  </label>
                ))}
                {tag && (
                  <button type="button" className="btn-link" onClick={() => setTag("")}>
                    Show all
                  </button>
                )}
              </div>
            </fieldset>
          )
        }
        extraActions={(p) => (
          <>
            <Link className="btn btn-secondary btn-small" to={`/writer/${p.sessionId}`}>
              Open<span className="visually-hidden"> {p.name}</span>
            </Link>
            <Button
              ref={(el: HTMLButtonElement | null) => {
                if (el) editButtons.current.set(p.id, el);
                else editButtons.current.delete(p.id);
              }}
              variant="ghost"
              className="btn-small"
              onClick={() => setEditing(p.id)}
            >
              Edit<span className="visually-hidden"> {p.name}</span>
            </Button>
          </>
        )}
        remove={{
          verb: "Unpin",
          tone: "neutral",
          title: (p) => `Unpin “${p.name}”?`,
          description: () => "It leaves your projects. The session and its outputs stay in the writer.",
          onDelete: async (p) => {
            await trpcClient.writer.projects.unpin.mutate({ projectId: p.id });
            await refresh();
          },
        }}
        renderItem={(p, { actions }) =>
          editing === p.id ? (
            <ProjectForm
              project={p}
              onSaved={refresh}
              onDone={() => {
                setEditing(null);
                setTimeout(() => editButtons.current.get(p.id)?.focus(), 0);
              }}
            />
          ) : (
            <ProjectCard project={p} onTag={setTag} actions={actions} />
          )
        }
      />
    </div>
  );
}

function ProjectForm({ project: p, onSaved, onDone }: { project: Project; onSaved: () => Promise<unknown>; onDone: () => void }) {
  const id = useId();
  const [fields, setFields] = useState<ProjectFieldValues>({ name: p.name, description: p.description, tags: p.tags.join(", ") });
  const { name, description, tags } = fields;
  const update = useMutation(
    trpc.writer.projects.update.mutationOptions({
      onSuccess: async () => {
        await onSaved();
        onDone();
      },
    }),
  );
  const problem = update.error ? describeError(update.error, ["name", "description", "tags"]) : null;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!name.trim()) return;
    update.mutate({ projectId: p.id, name: name.trim(), description: description.trim(), tags: parseTags(tags) });
  };
  return (
    <form className={w.entryForm} onSubmit={submit} aria-label={`Edit ${p.name}`} noValidate>
      <ProjectFields
        id={id}
        values={fields}
        onChange={setFields}
        nameInvalid={!name.trim()}
        nameError={problem?.fieldErrors.name}
      />
      {problem?.message && (
        <p className="field-error" role="alert">
          {problem.message}
        </p>
      )}
      <div className="form-actions">
        <Button type="submit" className="btn-small" pending={update.isPending} pendingLabel="Saving…">
          Save
        </Button>
        <Button variant="ghost" className="btn-small" onClick={onDone}>
          Cancel
        </Button>
      </div>
    </form>
  );
}

function ProjectCard({ project: p, onTag, actions }: { project: Project; onTag: (tag: string) => void; actions: ReactNode }) {
  return (
    <div className={s.project}>
      <div className={s.head}>
        <h2 className={s.name}>
          <Link to={`/writer/${p.sessionId}`}>{p.name}</Link>
        </h2>
        <span className="muted small">Updated {timeAgo(p.updatedAt)}</span>
      </div>
      {p.description && <p className={s.description}>{p.description}</p>}
      <p className="muted small">
        {p.session.formats.map(formatLabel).join(" · ")}
        {sessionName(p.session) !== p.name && <> · from “{sessionName(p.session)}”</>}
      </p>
      {p.tags.length > 0 && (
        <ul className={s.tags} aria-label="Tags">
          {p.tags.map((t) => (
            <li key={t}>
              <button type="button" className={s.tag} onClick={() => onTag(t)} aria-label={`Show projects tagged ${t}`}>
                {t}
              </button>
            </li>
          ))}
        </ul>
      )}
      {actions}
    </div>
  );
}
