/**
 * Chat (/chat and /chat/:conversationId): the conversation list beside the open conversation. A new
 * chat picks its assistant and is created when its first message is sent.
 */
import type { Assistant } from "@inkwell/domain/chat/schemas";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type ReactNode, type RefObject, useCallback, useEffect, useLayoutEffect, useRef, useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { AssistantTag, ChatSidebar } from "../components/chat/ChatSidebar.tsx";
import { Composer } from "../components/chat/Composer.tsx";
import cs from "../components/chat/chat.module.css";
import { DocumentsPanel } from "../components/chat/DocumentsPanel.tsx";
import { AssistantMessage, ToolCard, ToolMessage, UserMessage } from "../components/chat/Message.tsx";
import { GenerationError } from "../components/GenerationError.tsx";
import { useOfflineAi } from "../components/OfflineLabel.tsx";
import { trpc, trpcClient } from "../lib/api.ts";
import {
  ASSISTANT_BLURBS,
  ASSISTANT_LABELS,
  applySendResult,
  type ChatMessage,
  conversationKey,
  newIdempotencyKey,
  patchMessage,
  settleMessage,
  useReplyStream,
} from "../lib/chat.ts";
import { refreshCredits } from "../lib/credits.ts";
import { describeError } from "../lib/errors.ts";
import { useGenerationError } from "../lib/generation-errors.ts";

export function ChatPage() {
  const { conversationId = null } = useParams();
  const navigate = useNavigate();
  const [sidebarOpen, setSidebarOpen] = useState(false);
  const composer = useRef<HTMLTextAreaElement>(null);

  // Ctrl/⌘+Shift+O: a new chat from anywhere on the page (ChatGPT's shortcut, so hands already know it).
  // Not Ctrl/⌘K: that opens the app's command palette everywhere, chat included.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.metaKey || e.ctrlKey) && e.shiftKey && !e.altKey && e.key.toLowerCase() === "o") {
        e.preventDefault();
        setSidebarOpen(false);
        void navigate("/chat", { state: { keepFocus: true } });
        setTimeout(() => composer.current?.focus(), 0);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [navigate]);

  return (
    <div className={`${cs.chatLayout}${sidebarOpen ? " sidebar-open" : ""}`}>
      <title>Chat · Inkwell</title>
      <aside id="chat-sidebar" className={cs.chatSidebar} aria-label="Conversations">
        <ChatSidebar activeId={conversationId} onNavigate={() => setSidebarOpen(false)} />
      </aside>
      {sidebarOpen && (
        <button type="button" className={cs.chatScrim} aria-label="Close conversations" onClick={() => setSidebarOpen(false)} />
      )}
      <section className={cs.chatMain}>
        {conversationId ? (
          <Conversation
            key={conversationId}
            conversationId={conversationId}
            composer={composer}
            sidebarToggle={<SidebarToggle open={sidebarOpen} onToggle={() => setSidebarOpen((o) => !o)} />}
          />
        ) : (
          <NewChat
            composer={composer}
            sidebarToggle={<SidebarToggle open={sidebarOpen} onToggle={() => setSidebarOpen((o) => !o)} />}
          />
        )}
      </section>
    </div>
  );
}

function SidebarToggle({ open, onToggle }: { open: boolean; onToggle: () => void }) {
  return (
    <button
      type="button"
      className={`icon-button ${cs.chatSidebarToggle}`}
      aria-expanded={open}
      aria-controls="chat-sidebar"
      aria-label="Conversations"
      onClick={onToggle}
    >
      <svg aria-hidden="true" viewBox="0 0 24 24" width="20" height="20" fill="none" stroke="currentColor" strokeWidth="2">
        <path d="M4 6h16M4 12h16M4 18h16" strokeLinecap="round" />
      </svg>
    </button>
  );
}

function OfflineBadge() {
  // Not shown once the user has connected their own model: their replies come from it.
  if (!useOfflineAi()) return null;
  return (
    <span className="offline-badge">
      Offline AI — replies are generated locally without a model · <Link to="/settings#ai-model">Connect a model</Link>
    </span>
  );
}

function ChatHeader({ title, sub, toggle, actions }: { title: string; sub?: ReactNode; toggle: ReactNode; actions?: ReactNode }) {
  return (
    <header className={cs.chatHeader}>
      {toggle}
      <div className={cs.chatHeaderText}>
        <h1>{title}</h1>
        {sub}
      </div>
      <OfflineBadge />
      {actions}
    </header>
  );
}

// ---- a new chat: pick the assistant, write the first message ----

