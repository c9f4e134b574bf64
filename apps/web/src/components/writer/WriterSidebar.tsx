/**
 * The writer's sessions: a new piece, search (titles and concepts), newest first with their formats,
 * rename in place and delete after confirming, "Load more", and the way to the projects list.
 */
import { keepPreviousData, useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useEffect, useId, useRef, useState } from "react";
import { Link, NavLink, useNavigate } from "react-router";
import { type Outputs, trpc } from "../../lib/api.ts";
import { relativeTime } from "../../lib/chat.ts";
import { describeError } from "../../lib/errors.ts";
import { nextCursor, uniqueRows } from "../../lib/pagination.ts";
import { formatLabel } from "../../lib/writer.ts";
import { sessionKey, sessionName } from "../../lib/writer-session.ts";
import { Button } from "../SubmitButton.tsx";

const PAGE_SIZE = 20;

type SessionSummary = Outputs["writer"]["sessions"]["list"][number];

export function WriterSidebar({ activeId }: { activeId: string | null }) {
  const navigate = useNavigate();
  const searchId = useId();
  const [text, setText] = useState("");
  const [query, setQuery] = useState("");
  useEffect(() => {
    const t = setTimeout(() => setQuery(text.trim()), 250);
    return () => clearTimeout(t);
  }, [text]);

  const list = useInfiniteQuery(
    trpc.writer.sessions.list.infiniteQueryOptions(
      { limit: PAGE_SIZE, ...(query ? { query } : {}) },
      {
        getNextPageParam: (last, all) => nextCursor(last, all, PAGE_SIZE),
        placeholderData: keepPreviousData,
      },
    ),
  );
  const rows = uniqueRows(list.data?.pages);

  return (
    <div className="wr-sidebar-inner">
      <Button className="btn-block" onClick={() => void navigate("/writer")}>
        New piece
      </Button>
      <Link to="/projects" className="wr-projects-link">
        Projects
      </Link>
      <search className="wr-session-search">
        <label htmlFor={searchId} className="visually-hidden">
          Search sessions
        </label>
        <input
          id={searchId}
          type="search"
          placeholder="Search sessions"
          value={text}
          onChange={(e) => setText(e.target.value)}
          autoComplete="off"
        />
      </search>
      {list.isPending ? (
        <p className="muted small">Loading sessions…</p>
      ) : list.isError && rows.length === 0 ? (
        <p className="muted small">{describeError(list.error).message}</p>
      ) : rows.length === 0 ? (
        <p className="muted small">{query ? `No sessions match “${query}”.` : "No sessions yet."}</p>
      ) : (
        <ul className="wr-session-list" aria-label={query ? `Sessions matching ${query}` : "Recent sessions"}>
          {rows.map((s) => (
            <SessionItem key={s.id} session={s} active={s.id === activeId} />
          ))}
        </ul>
      )}
      {list.hasNextPage && (
        <Button
          variant="ghost"
          className="btn-small btn-block"
          pending={list.isFetchingNextPage}
          pendingLabel="Loading…"
          onClick={() => void list.fetchNextPage()}
        >
          Load more
        </Button>
      )}
    </div>
  );
}

