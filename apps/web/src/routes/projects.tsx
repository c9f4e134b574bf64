/**
 * Projects (/projects): writer sessions pinned as projects, newest first, filtered by a tag (kept in
 * the URL: ?tag=launch), each with its name, description, tags and formats; edit in place, unpin after
 * confirming, and open the session.
 */
import { keepPreviousData, useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useId, useRef, useState } from "react";
import { Link } from "react-router";
import { PagedResults } from "../components/PagedResults.tsx";
import { Button } from "../components/SubmitButton.tsx";
import { type Outputs, trpc } from "../lib/api.ts";
import { describeError } from "../lib/errors.ts";
import { timeAgo } from "../lib/format.ts";
import { nextCursor, uniqueRows } from "../lib/pagination.ts";
import { useSearchState } from "../lib/search-state.ts";
import { formatLabel, parseTags } from "../lib/writer.ts";
import { sessionName } from "../lib/writer-session.ts";

const PAGE_SIZE = 20;

type Project = Outputs["writer"]["projects"]["list"][number];

const readTag = (params: URLSearchParams) => params.get("tag")?.trim().toLowerCase() ?? "";
const writeTag = (tag: string) => new URLSearchParams(tag ? { tag } : {});

export function ProjectsPage() {
  const [tag, setTag] = useSearchState(readTag, writeTag);
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

  return (
    <div className="page page-wide wr-projects">
      <title>Projects · Inkwell</title>
      <header className="page-header">
        <h1 tabIndex={-1}>Projects</h1>
        <p className="lead">
          Writer sessions you pinned to keep. Pin one from its page in the <Link to="/writer">writer</Link>.
        </p>
      </header>
      {tags.length > 0 && (
        <fieldset className="wr-tag-filter">
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
      )}
      <PagedResults
        query={list}
        shown={rows.length}
        filtered={tag !== ""}
        loadingText="Loading projects…"
        emptyText="No projects yet. Open a writer session and choose “Pin as project”."
        noMatchText={`No projects are tagged “${tag}”.`}
        onClearFilters={() => setTag("")}
        noun={["project", "projects"]}
      >
        <ul className="wr-project-list" aria-label={tag ? `Projects tagged ${tag}` : "Projects"}>
          {rows.map((p) => (
            <ProjectCard key={p.id} project={p} onTag={setTag} />
          ))}
        </ul>
      </PagedResults>
    </div>
  );
}