function NewChat({ composer, sidebarToggle }: { composer: RefObject<HTMLTextAreaElement | null>; sidebarToggle: ReactNode }) {
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [assistant, setAssistant] = useState<Assistant>("companion");
  const [text, setText] = useState("");
  const generation = useGenerationError();
  /** A conversation created by a send that then failed: the retry reuses it. */
  const created = useRef<{ id: string; assistant: Assistant } | null>(null);

  const start = useMutation({
    mutationFn: async (content: string) => {
      let conversation = created.current?.assistant === assistant ? created.current : null;
      if (!conversation) {
        const c = await trpcClient.chat.create.mutate({ assistant });
        conversation = { id: c.id, assistant };
        created.current = conversation;
      }
      const result = await trpcSend(conversation.id, content);
      return { conversationId: conversation.id, result };
    },
    onMutate: () => generation.clear(),
    onSuccess: async ({ conversationId, result }) => {
      await qc.prefetchQuery(trpc.chat.get.queryOptions({ conversationId }));
      applySendResult(qc, conversationId, result);
      void qc.invalidateQueries(trpc.chat.list.pathFilter());
      created.current = null;
      setText("");
      void navigate(`/chat/${conversationId}`, { state: { keepFocus: true } });
    },
    onError: (error) => {
      generation.report(error);
      void qc.invalidateQueries(trpc.chat.list.pathFilter());
    },
    onSettled: () => refreshCredits(qc),
  });

  useEffect(() => {
    composer.current?.focus();
  }, [composer]);

  return (
    <div className={cs.chatConversation}>
      <ChatHeader title="New chat" toggle={sidebarToggle} />
      <div className={cs.chatScroll}>
        <div className={cs.chatEmpty}>
          <h2 className={cs.chatEmptyTitle}>Who would you like to talk to?</h2>
          <fieldset className={cs.assistantPicker}>
            <legend className="visually-hidden">Assistant</legend>
            {(["companion", "tutor"] as const).map((a) => (
              <label key={a} className={`${cs.assistantOption}${assistant === a ? " selected" : ""}`} data-assistant={a}>
                <input type="radio" name="assistant" value={a} checked={assistant === a} onChange={() => setAssistant(a)} />
                <span className={cs.assistantOptionName}>{ASSISTANT_LABELS[a]}</span>
                <span className="muted small">{ASSISTANT_BLURBS[a]}</span>
              </label>
            ))}
          </fieldset>
        </div>
      </div>
      <div className={cs.chatFooter}>
        <GenerationError state={generation} operation="chat.reply" onRetry={() => start.mutate(text)} />
        <Composer
          value={text}
          onChange={setText}
          onSend={() => start.mutate(text)}
          onStop={() => {}}
          streaming={false}
          sending={start.isPending}
          generation={generation}
          placeholder={`Message ${ASSISTANT_LABELS[assistant]}…`}
          textareaRef={composer}
        />
      </div>
    </div>
  );
}

// Create, then send, inside one mutation: the vanilla client.
const trpcSend = (conversationId: string, content: string) =>
  trpcClient.chat.send.mutate({ conversationId, content, idempotencyKey: newIdempotencyKey() });

// ---- an open conversation ----

