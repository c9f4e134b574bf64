/**
 * Chat in the web: the conversation cache, and following a reply as it streams.
 *
 * A reply being written has status 'streaming' in `chat.get`. For each such message the page opens
 * the `chat.stream` subscription (server-sent events) from the number of characters it already shows —
 * after a reload that is what the server had saved, so the stream replays only the rest. Every event
 * is tracked with the offset reached, so when the connection drops the EventSource reconnects with that
 * id and the server resumes exactly there. The final event settles the message in the cache.
 */
import type { StreamEvent } from "@inkwell/domain/chat/schemas";
import type { QueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { type Outputs, trpc, trpcClient } from "./api.ts";

export type ConversationView = Outputs["chat"]["get"];
export type ChatMessage = ConversationView["messages"][number];
export type ConversationSummary = Outputs["chat"]["list"][number];
export type SendResult = Outputs["chat"]["send"];
type Final = Extract<StreamEvent, { type: "final" }>;

export const ASSISTANT_LABELS = { companion: "Companion", tutor: "Tutor" } as const;
export const ASSISTANT_BLURBS = {
  companion: "A supportive space to talk things through.",
  tutor: "Explanations, practice and study help.",
} as const;

export const conversationKey = (conversationId: string) => trpc.chat.get.queryKey({ conversationId });

/** Send, regenerate and edit all answer with the user's message and the reply being written: everything after the user's message is replaced. */
export function applySendResult(qc: QueryClient, conversationId: string, result: SendResult) {
  qc.setQueryData(conversationKey(conversationId), (old) => {
    if (!old) return old;
    const before = old.messages.filter((m) => m.seq < result.userMessage.seq && m.id !== result.userMessage.id);
    return {
      ...old,
      conversation: { ...old.conversation, draft: "" },
      messages: [...before, result.userMessage, result.assistantMessage],
    };
  });
}

export function patchMessage(qc: QueryClient, conversationId: string, messageId: string, patch: Partial<ChatMessage>) {
  qc.setQueryData(conversationKey(conversationId), (old) =>
    old ? { ...old, messages: old.messages.map((m) => (m.id === messageId ? { ...m, ...patch } : m)) } : old,
  );
}

/**
 * A reply has settled (its final event): its text and status go into the cache. A refetch of the
 * conversation already in flight was answered with the row mid-stream; landing afterwards it would put
 * the reply back to "streaming" with partial text (and follow it again), so it is cancelled first. A
 * fetch started after the final event reads the settled row: the server settles it before telling.
 */
export async function settleMessage(qc: QueryClient, conversationId: string, messageId: string, patch: Partial<ChatMessage>) {
  await qc.cancelQueries({ queryKey: conversationKey(conversationId) });
  patchMessage(qc, conversationId, messageId, patch);
}

/** The subscription's data: a tracked event arrives as `{ id, data }`. */
function unwrap(value: unknown): StreamEvent | null {
  const v = value as { id?: string; data?: unknown; type?: string } | null;
  if (!v) return null;
  if (v.type === "delta" || v.type === "final") return v as StreamEvent;
  if (v.data && typeof v.data === "object") return unwrap(v.data);
  return null;
}

export interface ReplyStream {
  /** The reply's text so far (what was shown when the stream opened, plus what arrived). */
  text: string;
  /** Null while the connection is fine. */
  problem: string | null;
}

/**
 * Follows one reply being written, from `initial` (the text already shown). Calls `onFinal` once
 * with the settled text and the final event.
 */
export function useReplyStream(
  messageId: string | null,
  initial: string,
  onFinal: (text: string, final: Final) => void,
): ReplyStream {
  const [state, setState] = useState<ReplyStream>({ text: initial, problem: null });
  const text = useRef(initial);
  const finalRef = useRef(onFinal);
  finalRef.current = onFinal;

  useEffect(() => {
    if (!messageId) return;
    let done = false;
    // Resume from what this component already shows (a re-subscription never repeats text).
    const sub = trpcClient.chat.stream.subscribe(
      { messageId, fromOffset: text.current.length },
      {
        onData(value) {
          const event = unwrap(value);
          if (!event || done) return;
          if (event.type === "delta") {
            // Offsets make a replayed or overlapping delta harmless.
            const next = text.current.slice(0, event.offset) + event.text;
            if (next.length < text.current.length) return;
            text.current = next;
            setState({ text: next, problem: null });
          } else {
            done = true;
            const settled = text.current.slice(0, event.length);
            text.current = settled;
            setState({ text: settled, problem: null });
            finalRef.current(settled, event);
            sub.unsubscribe();
          }
        },
        onError(error) {
          if (done) return;
          setState((s) => ({ ...s, problem: error.message || "The connection was lost." }));
        },
        onConnectionStateChange(change) {
          if (done) return;
          if (change.state === "connecting" && change.error) {
            setState((s) => ({ ...s, problem: "Reconnecting…" }));
          } else if (change.state === "pending") {
            setState((s) => (s.problem ? { ...s, problem: null } : s));
          }
        },
      },
    );
    return () => {
      done = true;
      sub.unsubscribe();
    };
  }, [messageId]);

  return state;
}

/** "2 min ago", "Yesterday", "12 Mar" — short, for the conversation list. */
export function relativeTime(iso: string | Date, now = Date.now()): string {
  const t = new Date(iso).getTime();
  const s = Math.round((now - t) / 1000);
  if (s < 45) return "just now";
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86_400) return `${Math.round(s / 3600)} h ago`;
  if (s < 2 * 86_400) return "Yesterday";
  return new Date(t).toLocaleDateString(undefined, { day: "numeric", month: "short" });
}

export const newIdempotencyKey = () =>
  typeof crypto.randomUUID === "function" ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(36).slice(2)}`;