function SessionItem({ session: s, active }: { session: SessionSummary; active: boolean }) {
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [mode, setMode] = useState<"view" | "rename" | "confirm-delete">("view");
  // A pinned session is shown (and renamed) by its project's name.
  const name = sessionName(s);
  const [title, setTitle] = useState(name);
  const [error, setError] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);
  const refresh = () => qc.invalidateQueries(trpc.writer.sessions.list.pathFilter());

  const renamed = () => {
    setMode("view");
    void qc.invalidateQueries({ queryKey: sessionKey(s.id) });
    void qc.invalidateQueries(trpc.writer.projects.pathFilter());
    void refresh();
  };
  const rename = useMutation(
    trpc.writer.sessions.rename.mutationOptions({
      onSuccess: renamed,
      onError: (e) => setError(describeError(e, ["title"]).fieldErrors.title ?? describeError(e).message),
    }),
  );
  const renameProject = useMutation(
    trpc.writer.projects.update.mutationOptions({
      onSuccess: renamed,
      onError: (e) => setError(describeError(e, ["name"]).fieldErrors.name ?? describeError(e).message),
    }),
  );
  const remove = useMutation(
    trpc.writer.sessions.delete.mutationOptions({
      onSuccess: () => {
        qc.removeQueries({ queryKey: sessionKey(s.id) });
        void refresh();
        void qc.invalidateQueries(trpc.writer.projects.pathFilter());
        if (active) void navigate("/writer", { replace: true });
      },
      onError: (e) => setError(describeError(e).message),
    }),
  );

  useEffect(() => {
    if (mode === "rename") input.current?.select();
  }, [mode]);

  if (mode === "rename") {
    const submit = (e: FormEvent) => {
      e.preventDefault();
      setError(null);
      if (!title.trim()) return setError("Enter a title");
      if (s.projectId) renameProject.mutate({ projectId: s.projectId, name: title.trim() });
      else rename.mutate({ sessionId: s.id, title: title.trim() });
    };
    return (
      <li className="wr-session wr-session-editing">
        <form onSubmit={submit} className="wr-rename">
          <label htmlFor={`rename-${s.id}`} className="visually-hidden">
            New title for {name}
          </label>
          <input
            id={`rename-${s.id}`}
            ref={input}
            type="text"
            value={title}
            maxLength={200}
            onChange={(e) => setTitle(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === "Escape") {
                setMode("view");
                setTitle(name);
              }
            }}
            aria-invalid={error ? true : undefined}
          />
          <div className="row-actions">
            <Button type="submit" className="btn-small" pending={rename.isPending || renameProject.isPending}>
              Save
            </Button>
            <Button variant="ghost" className="btn-small" onClick={() => setMode("view")}>
              Cancel
            </Button>
          </div>
          {error && (
            <p className="field-error small" role="alert">
              {error}
            </p>
          )}
        </form>
      </li>
    );
  }

  return (
    <li className={`wr-session${active ? " active" : ""}`}>
      <NavLink to={`/writer/${s.id}`} className="wr-session-link" aria-current={active ? "page" : undefined}>
        <span className="wr-session-title">
          {name}
          {s.pinned && <span className="visually-hidden"> (project)</span>}
        </span>
        <span className="wr-session-meta">
          {s.pinned && (
            <span className="wr-pin-mark" aria-hidden="true" title="Pinned as a project">
              ★
            </span>
          )}
          <time dateTime={String(s.createdAt)}>{relativeTime(s.createdAt)}</time>
          {s.formats.length > 0 && <span> · {s.formats.map(formatLabel).join(", ")}</span>}
        </span>
      </NavLink>
      {mode === "confirm-delete" ? (
        <fieldset className="wr-inline-confirm">
          <legend className="visually-hidden">Delete {name}?</legend>
          <span className="small">Delete this session{s.pinned ? " and its project" : ""}?</span>
          <Button
            variant="danger"
            className="btn-small"
            pending={remove.isPending}
            onClick={() => remove.mutate({ sessionId: s.id })}
          >
            Delete
          </Button>
          <Button variant="ghost" className="btn-small" onClick={() => setMode("view")}>
            Cancel
          </Button>
        </fieldset>
      ) : (
        <div className="wr-session-actions">
          <button
            type="button"
            className="icon-button"
            aria-label={`Rename ${name}`}
            title="Rename"
            onClick={() => {
              setTitle(name);
              setError(null);
              setMode("rename");
            }}
          >
            <svg aria-hidden="true" viewBox="0 0 24 24" width="15" height="15" fill="none" stroke="currentColor" strokeWidth="2">
              <path d="M4 20h4L19 9l-4-4L4 16v4ZM14 6l4 4" strokeLinejoin="round" />
            </svg>
          </button>
          <button
            type="button"
            className="icon-button"
            aria-label={`Delete ${name}`}
            title="Delete"
            onClick={() => {
              setError(null);
              setMode("confirm-delete");
            }}
          >
            <svg aria-hidden="true" viewBox="0 0 24 24" width="15" height="15" fill="none" stroke="currentColor" strokeWidth="2">
              <path d="M4 7h16M9 7V4h6v3M6 7l1 13h10l1-13" strokeLinejoin="round" />
            </svg>
          </button>
        </div>
      )}
      {error && mode !== "view" && (
        <p className="field-error small" role="alert">
          {error}
        </p>
      )}
    </li>
  );
}