function Conversation({
  conversationId,
  composer,
  sidebarToggle,
}: {
  conversationId: string;
  composer: RefObject<HTMLTextAreaElement | null>;
  sidebarToggle: ReactNode;
}) {
  const qc = useQueryClient();
  const generation = useGenerationError();
  const query = useQuery({
    ...trpc.chat.get.queryOptions({ conversationId }),
    // While a reply streams the subscription is the truth; a refetch would only show an older snapshot.
    refetchOnWindowFocus: false,
  });
  const data = query.data;
  const messages = data?.messages ?? [];
  const streamingMessage = messages.find((m) => m.role === "assistant" && m.status === "streaming") ?? null;
  const [documentsOpen, setDocumentsOpen] = useState(false);

  // ---- the draft: restored once, saved (debounced) as it changes ----
  const [text, setText] = useState("");
  const restored = useRef(false);
  const savedDraft = useRef("");
  const [savedNote, setSavedNote] = useState<string | null>(null);
  useEffect(() => {
    if (!data || restored.current) return;
    restored.current = true;
    savedDraft.current = data.conversation.draft;
    setText(data.conversation.draft);
    composer.current?.focus();
  }, [data, composer]);
  const saveDraft = useMutation(trpc.chat.saveDraft.mutationOptions());
  const saveDraftRef = useRef(saveDraft.mutate);
  saveDraftRef.current = saveDraft.mutate;
  const pendingDraft = useRef<string | null>(null);
  useEffect(() => {
    if (!restored.current || text === savedDraft.current) return;
    pendingDraft.current = text;
    const t = setTimeout(() => {
      pendingDraft.current = null;
      savedDraft.current = text;
      saveDraftRef.current(
        { conversationId, draft: text.slice(0, 8000) },
        { onSuccess: () => setSavedNote(text ? "Draft saved" : null) },
      );
    }, 700);
    return () => clearTimeout(t);
  }, [text, conversationId]);
  // Leaving the conversation with an unsaved draft: save it now.
  useEffect(
    () => () => {
      if (pendingDraft.current !== null) {
        saveDraftRef.current({ conversationId, draft: pendingDraft.current.slice(0, 8000) });
      }
    },
    [conversationId],
  );

  // ---- send / regenerate / edit / stop / feedback ----
  const lastAction = useRef<(() => void) | null>(null);
  const afterReply = useCallback(() => {
    void qc.invalidateQueries(trpc.chat.list.pathFilter());
    void refreshCredits(qc);
  }, [qc]);
  const onRefused = (error: unknown) => {
    generation.report(error);
    void qc.invalidateQueries({ queryKey: conversationKey(conversationId) });
  };

  const send = useMutation(
    trpc.chat.send.mutationOptions({
      onMutate: () => generation.clear(),
      onSuccess: (result) => {
        savedDraft.current = "";
        setSavedNote(null);
        applySendResult(qc, conversationId, result);
        afterReply();
      },
      onError: (error, input) => {
        // Nothing was kept: give the text back.
        setText((t) => (t ? t : input.content));
        onRefused(error);
      },
    }),
  );
  const regenerate = useMutation(
    trpc.chat.regenerate.mutationOptions({
      onMutate: () => generation.clear(),
      onSuccess: (result) => {
        applySendResult(qc, conversationId, result);
        afterReply();
      },
      onError: onRefused,
    }),
  );
  const editLast = useMutation(
    trpc.chat.editLast.mutationOptions({
      onMutate: () => generation.clear(),
      onSuccess: (result) => {
        applySendResult(qc, conversationId, result);
        afterReply();
      },
      onError: onRefused,
    }),
  );
  const stop = useMutation(
    trpc.chat.stop.mutationOptions({
      onSuccess: (message) => {
        patchMessage(qc, conversationId, message.id, message);
        afterReply();
      },
    }),
  );
  const feedback = useMutation(
    trpc.chat.feedback.mutationOptions({
      onMutate: ({ messageId, feedback: value }) => patchMessage(qc, conversationId, messageId, { feedback: value }),
      onError: () => void qc.invalidateQueries({ queryKey: conversationKey(conversationId) }),
    }),
  );

  const sending = send.isPending || regenerate.isPending || editLast.isPending;
  const busy = sending || streamingMessage !== null;

  const doSend = () => {
    const content = text;
    const key = newIdempotencyKey();
    const run = () => send.mutate({ conversationId, content, idempotencyKey: key });
    lastAction.current = run;
    setText("");
    run();
  };
  const doStop = () => {
    if (streamingMessage && !stop.isPending) stop.mutate({ messageId: streamingMessage.id });
  };

  // Esc stops a reply from anywhere in the conversation.
  useEffect(() => {
    if (!streamingMessage) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape" && !e.defaultPrevented) doStop();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  });

  // ---- stay at the bottom while the reader is there ----
  const scroller = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const [tick, setTick] = useState(0);
  const onGrow = useCallback(() => setTick((t) => t + 1), []);
  useLayoutEffect(() => {
    const el = scroller.current;
    if (el && atBottom.current) el.scrollTop = el.scrollHeight;
  }, [messages.length, tick, sending, messages.at(-1)?.status]);

  if (query.isPending) {
    return (
      <div className={cs.chatConversation}>
        <ChatHeader title="Loading…" toggle={sidebarToggle} />
        <div className={cs.chatScroll} role="status">
          <span className="spinner" aria-hidden="true" /> Loading the conversation…
        </div>
      </div>
    );
  }
  if (query.isError || !data) {
    const problem = describeError(query.error);
    return (
      <div className={cs.chatConversation}>
        <ChatHeader
          title={problem.code === "NOT_FOUND" ? "Conversation not found" : "Couldn't load the conversation"}
          toggle={sidebarToggle}
        />
        <div className={cs.chatScroll}>
          <div className={cs.chatEmpty}>
            <p className="muted">{problem.code === "NOT_FOUND" ? "It may have been deleted." : problem.message}</p>
            <p>
              <Link to="/chat" className="btn btn-primary">
                Start a new chat
              </Link>
            </p>
          </div>
        </div>
      </div>
    );
  }

  const { conversation } = data;
  const lastUser = messages.findLast((m) => m.role === "user");
  const last = messages.at(-1);
  const pendingUser = send.isPending ? send.variables?.content : null;

  return (
    <div className={cs.chatConversation}>
      <ChatHeader
        title={conversation.title}
        toggle={sidebarToggle}
        sub={<AssistantTag assistant={conversation.assistant} />}
        actions={
          conversation.assistant === "tutor" ? (
            <button
              type="button"
              className="btn btn-secondary btn-small"
              aria-expanded={documentsOpen}
              aria-controls="chat-documents"
              onClick={() => setDocumentsOpen((o) => !o)}
            >
              Documents
            </button>
          ) : undefined
        }
      />
      {conversation.assistant === "tutor" && documentsOpen && (
        <DocumentsPanel id="chat-documents" conversationId={conversationId} />
      )}
      <div
        className={cs.chatScroll}
        ref={scroller}
        onScroll={(e) => {
          const el = e.currentTarget;
          atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
        }}
      >
        <div className={cs.messageList} role="log" aria-live="polite" aria-relevant="additions" aria-label="Messages">
          {messages.length === 0 && !pendingUser && (
            <div className={cs.chatEmpty}>
              <p className={cs.chatEmptyTitle}>Say hello to your {ASSISTANT_LABELS[conversation.assistant]}.</p>
              <p className="muted small">{ASSISTANT_BLURBS[conversation.assistant]}</p>
            </div>
          )}
          {messages.map((m) =>
            m.role === "user" ? (
              <UserMessage
                key={m.id}
                message={m}
                editable={m.id === lastUser?.id && !busy}
                busy={busy}
                onEdit={(content) => {
                  const run = () => editLast.mutate({ conversationId, content });
                  lastAction.current = run;
                  run();
                }}
              />
            ) : m.role === "assistant" && m.toolCalls?.length && !m.content ? (
              // A tool-calling step of a reply: show what was called, not an empty bubble.
              <div key={m.id} className={`${cs.message} message-tool`} data-role="tool-call">
                {m.toolCalls.map((call) => (
                  <ToolCard key={call.id} name={call.name}>
                    Called with {call.arguments.length > 120 ? `${call.arguments.slice(0, 117)}…` : call.arguments}
                  </ToolCard>
                ))}
              </div>
            ) : m.role === "assistant" ? (
              m.status === "streaming" ? (
                <StreamingReply key={m.id} message={m} conversationId={conversationId} onGrow={onGrow} onSettled={afterReply} />
              ) : (
                <AssistantMessage
                  key={m.id}
                  message={m}
                  text={m.content}
                  streaming={false}
                  isLast={m.id === last?.id}
                  busy={busy}
                  onRegenerate={() => {
                    const run = () => regenerate.mutate({ conversationId });
                    lastAction.current = run;
                    run();
                  }}
                  onFeedback={(value) => feedback.mutate({ messageId: m.id, feedback: value })}
                />
              )
            ) : m.role === "tool" ? (
              <ToolMessage key={m.id} message={m} />
            ) : null,
          )}
          {pendingUser && (
            <>
              <UserMessage message={{ id: "pending", content: pendingUser }} editable={false} busy onEdit={() => {}} />
              <article className={`${cs.message} ${cs.messageAssistant} status-streaming`} aria-label="Reply">
                <p className={cs.typing}>
                  <span className="visually-hidden">Sending…</span>
                  <span />
                  <span />
                  <span />
                </p>
              </article>
            </>
          )}
        </div>
      </div>
      <div className={cs.chatFooter}>
        <GenerationError state={generation} operation="chat.reply" onRetry={() => lastAction.current?.()} />
        <Composer
          value={text}
          onChange={setText}
          onSend={doSend}
          onStop={doStop}
          streaming={streamingMessage !== null}
          sending={sending}
          generation={generation}
          placeholder={`Message ${ASSISTANT_LABELS[conversation.assistant]}…`}
          textareaRef={composer}
          savedNote={savedNote}
        />
      </div>
    </div>
  );
}

/** A reply being written: follows chat.stream from the text already shown, then settles it in the cache. */
function StreamingReply({
  message,
  conversationId,
  onGrow,
  onSettled,
}: {
  message: ChatMessage;
  conversationId: string;
  onGrow: () => void;
  onSettled: () => void;
}) {
  const qc = useQueryClient();
  const stream = useReplyStream(message.id, message.content, (text, final) => {
    void settleMessage(qc, conversationId, message.id, {
      content: text,
      status: final.status,
      metadata: final.metadata,
      error: final.error,
    }).then(onSettled);
    // The title is written in the background after the first exchange.
    setTimeout(() => {
      void qc.invalidateQueries({ queryKey: conversationKey(conversationId) });
      void qc.invalidateQueries(trpc.chat.list.pathFilter());
    }, 1500);
  });
  useEffect(() => {
    onGrow();
  }, [stream.text, onGrow]);
  return (
    <AssistantMessage
      message={message}
      text={stream.text}
      streaming
      connectionProblem={stream.problem}
      isLast
      busy
      onRegenerate={() => {}}
      onFeedback={() => {}}
    />
  );
}
