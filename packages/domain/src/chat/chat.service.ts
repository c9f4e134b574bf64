/**
 * Chat for both assistants. Conversation CRUD runs in the caller's RLS transaction. Replies are
 * generated with NO transaction open: `send` commits the user's message and a 'streaming' placeholder,
 * takes the rate limit and the credit hold (so PAYMENT_REQUIRED / TOO_MANY_REQUESTS come back from
 * `send` itself, before any model call), and returns; the reply then streams from the provider in
 * this process, independent of the request, and is appended to its row in small batches. `stream`
 * replays what is saved from an offset and follows the live events (chat.live.ts).
 */
import { asUser, type Database, type Tx } from "@inkwell/db";
import { type AiProvider, CRISIS_RESPONSE, classifyCrisis, fitToContext } from "../ai/index.ts";
import { credits, priceOf } from "../credits/index.ts";
import * as generation from "../generation/index.ts";
import { DomainError, notFound } from "../platform/errors.ts";
import type { Actor } from "../usage/index.ts";
import * as ctxfit from "./chat.context.ts";
import { GROUNDING_TOKENS } from "./chat.documents.ts";
import * as live from "./chat.live.ts";
import { type ChatDeps, engineOf, errorText, OPERATION, type Prepared, REPLY_MAX_TOKENS, startReply } from "./chat.reply.ts";
import * as repo from "./chat.repository.ts";
import type {
  Assistant,
  ChatMessageView,
  Conversation,
  CreateConversationInput,
  ListConversationsInput,
  SendInput,
  SendResult,
  StreamEvent,
} from "./chat.schemas.ts";

export {
  addDocument,
  chunkText,
  deleteDocument,
  documentPassages,
  GROUNDING_TOKENS,
  listDocuments,
} from "./chat.documents.ts";
export {
  type ChatDeps,
  MAX_TOOL_CALLS_PER_ROUND,
  MAX_TOOL_ROUNDS,
  partialCredits,
  REPLY_MAX_TOKENS,
} from "./chat.reply.ts";

// ---- conversations (in the caller's transaction) ----

export function createConversation(tx: Tx, userId: string, input: CreateConversationInput): Promise<Conversation> {
  return repo.insertConversation(tx, userId, input.assistant, input.title);
}

export async function renameConversation(tx: Tx, conversationId: string, title: string) {
  const c = await repo.updateConversation(tx, conversationId, { title, title_source: "user" });
  if (!c) throw notFound("Conversation");
  return c;
}

export async function saveDraft(tx: Tx, conversationId: string, draft: string) {
  const c = await repo.updateConversation(tx, conversationId, { draft });
  if (!c) throw notFound("Conversation");
  return c;
}

export async function deleteConversation(tx: Tx, conversationId: string) {
  if (!(await repo.deleteConversation(tx, conversationId))) throw notFound("Conversation");
  // Its replies have nowhere to go: stop generating them (nothing is charged for a deleted reply's rest).
  generation.defaultEngine.abortGroup(conversationId);
}

export function listConversations(tx: Tx, input: ListConversationsInput) {
  return repo.listConversations(tx, input);
}

export async function getConversation(tx: Tx, conversationId: string) {
  const conversation = await repo.findConversation(tx, conversationId);
  if (!conversation) throw notFound("Conversation");
  return { conversation, messages: await repo.listMessages(tx, conversationId) };
}

export async function setFeedback(tx: Tx, messageId: string, feedback: -1 | 1 | null) {
  const m = await repo.findMessage(tx, messageId);
  if (m?.role !== "assistant") throw notFound("Message");
  return (await repo.setFeedback(tx, messageId, feedback)) as ChatMessageView;
}

// ---- replies (no transaction held across the model call) ----

function isCrisis(assistant: Assistant, text: string): boolean {
  // The companion is the assistant people confide in; the tutor's content is coursework.
  if (assistant !== "companion") return false;
  return classifyCrisis(text).crisis;
}

async function lockIdle(deps: ChatDeps, tx: Tx, conversationId: string) {
  const conversation = await repo.findConversation(tx, conversationId, { lock: true });
  if (!conversation) throw notFound("Conversation");
  if (engineOf(deps).isGroupBusy(conversationId)) {
    throw new DomainError("PRECONDITION_FAILED", "A reply is still being written. Wait for it or stop it first.");
  }
  return conversation;
}

/**
 * A reply still streaming in this conversation, written by any API instance (the engine's busy check
 * sees only this process's): refused, and the caller's transaction rolls back. Read from the history
 * taken under the conversation's lock, so it costs no extra statement. A reply left streaming by a dead
 * process blocks until the stale sweep fails it.
 */
