/**
 * The writer's sessions: a new piece, search (titles and concepts), newest first with their formats,
 * rename in place and delete after confirming, "Load more", and the way to the projects list — the
 * shared SearchableList over the writer API.
 */
import { keepPreviousData, useInfiniteQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useNavigate } from "react-router";
import { type Outputs, trpc, trpcClient } from "../../lib/api.ts";
import { relativeTime } from "../../lib/chat.ts";
import { describeError } from "../../lib/errors.ts";
import { nextCursor, uniqueRows } from "../../lib/pagination.ts";
import { formatLabel } from "../../lib/writer.ts";
import { sessionKey, sessionName } from "../../lib/writer-session.ts";
import { Button } from "../SubmitButton.tsx";
import { ListRowLink, SearchableList, useDebouncedValue } from "../ui/searchable-list.tsx";
import s from "./writer-sidebar.module.css";

const PAGE_SIZE = 20;

type SessionSummary = Outputs["writer"]["sessions"]["list"][number];

export function WriterSidebar({ activeId }: { activeId: string | null }) {
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [text, setText] = useState("");
  const query = useDebouncedValue(text.trim());

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

  const refresh = (id: string) =>
    Promise.all([
      qc.invalidateQueries({ queryKey: sessionKey(id) }),
      qc.invalidateQueries(trpc.writer.projects.pathFilter()),
      qc.invalidateQueries(trpc.writer.sessions.list.pathFilter()),
    ]);

  // A pinned session is shown (and renamed) by its project's name.
  const rename = async (session: SessionSummary, title: string) => {
    if (session.projectId) await trpcClient.writer.projects.update.mutate({ projectId: session.projectId, name: title });
    else await trpcClient.writer.sessions.rename.mutate({ sessionId: session.id, title });
    await refresh(session.id);
  };

  const remove = async (session: SessionSummary) => {
    await trpcClient.writer.sessions.delete.mutate({ sessionId: session.id });
    qc.removeQueries({ queryKey: sessionKey(session.id) });
    await Promise.all([
      qc.invalidateQueries(trpc.writer.sessions.list.pathFilter()),
      qc.invalidateQueries(trpc.writer.projects.pathFilter()),
    ]);
    if (session.id === activeId) void navigate("/writer", { replace: true });
  };

  return (
    <div className={s.sidebar}>
      <Button className="btn-block" onClick={() => void navigate("/writer")}>
        New piece
      </Button>
      <Link to="/projects" className={s.projects}>
        Projects
      </Link>
      <SearchableList
        items={rows}
        getKey={(session) => session.id}
        getName={sessionName}
        activeKey={activeId}
        label={query ? `Sessions matching ${query}` : "Recent sessions"}
        state={list}
        search={{ label: "Search sessions", value: text, onChange: setText }}
        filtered={query !== ""}
        loadingText="Loading sessions…"
        emptyText="No sessions yet."
        noMatchText={`No sessions match “${query}”.`}
        rename={{
          onRename: rename,
          describeError: (e) => {
            const problem = describeError(e, ["title", "name"]);
            return problem.fieldErrors.title ?? problem.fieldErrors.name ?? problem.message;
          },
        }}
        remove={{
          title: (session) => `Delete “${sessionName(session)}”?`,
          description: (session) =>
            session.pinned
              ? "The session, its outputs and its project are deleted. This cannot be undone."
              : "The session and its outputs are deleted. This cannot be undone.",
          onDelete: remove,
        }}
        renderItem={(session, { actions, active }) => (
          <>
            <ListRowLink
              to={`/writer/${session.id}`}
              active={active}
              title={
                <>
                  {sessionName(session)}
                  {session.pinned && <span className="visually-hidden"> (project)</span>}
                </>
              }
              meta={
                <span className={s.meta}>
                  {session.pinned && (
                    <span className={s.pin} aria-hidden="true">
                      ★
                    </span>
                  )}
                  <time dateTime={String(session.createdAt)}>{relativeTime(session.createdAt)}</time>
                  {session.formats.length > 0 && <> · {session.formats.map(formatLabel).join(", ")}</>}
                </span>
              }
            />
            {actions}
          </>
        )}
      />
    </div>
  );
}