function ProjectCard({ project: p, onTag }: { project: Project; onTag: (tag: string) => void }) {
  const qc = useQueryClient();
  const id = useId();
  const [mode, setMode] = useState<"view" | "edit" | "confirm-unpin">("view");
  const [name, setName] = useState(p.name);
  const [description, setDescription] = useState(p.description);
  const [tags, setTags] = useState(p.tags.join(", "));
  const editButton = useRef<HTMLButtonElement>(null);
  const refresh = () =>
    Promise.all([
      qc.invalidateQueries(trpc.writer.projects.pathFilter()),
      qc.invalidateQueries(trpc.writer.sessions.pathFilter()),
    ]);

  const update = useMutation(
    trpc.writer.projects.update.mutationOptions({
      onSuccess: async () => {
        await refresh();
        setMode("view");
        setTimeout(() => editButton.current?.focus(), 0);
      },
    }),
  );
  const unpin = useMutation(trpc.writer.projects.unpin.mutationOptions({ onSuccess: () => void refresh() }));
  const problem = update.error ? describeError(update.error, ["name", "description", "tags"]) : null;

  if (mode === "edit") {
    const submit = (e: FormEvent) => {
      e.preventDefault();
      if (!name.trim()) return;
      update.mutate({ projectId: p.id, name: name.trim(), description: description.trim(), tags: parseTags(tags) });
    };
    return (
      <li className="card wr-project">
        <form className="wr-entry-form" onSubmit={submit} aria-label={`Edit ${p.name}`} noValidate>
          <div className="field">
            <label htmlFor={`${id}-name`}>Project name</label>
            <input
              id={`${id}-name`}
              type="text"
              value={name}
              maxLength={200}
              onChange={(e) => setName(e.target.value)}
              aria-invalid={!name.trim() || problem?.fieldErrors.name ? true : undefined}
            />
            {problem?.fieldErrors.name && <p className="field-error">{problem.fieldErrors.name}</p>}
          </div>
          <div className="field">
            <label htmlFor={`${id}-description`}>
              Description <span className="optional">(optional)</span>
            </label>
            <textarea
              id={`${id}-description`}
              className="wr-textarea"
              rows={2}
              maxLength={2000}
              value={description}
              onChange={(e) => setDescription(e.target.value)}
            />
          </div>
          <div className="field">
            <label htmlFor={`${id}-tags`}>
              Tags <span className="optional">(comma-separated)</span>
            </label>
            <input id={`${id}-tags`} type="text" value={tags} onChange={(e) => setTags(e.target.value)} />
          </div>
          {problem?.message && (
            <p className="field-error" role="alert">
              {problem.message}
            </p>
          )}
          <div className="form-actions">
            <Button type="submit" className="btn-small" pending={update.isPending} pendingLabel="Saving…">
              Save
            </Button>
            <Button variant="ghost" className="btn-small" onClick={() => setMode("view")}>
              Cancel
            </Button>
          </div>
        </form>
      </li>
    );
  }

  return (
    <li className="card wr-project">
      <div className="wr-project-head">
        <h2 className="wr-project-name">
          <Link to={`/writer/${p.sessionId}`}>{p.name}</Link>
        </h2>
        <span className="muted small">Updated {timeAgo(p.updatedAt)}</span>
      </div>
      {p.description && <p className="wr-project-description">{p.description}</p>}
      <p className="muted small">
        {p.session.formats.map(formatLabel).join(" · ")}
        {sessionName(p.session) !== p.name && <> · from “{sessionName(p.session)}”</>}
      </p>
      {p.tags.length > 0 && (
        <ul className="wr-tags" aria-label="Tags">
          {p.tags.map((t) => (
            <li key={t}>
              <button type="button" className="wr-tag" onClick={() => onTag(t)} aria-label={`Show projects tagged ${t}`}>
                {t}
              </button>
            </li>
          ))}
        </ul>
      )}
      {mode === "confirm-unpin" ? (
        <fieldset className="wr-inline-confirm">
          <legend className="visually-hidden">Unpin {p.name}?</legend>
          <span className="small">Unpin? The session stays in the writer.</span>
          <Button
            variant="danger"
            className="btn-small"
            pending={unpin.isPending}
            onClick={() => unpin.mutate({ projectId: p.id })}
          >
            Unpin
          </Button>
          <Button variant="ghost" className="btn-small" onClick={() => setMode("view")}>
            Cancel
          </Button>
        </fieldset>
      ) : (
        <div className="row-actions">
          <Link className="btn btn-secondary btn-small" to={`/writer/${p.sessionId}`}>
            Open<span className="visually-hidden"> {p.name}</span>
          </Link>
          <Button
            ref={editButton}
            variant="ghost"
            className="btn-small"
            onClick={() => {
              setName(p.name);
              setDescription(p.description);
              setTags(p.tags.join(", "));
              update.reset();
              setMode("edit");
            }}
          >
            Edit<span className="visually-hidden"> {p.name}</span>
          </Button>
          <Button variant="ghost" className="btn-small" onClick={() => setMode("confirm-unpin")}>
            Unpin<span className="visually-hidden"> {p.name}</span>
          </Button>
        </div>
      )}
      {unpin.isError && (
        <p className="field-error small" role="alert">
          {describeError(unpin.error).message}
        </p>
      )}
    </li>
  );
}