function assertNoOtherReplyStreaming(history: ChatMessageView[], except?: string) {
  if (history.some((m) => m.status === "streaming" && m.id !== except)) {
    throw new DomainError("PRECONDITION_FAILED", "A reply is still being written. Wait for it or stop it first.");
  }
}

/** Appends the assistant's turn after `userMessage`: the fixed crisis reply, or a placeholder to stream into. */
async function appendReply(
  deps: ChatDeps,
  tx: Tx,
  userId: string,
  conversation: Conversation,
  userMessage: ChatMessageView,
  crisis: boolean,
): Promise<Prepared> {
  const seq = await repo.nextSeq(tx, conversation.id);
  if (crisis) {
    const assistantMessage = await repo.insertMessage(tx, {
      conversationId: conversation.id,
      userId,
      seq,
      role: "assistant",
      content: CRISIS_RESPONSE,
      status: "complete",
      safety: true,
      metadata: { model: "safety", credits: 0 },
    });
    return { conversation, userMessage, assistantMessage, context: null, dropped: [], firstExchange: false };
  }
  const assistantMessage = await repo.insertMessage(tx, {
    conversationId: conversation.id,
    userId,
    seq,
    role: "assistant",
    content: "",
    status: "streaming",
  });
  return replyContext(deps, conversation, userMessage, assistantMessage, await repo.listMessages(tx, conversation.id));
}

/** What the model is asked: the conversation up to the placeholder, fitted to the context window. */
function replyContext(
  deps: ChatDeps,
  conversation: Conversation,
  userMessage: ChatMessageView,
  assistantMessage: ChatMessageView,
  history: ChatMessageView[],
): Prepared {
  const all = ctxfit.contextMessages(conversation.assistant, history, assistantMessage.seq);
  // A tutor's request also carries workspace passages: keep room for them.
  const reserve = REPLY_MAX_TOKENS + (conversation.assistant === "tutor" ? GROUNDING_TOKENS : 0);
  const fitted = fitToContext(all, { maxInputTokens: deps.contextTokens ?? 16_000, reserveForOutput: reserve });
  const firstExchange = !history.some((m) => m.role === "assistant" && m.id !== assistantMessage.id && !m.safety);
  return {
    conversation,
    userMessage,
    assistantMessage,
    context: fitted.messages,
    dropped: fitted.droppedMessages,
    firstExchange,
  };
}

/**
 * The send transaction is on the way to the provider's request (time to first token), so it is kept to
 * four statements: the replay check, the conversation's lock (the UPDATE clearing the draft takes it),
 * both messages in one INSERT, and the history for the context. (It was nine.)
 */
export async function send(deps: ChatDeps, actor: Actor, input: SendInput): Promise<SendResult> {
  const content = input.content.trim();
  const prepared = await asUser(deps.db, actor.userId, async (tx): Promise<Prepared> => {
    // A retried send (same key) returns the first result and never runs twice.
    const replayed = await repo.findByIdempotencyKey(tx, input.conversationId, input.idempotencyKey);
    if (replayed) {
      if (replayed.content !== content)
        throw new DomainError("CONFLICT", "This message key was already used for another message.");
      const found = await repo.findConversation(tx, input.conversationId);
      if (!found) throw notFound("Conversation");
      const reply = await repo.findNext(tx, input.conversationId, replayed.seq);
      if (!reply) throw new DomainError("PRECONDITION_FAILED", "This message's reply was removed.");
      return {
        conversation: found,
        userMessage: replayed,
        assistantMessage: reply,
        context: null,
        dropped: [],
        firstExchange: false,
      };
    }
    // Locks the conversation (serialising its writers, so seqs never clash) and clears its draft.
    const conversation = await repo.updateConversation(tx, input.conversationId, { draft: "" });
    if (!conversation) throw notFound("Conversation");
    if (engineOf(deps).isGroupBusy(conversation.id)) {
      throw new DomainError("PRECONDITION_FAILED", "A reply is still being written. Wait for it or stop it first.");
    }
    const crisis = isCrisis(conversation.assistant, content);
    const turn = await repo.insertTurn(tx, {
      conversationId: conversation.id,
      userId: actor.userId,
      user: { content, safety: crisis, idempotencyKey: input.idempotencyKey },
      reply: crisis
        ? { content: CRISIS_RESPONSE, status: "complete", safety: true, metadata: { model: "safety", credits: 0 } }
        : { content: "", status: "streaming", safety: false, metadata: {} },
    });
    if (crisis) {
      return { conversation, ...turn, context: null, dropped: [], firstExchange: false };
    }
    const history = await repo.listMessages(tx, conversation.id);
    assertNoOtherReplyStreaming(history, turn.assistantMessage.id);
    return replyContext(deps, conversation, turn.userMessage, turn.assistantMessage, history);
  });
  if (!prepared.context) return { userMessage: prepared.userMessage, assistantMessage: prepared.assistantMessage };
  try {
    await startReply(deps, actor, prepared);
  } catch (error) {
    // Refused before any model call (credits, rate limit): leave no trace; the client still has the text.
    await asUser(deps.db, actor.userId, (tx) => repo.deleteMessages(tx, [prepared.assistantMessage.id, prepared.userMessage.id]));
    throw error;
  }
  return { userMessage: prepared.userMessage, assistantMessage: prepared.assistantMessage };
}

