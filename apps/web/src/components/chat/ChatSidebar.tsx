/**
 * The conversation list: new chat, search (titles and message text), most recent first with the last
 * message's preview, rename in place, delete after a confirmation, and "Load more".
 */
import { keepPreviousData, useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useEffect, useId, useRef, useState } from "react";
import { NavLink, useNavigate } from "react-router";
import { trpc } from "../../lib/api.ts";
import { ASSISTANT_LABELS, type ConversationSummary, relativeTime } from "../../lib/chat.ts";
import { describeError } from "../../lib/errors.ts";
import { uniqueRows } from "../../lib/pagination.ts";
import { Button } from "../SubmitButton.tsx";
import { isMac } from "../shell/command-palette.tsx";

const PAGE_SIZE = 20;

/** Shown on the New chat button; the handler is on the chat page (routes/chat.tsx). */
const NEW_CHAT_SHORTCUT = () => (isMac() ? "⌘⇧O" : "Ctrl Shift O");

export function ChatSidebar({ activeId, onNavigate }: { activeId: string | null; onNavigate: () => void }) {
  const navigate = useNavigate();
  const [query, setQuery] = useState("");
  const [search, setSearch] = useState("");
  const searchId = useId();

  // Search as you type, without a request per keystroke.
  useEffect(() => {
    const t = setTimeout(() => setSearch(query.trim()), 250);
    return () => clearTimeout(t);
  }, [query]);

  const input = { limit: PAGE_SIZE, ...(search ? { search } : {}) };
  const list = useInfiniteQuery(
    trpc.chat.list.infiniteQueryOptions(input, {
      getNextPageParam: (last) => {
        const row = last.at(-1);
        return last.length < PAGE_SIZE || !row ? undefined : { lastMessageAt: row.lastMessageAt, id: row.id };
      },
      placeholderData: keepPreviousData,
    }),
  );
  const rows = uniqueRows(list.data?.pages);

  return (
    <div className="chat-sidebar-inner">
      <Button
        className="btn-block"
        onClick={() => {
          onNavigate();
          void navigate("/chat");
        }}
        aria-keyshortcuts="Control+Shift+O Meta+Shift+O"
        title={`New chat (${NEW_CHAT_SHORTCUT()})`}
      >
        <svg aria-hidden="true" viewBox="0 0 24 24" width="16" height="16" fill="none" stroke="currentColor" strokeWidth="2.2">
          <path d="M12 5v14M5 12h14" strokeLinecap="round" />
        </svg>{" "}
        New chat <kbd className="small">{NEW_CHAT_SHORTCUT()}</kbd>
      </Button>
      <search className="chat-search">
        <label htmlFor={searchId} className="visually-hidden">
          Search conversations
        </label>
        <input
          id={searchId}
          type="search"
          placeholder="Search conversations"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          autoComplete="off"
        />
      </search>
      {list.isPending ? (
        <p className="muted small chat-list-status">Loading conversations…</p>
      ) : list.isError ? (
        <p className="muted small chat-list-status">{describeError(list.error).message}</p>
      ) : rows.length === 0 ? (
        <p className="muted small chat-list-status">
          {search ? `No conversations match “${search}”.` : "No conversations yet. Start one!"}
        </p>
      ) : (
        <ul className="chat-list" aria-label={search ? `Conversations matching ${search}` : "Recent conversations"}>
          {rows.map((c) => (
            <ConversationItem key={c.id} conversation={c} active={c.id === activeId} onNavigate={onNavigate} />
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

function ConversationItem({
  conversation: c,
  active,
  onNavigate,
}: {
  conversation: ConversationSummary;
  active: boolean;
  onNavigate: () => void;
}) {
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [mode, setMode] = useState<"view" | "rename" | "confirm-delete">("view");
  const [title, setTitle] = useState(c.title);
  const [error, setError] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);
  const menuButton = useRef<HTMLButtonElement>(null);
  const refresh = () => qc.invalidateQueries(trpc.chat.list.pathFilter());

  const rename = useMutation(
    trpc.chat.rename.mutationOptions({
      onSuccess: (updated) => {
        qc.setQueryData(trpc.chat.get.queryKey({ conversationId: c.id }), (old) =>
          old ? { ...old, conversation: { ...old.conversation, title: updated.title, titleSource: "user" as const } } : old,
        );
        setMode("view");
        void refresh();
      },
      onError: (e) => setError(describeError(e, ["title"]).fieldErrors.title ?? describeError(e).message),
    }),
  );
  const remove = useMutation(
    trpc.chat.delete.mutationOptions({
      onSuccess: () => {
        qc.removeQueries({ queryKey: trpc.chat.get.queryKey({ conversationId: c.id }) });
        void refresh();
        if (active) void navigate("/chat", { replace: true });
      },
      onError: (e) => setError(describeError(e).message),
    }),
  );

  useEffect(() => {
    if (mode === "rename") input.current?.select();
  }, [mode]);

  const submitRename = (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    if (!title.trim()) return setError("Enter a title");
    rename.mutate({ conversationId: c.id, title });
  };

  if (mode === "rename") {
    return (
      <li className="chat-item chat-item-editing">
        <form onSubmit={submitRename} className="chat-rename">
          <label htmlFor={`rename-${c.id}`} className="visually-hidden">
            New title for {c.title}
          </label>
          <input
            id={`rename-${c.id}`}
            ref={input}
            value={title}
            maxLength={200}
            onChange={(e) => setTitle(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === "Escape") {
                setMode("view");
                setTitle(c.title);
                menuButton.current?.focus();
              }
            }}
            aria-invalid={error ? true : undefined}
          />
          <div className="chat-item-actions">
            <Button type="submit" className="btn-small" pending={rename.isPending}>
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
    <li className={`chat-item${active ? " active" : ""}`}>
      <NavLink to={`/chat/${c.id}`} className="chat-item-link" onClick={onNavigate} aria-current={active ? "page" : undefined}>
        <span className="chat-item-title">{c.title}</span>
        <span className="chat-item-meta">
          <span className={`assistant-tag assistant-${c.assistant}`}>{ASSISTANT_LABELS[c.assistant]}</span>
          <time dateTime={String(c.lastMessageAt)}>{relativeTime(c.lastMessageAt)}</time>
        </span>
        {c.preview && <span className="chat-item-preview">{plainPreview(c.preview)}</span>}
      </NavLink>
      {mode === "confirm-delete" ? (
        <fieldset className="chat-item-confirm">
          <legend className="visually-hidden">Delete {c.title}?</legend>
          <span className="small">Delete this conversation?</span>
          <Button
            variant="danger"
            className="btn-small"
            pending={remove.isPending}
            onClick={() => remove.mutate({ conversationId: c.id })}
          >
            Delete
          </Button>
          <Button
            variant="ghost"
            className="btn-small"
            onClick={() => {
              setMode("view");
              menuButton.current?.focus();
            }}
          >
            Cancel
          </Button>
        </fieldset>
      ) : (
        <div className="chat-item-actions chat-item-hover">
          <button
            ref={menuButton}
            type="button"
            className="icon-button"
            aria-label={`Rename ${c.title}`}
            title="Rename"
            onClick={() => {
              setTitle(c.title);
              setError(null);
              setMode("rename");
            }}
          >
            <svg aria-hidden="true" viewBox="0 0 24 24" width="16" height="16" fill="none" stroke="currentColor" strokeWidth="2">
              <path d="M4 20h4L19 9l-4-4L4 16v4ZM14 6l4 4" strokeLinejoin="round" />
            </svg>
          </button>
          <button
            type="button"
            className="icon-button"
            aria-label={`Delete ${c.title}`}
            title="Delete"
            onClick={() => {
              setError(null);
              setMode("confirm-delete");
            }}
          >
            <svg aria-hidden="true" viewBox="0 0 24 24" width="16" height="16" fill="none" stroke="currentColor" strokeWidth="2">
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

/** The preview is the raw message text: without markdown's marks it reads better in one line. */
function plainPreview(text: string) {
  return text
    .replace(/```[a-z]*|[*_`#>~]+/gi, "")
    .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/\s+/g, " ")
    .trim();
}
