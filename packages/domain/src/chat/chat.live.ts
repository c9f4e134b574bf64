/**
 * Replies being generated in this process, keyed by the assistant message id: their text so far, an
 * AbortController (so `stop` can end them) and the subscribers waiting for more (the event bus that
 * feeds `chat.stream`). Generation is decoupled from any HTTP request: the browser may leave, the reply
 * keeps being written to its row.
 *
 * Single-instance only: a subscriber on another API instance does not see these events and falls back
 * to polling the row (see chat.service.ts `stream`), and `stop` there only marks the row. A multi-instance
 * deployment should put this bus on Postgres LISTEN/NOTIFY (NOTIFY per batch with the message id and
 * offset, subscribers LISTEN and read the row) and route `stop` through it too.
 */
import type { MessageMetadata, MessageStatus } from "./chat.schemas.ts";

export type LiveEvent =
  | { type: "delta"; offset: number; text: string }
  | {
      type: "final";
      status: Exclude<MessageStatus, "streaming">;
      length: number;
      metadata: MessageMetadata;
      error: string | null;
    };

export interface LiveGeneration {
  readonly messageId: string;
  readonly userId: string;
  readonly conversationId: string;
  text: string;
  readonly controller: AbortController;
  /** Set once the reply is settled in the database. */
  final: Extract<LiveEvent, { type: "final" }> | null;
  readonly listeners: Set<(event: LiveEvent) => void>;
  /** Resolves when the reply is settled (tests and shutdown wait on it). */
  readonly done: Promise<void>;
}

const running = new Map<string, LiveGeneration & { resolve(): void }>();

export function startLive(messageId: string, userId: string, conversationId: string): LiveGeneration {
  let resolve!: () => void;
  const done = new Promise<void>((r) => {
    resolve = r;
  });
  const live = {
    messageId,
    userId,
    conversationId,
    text: "",
    controller: new AbortController(),
    final: null,
    listeners: new Set<(event: LiveEvent) => void>(),
    done,
    resolve,
  };
  running.set(messageId, live);
  return live;
}

export function getLive(messageId: string): LiveGeneration | undefined {
  return running.get(messageId);
}

export function isConversationBusy(conversationId: string): boolean {
  for (const live of running.values()) if (live.conversationId === conversationId && !live.final) return true;
  return false;
}

export function emitDelta(live: LiveGeneration, text: string) {
  const offset = live.text.length;
  live.text += text;
  const event: LiveEvent = { type: "delta", offset, text };
  for (const listener of live.listeners) listener(event);
}

export function emitFinal(live: LiveGeneration, final: Extract<LiveEvent, { type: "final" }>) {
  live.final = final;
  for (const listener of live.listeners) listener(final);
  live.listeners.clear();
  running.delete(live.messageId);
  (live as LiveGeneration & { resolve(): void }).resolve();
}

/** Forgets a generation that never started (refused before the model call); nobody is subscribed yet. */
export function discardLive(live: LiveGeneration) {
  running.delete(live.messageId);
  (live as LiveGeneration & { resolve(): void }).resolve();
}

export function abortConversation(conversationId: string) {
  for (const live of running.values()) if (live.conversationId === conversationId) live.controller.abort();
}

/** Every running reply's settlement (for graceful shutdown and tests). */
export function allDone(): Promise<void> {
  return Promise.all([...running.values()].map((l) => l.done)).then(() => undefined);
}