/**
 * Regenerate and edit replace a reply that exists: check the credits first, so a user who is out of
 * credits keeps the reply they have instead of trading it for a failed one. (The hold taken later
 * remains the real guard; this only spares the common case.)
 */
async function assertCanAffordReply(deps: ChatDeps, actor: Actor) {
  const price = priceOf(OPERATION);
  const balance = await asUser(deps.db, actor.userId, (tx) => credits.balance(tx, actor.userId));
  if (balance.available < price) {
    throw new DomainError(
      "INSUFFICIENT_CREDITS",
      `This needs ${price} credits and you have ${balance.available} available. Add credits or wait for your monthly grant.`,
      { credits: { needed: price, available: balance.available } },
    );
  }
}

/** Replaces the last reply with a new one to the same user message. */
export async function regenerate(deps: ChatDeps, actor: Actor, conversationId: string): Promise<SendResult> {
  await assertCanAffordReply(deps, actor);
  const prepared = await asUser(deps.db, actor.userId, async (tx) => {
    const conversation = await lockIdle(deps, tx, conversationId);
    const history = await repo.listMessages(tx, conversationId);
    assertNoOtherReplyStreaming(history);
    const last = history.at(-1);
    // The reply is everything after the last user message (its tool steps, then the text).
    const prompt = history.findLast((m) => m.role === "user");
    const reply = prompt ? history.filter((m) => m.seq > prompt.seq) : [];
    if (last?.role !== "assistant" || !prompt || reply.some((m) => m.role !== "assistant" && m.role !== "tool")) {
      throw new DomainError("PRECONDITION_FAILED", "There is no reply to regenerate.");
    }
    if (last.safety) throw new DomainError("PRECONDITION_FAILED", "This reply can't be regenerated.");
    await repo.deleteMessages(
      tx,
      reply.map((m) => m.id),
    );
    return appendReply(deps, tx, actor.userId, conversation, prompt, false);
  });
  return runOrFail(deps, actor, prepared);
}

/** Edits the last user message and answers it again (the old reply is replaced). */
export async function editLast(deps: ChatDeps, actor: Actor, conversationId: string, text: string): Promise<SendResult> {
  const content = text.trim();
  await assertCanAffordReply(deps, actor);
  const prepared = await asUser(deps.db, actor.userId, async (tx) => {
    const conversation = await lockIdle(deps, tx, conversationId);
    const history = await repo.listMessages(tx, conversationId);
    assertNoOtherReplyStreaming(history);
    const lastUser = history.findLast((m) => m.role === "user");
    if (!lastUser) throw new DomainError("PRECONDITION_FAILED", "There is no message to edit.");
    const crisis = isCrisis(conversation.assistant, content);
    await repo.deleteMessagesFrom(tx, conversationId, lastUser.seq + 1);
    await repo.setUserContent(tx, lastUser.id, content, crisis);
    return appendReply(deps, tx, actor.userId, conversation, { ...lastUser, content, safety: crisis }, crisis);
  });
  return runOrFail(deps, actor, prepared);
}

async function runOrFail(deps: ChatDeps, actor: Actor, prepared: Prepared): Promise<SendResult> {
  const result = { userMessage: prepared.userMessage, assistantMessage: prepared.assistantMessage };
  if (!prepared.context) return result;
  try {
    await startReply(deps, actor, prepared);
  } catch (error) {
    await asUser(deps.db, actor.userId, (tx) =>
      repo.finishMessage(tx, prepared.assistantMessage.id, {
        content: "",
        status: "failed",
        metadata: {},
        error: errorText(error),
      }),
    );
    throw error;
  }
  return result;
}

/** Stops a reply being written; what was written stays, and only that is charged. */
export async function stop(deps: Pick<ChatDeps, "db" | "engine">, userId: string, messageId: string): Promise<ChatMessageView> {
  const m = await asUser(deps.db, userId, (tx) => repo.findMessage(tx, messageId));
  if (m?.role !== "assistant") throw notFound("Message");
  if (m.status !== "streaming") return m;
  const gen = live.getLive(engineOf(deps), messageId);
  if (gen && gen.userId === userId) {
    gen.controller.abort(new DomainError("PRECONDITION_FAILED", "Stopped"));
    await gen.done;
  } else {
    // Not running in this process (another instance, or a dead one): settle the row as it stands; the
    // credits sweep releases the hold, so it costs nothing.
    await asUser(deps.db, userId, async (tx) => {
      await repo.finishMessage(tx, messageId, { content: m.content, status: "stopped", metadata: {}, error: null });
      await engineOf(deps).bus.notify(tx, live.channelOf(messageId), generation.REFETCH);
    });
  }
  return (await asUser(deps.db, userId, (tx) => repo.findMessage(tx, messageId))) as ChatMessageView;
}

