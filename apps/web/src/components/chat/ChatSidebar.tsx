/**
 * The conversation list: new chat, search (titles and message text), most recent first with the last
 * message's preview, rename in place, delete after a confirmation, and "Load more" — the shared
 * SearchableList over the chat API.
 */
import { keepPreviousData, useInfiniteQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useNavigate } from "react-router";
import { trpc, trpcClient } from "../../lib/api.ts";
import { ASSISTANT_LABELS, type ConversationSummary, relativeTime } from "../../lib/chat.ts";
import { describeError } from "../../lib/errors.ts";
import { uniqueRows } from "../../lib/pagination.ts";
import { Button } from "../SubmitButton.tsx";
import { isMac } from "../shell/command-palette.tsx";
import { ListRowLink, SearchableList, useDebouncedValue } from "../ui/searchable-list.tsx";
import { Tooltip } from "../ui/tooltip.tsx";
import s from "./chat-sidebar.module.css";

const PAGE_SIZE = 20;

/** Shown on the New chat button; the handler is on the chat page (routes/chat.tsx). */
const NEW_CHAT_SHORTCUT = () => (isMac() ? "⌘⇧O" : "Ctrl Shift O");

export function ChatSidebar({ activeId, onNavigate }: { activeId: string | null; onNavigate: () => void }) {
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [text, setText] = useState("");
  const search = useDebouncedValue(text.trim());

  const list = useInfiniteQuery(
    trpc.chat.list.infiniteQueryOptions(
      { limit: PAGE_SIZE, ...(search ? { search } : {}) },
      {
        getNextPageParam: (last) => {
          const row = last.at(-1);
          return last.length < PAGE_SIZE || !row ? undefined : { lastMessageAt: row.lastMessageAt, id: row.id };
        },
        placeholderData: keepPreviousData,
      },
    ),
  );
  const rows = uniqueRows(list.data?.pages);
  const refresh = () => qc.invalidateQueries(trpc.chat.list.pathFilter());

  const rename = async (c: ConversationSummary, title: string) => {
    const updated = await trpcClient.chat.rename.mutate({ conversationId: c.id, title });
    qc.setQueryData(trpc.chat.get.queryKey({ conversationId: c.id }), (old) =>
      old ? { ...old, conversation: { ...old.conversation, title: updated.title, titleSource: "user" as const } } : old,
    );
    await refresh();
  };

  const remove = async (c: ConversationSummary) => {
    await trpcClient.chat.delete.mutate({ conversationId: c.id });
    qc.removeQueries({ queryKey: trpc.chat.get.queryKey({ conversationId: c.id }) });
    await refresh();
    if (c.id === activeId) void navigate("/chat", { replace: true });
  };

  return (
    <div className={s.sidebar}>
      <Tooltip label={`New chat (${NEW_CHAT_SHORTCUT()})`} side="bottom">
        <Button
          className="btn-block"
          onClick={() => {
            onNavigate();
            void navigate("/chat");
          }}
          aria-keyshortcuts="Control+Shift+O Meta+Shift+O"
        >
          <svg aria-hidden="true" viewBox="0 0 24 24" width="16" height="16" fill="none" stroke="currentColor" strokeWidth="2.2">
            <path d="M12 5v14M5 12h14" strokeLinecap="round" />
          </svg>{" "}
          New chat <kbd className="small">{NEW_CHAT_SHORTCUT()}</kbd>
        </Button>
      </Tooltip>
      <SearchableList
        items={rows}
        getKey={(c) => c.id}
        getName={(c) => c.title}
        activeKey={activeId}
        label={search ? `Conversations matching ${search}` : "Recent conversations"}
        state={list}
        search={{ label: "Search conversations", value: text, onChange: setText }}
        filtered={search !== ""}
        loadingText="Loading conversations…"
        emptyText="No conversations yet. Start one!"
        noMatchText={`No conversations match “${search}”.`}
        rename={{
          onRename: rename,
          describeError: (e) => describeError(e, ["title"]).fieldErrors.title ?? describeError(e).message,
        }}
        remove={{
          title: (c) => `Delete “${c.title}”?`,
          description: () => "The conversation and its messages are deleted. This cannot be undone.",
          onDelete: remove,
        }}
        renderItem={(c, { actions, active }) => (
          <>
            <ListRowLink
              to={`/chat/${c.id}`}
              active={active}
              onClick={onNavigate}
              title={c.title}
              meta={
                <>
                  <AssistantTag assistant={c.assistant} />
                  <time dateTime={String(c.lastMessageAt)}>{relativeTime(c.lastMessageAt)}</time>
                </>
              }
              preview={c.preview ? plainPreview(c.preview) : undefined}
            />
            {actions}
          </>
        )}
      />
    </div>
  );
}

/** Which assistant a conversation is with, as a small coloured tag (also used in the chat header). */
export function AssistantTag({ assistant }: { assistant: ConversationSummary["assistant"] }) {
  return <span className={assistant === "tutor" ? `${s.tag} ${s.tutor}` : s.tag}>{ASSISTANT_LABELS[assistant]}</span>;
}

/** The preview is the raw message text: without markdown's marks it reads better in one line. */
function plainPreview(text: string) {
  return text
    .replace(/```[a-z]*|[*_`#>~]+/gi, "")
    .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/\s+/g, " ")
    .trim();
}