/** Checks the caller may read the message (NOT_FOUND otherwise), then returns its event stream. */
export async function openStream(
  deps: Pick<ChatDeps, "db" | "engine">,
  userId: string,
  messageId: string,
  fromOffset: number,
  signal?: AbortSignal,
): Promise<AsyncGenerator<StreamEvent>> {
  const m = await asUser(deps.db, userId, (tx) => repo.findMessage(tx, messageId));
  if (m?.role !== "assistant") throw notFound("Message");
  return streamFrom(deps, userId, messageId, fromOffset, signal);
}

/**
 * The reply from `fromOffset`: what is written (this process's text, or the row), then the deltas as
 * they come, until the final event. Only the part past what the client has is sent; a delta past it
 * (a missed notice) or a final longer than it reads the row again.
 */
function streamFrom(
  deps: Pick<ChatDeps, "db" | "engine">,
  userId: string,
  messageId: string,
  fromOffset: number,
  signal?: AbortSignal,
): AsyncGenerator<StreamEvent> {
  const engine = engineOf(deps);
  let pos = fromOffset;
  const upTo = (offset: number, text: string): StreamEvent[] => {
    const end = offset + text.length;
    if (end <= pos) return [];
    const delta: StreamEvent = { type: "delta", offset: pos, text: text.slice(pos - offset) };
    pos = end;
    return [delta];
  };
  return generation.follow<StreamEvent>({
    bus: engine.bus,
    channel: live.channelOf(messageId),
    signal,
    read: async () => {
      const gen = live.getLive(engine, messageId);
      if (gen) return { events: upTo(0, gen.text), done: false };
      const m = await asUser(deps.db, userId, (tx) => repo.findMessage(tx, messageId));
      if (!m)
        return {
          events: [{ type: "final", status: "failed", length: pos, metadata: {}, error: "This message was deleted." }],
          done: true,
        };
      const events = upTo(0, m.content);
      if (m.status === "streaming") return { events, done: false };
      events.push({ type: "final", status: m.status, length: m.content.length, metadata: m.metadata, error: m.error });
      return { events, done: true };
    },
    receive: (raw) => {
      const event = raw as live.LiveEvent | typeof generation.REFETCH;
      if (event.type === "refetch") return "refetch";
      if (event.type === "final") return event.length > pos ? "refetch" : { events: [event], done: true };
      return event.offset > pos ? "refetch" : { events: upTo(event.offset, event.text), done: false };
    },
    // A reply generating here, or announced by notices, needs no polling: a slow re-read is a safety net.
    pollMs: () => (engine.bus.listening || engine.get(messageId) ? 5000 : 250),
  });
}

// ---- background work ----

const TITLE_PROMPT =
  "Write a short title (at most 6 words) for a conversation that starts with the message below. " +
  "Reply with the title only: no quotes, no trailing punctuation.";

export const cleanTitle = (raw: string, fallbackFrom: string) => generation.cleanTitle(raw, fallbackFrom, "New conversation");

/** The worker names a conversation after its first exchange (only while the user has not named it). */
export async function titleConversation(deps: { db: Database; ai: AiProvider }, userId: string, conversationId: string) {
  const found = await asUser(deps.db, userId, async (tx) => {
    const c = await repo.findConversation(tx, conversationId);
    return c && c.titleSource === "auto" ? { c, messages: await repo.listMessages(tx, conversationId) } : null;
  });
  if (!found) return null;
  const first = found.messages.find((m) => m.role === "user" && !m.safety);
  if (!first) return null;
  const title = await generation.generateTitle(deps.ai, TITLE_PROMPT, first.content, "New conversation");
  await asUser(deps.db, userId, (tx) => repo.setAutoTitle(tx, conversationId, title));
  return title;
}

/** Replies left 'streaming' by a process that died are marked failed (their holds expire and are released). */
export function failStaleReplies(db: Database, olderThanSeconds = 300, engine = generation.defaultEngine) {
  return generation.sweepStale(db, engine.bus, async (tx) => (await repo.failStale(tx, olderThanSeconds)).map(live.channelOf));
}

/** Resolves when every reply running in this process is settled (graceful shutdown, tests). */
export const settled = () => generation.defaultEngine.allDone();
