/**
 * Chat for both assistants. Conversation CRUD runs in the caller's RLS transaction. Replies are
 * generated with NO transaction open: `send` commits the user's message and a 'streaming' placeholder,
 * takes the rate limit and the credit hold (so PAYMENT_REQUIRED / TOO_MANY_REQUESTS come back from
 * `send` itself, before any model call), and returns; the reply then streams from the provider in
 * this process, independent of the request, and is appended to its row in small batches. `stream`
 * replays what is saved from an offset and follows the live events (chat.live.ts).
 */
import { asUser, type Database, type Tx } from "@inkwell/db";
import {
  type AiProvider,
  type ChatMessage,
  CRISIS_RESPONSE,
  classifyCrisis,
  estimateTokens,
  fitToContext,
  summarizeForContext,
  type ToolCall,
} from "../ai/index.ts";
import { credits, priceOf } from "../credits/index.ts";
import {
  cleanTitle as cleanGeneratedTitle,
  defaultEngine,
  follow,
  type GenerationEngine,
  REFETCH,
  sweepStale,
  titleRequest,
  writeBehind,
} from "../generation/index.ts";
import { DomainError, notFound } from "../platform/errors.ts";
import type { Enqueue, Logger } from "../platform/queue.ts";
import { type Actor, usage } from "../usage/index.ts";
import * as ctxfit from "./chat.context.ts";
import { titleConversationJob } from "./chat.jobs.ts";
import * as live from "./chat.live.ts";
import { pdfToText } from "./chat.pdf.ts";
import * as repo from "./chat.repository.ts";
import type {
  AddDocumentInput,
  Assistant,
  ChatMessageView,
  Conversation,
  CreateConversationInput,
  ListConversationsInput,
  MessageMetadata,
  SendInput,
  SendResult,
  StreamEvent,
  WorkspaceDocument,
} from "./chat.schemas.ts";
import * as chatTools from "./chat.tools.ts";

export interface ChatDeps {
  db: Database;
  ai: AiProvider;
  enqueue: Enqueue;
  log: Logger;
  rateLimits?: Parameters<typeof usage.runMetered>[0]["rateLimits"];
  /** The model's input window; history beyond it (less room for the reply) is summarised. */
  contextTokens?: number;
  /** Streamed text is written to the row at least this often, or every `flushTokens` deltas. */
  flushMs?: number;
  flushTokens?: number;
  /** The process's generation engine (tests play two API instances with two). */
  engine?: GenerationEngine;
}

const engineOf = (deps: { engine?: GenerationEngine }) => deps.engine ?? defaultEngine;

export const REPLY_MAX_TOKENS = 1024;
/** Tool rounds per reply (then the model must answer in text), and calls run per round. */
export const MAX_TOOL_ROUNDS = 3;
export const MAX_TOOL_CALLS_PER_ROUND = 4;
const MAX_TOOL_RESULT_CHARS = 50_000;
const OPERATION = "chat.reply";

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
  defaultEngine.abortGroup(conversationId);
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

interface Prepared {
  conversation: Conversation;
  userMessage: ChatMessageView;
  assistantMessage: ChatMessageView;
  /** Null when no model call is needed (a replay, or a crisis message answered with the fixed reply). */
  context: ChatMessage[] | null;
  /** Older messages left out to fit the window; summarised into the request. */
  dropped: ChatMessage[];
  firstExchange: boolean;
}

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
  const history = await repo.listMessages(tx, conversation.id);
  const all = ctxfit.contextMessages(conversation.assistant, history, seq);
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

export async function send(deps: ChatDeps, actor: Actor, input: SendInput): Promise<SendResult> {
  const content = input.content.trim();
  const prepared = await asUser(deps.db, actor.userId, async (tx) => {
    const found = await repo.findConversation(tx, input.conversationId);
    if (!found) throw notFound("Conversation");
    // A retried send (same key) returns the first result and never runs twice.
    const replayed = await repo.findByIdempotencyKey(tx, input.conversationId, input.idempotencyKey);
    if (replayed) {
      if (replayed.content !== content)
        throw new DomainError("CONFLICT", "This message key was already used for another message.");
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
    const conversation = await lockIdle(deps, tx, input.conversationId);
    const crisis = isCrisis(conversation.assistant, content);
    const userMessage = await repo.insertMessage(tx, {
      conversationId: conversation.id,
      userId: actor.userId,
      seq: await repo.nextSeq(tx, conversation.id),
      role: "user",
      content,
      status: "complete",
      safety: crisis,
      idempotencyKey: input.idempotencyKey,
    });
    await repo.updateConversation(tx, conversation.id, { draft: "" });
    return appendReply(deps, tx, actor.userId, conversation, userMessage, crisis);
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

function errorText(error: unknown): string {
  if (error instanceof DomainError) return error.message.slice(0, 1000);
  return "The reply could not be generated. Try again.";
}

/** Credits for a reply stopped part-way: in proportion to what was written, nothing if nothing was. */
export function partialCredits(outputTokens: number, price = priceOf(OPERATION)): number {
  if (outputTokens <= 0) return 0;
  return Math.min(price, Math.max(1, Math.ceil((price * outputTokens) / REPLY_MAX_TOKENS)));
}

/**
 * Starts generating into the placeholder. Resolves once the rate limit and the credit hold are taken
 * (rejecting with their error otherwise); the generation itself continues in the background.
 */
function startReply(deps: ChatDeps, actor: Actor, p: Prepared): Promise<void> {
  const messageId = p.assistantMessage.id;
  const context = p.context as ChatMessage[];
  const engine = engineOf(deps);
  const channel = live.channelOf(messageId);
  const gen = live.startLive(engine, messageId, actor.userId, p.conversation.id);
  // Batched appends, each with its notice (the batch and its offset) to other instances.
  let written = 0;
  const appends = writeBehind({
    flushMs: deps.flushMs ?? 100,
    flushDeltas: deps.flushTokens ?? 20,
    log: deps.log,
    key: messageId,
    write: (text) => {
      // Writes run one after another, so this batch starts where the last one ended.
      const offset = written;
      written += text.length;
      return asUser(deps.db, actor.userId, async (tx) => {
        await repo.appendContent(tx, messageId, text);
        await engine.bus.notify(tx, channel, { type: "delta", offset, text } satisfies live.LiveEvent);
      });
    },
  });

  const settle = async (status: "complete" | "stopped" | "failed", metadata: MessageMetadata, error: string | null) => {
    await appends.drain();
    const final: live.FinalEvent = { type: "final", status, length: gen.text.length, metadata, error };
    const saved = await asUser(deps.db, actor.userId, async (tx) => {
      const row = await repo.finishMessage(tx, messageId, { content: gen.text, status, metadata, error });
      await engine.bus.notify(tx, channel, final);
      return row;
    }).catch((err) => deps.log.error({ err, messageId }, "could not settle a chat reply"));
    // Separately from the reply: a title is a nicety and must never roll the reply back.
    if (saved && status === "complete" && p.firstExchange && p.conversation.titleSource === "auto") {
      await asUser(deps.db, actor.userId, (tx) =>
        deps.enqueue(tx, titleConversationJob, { userId: actor.userId, conversationId: p.conversation.id }),
      ).catch((err) => deps.log.warn({ err, messageId }, "could not enqueue the conversation title"));
    }
    live.emitFinal(gen, final);
  };

  const work = async (started: () => void) => {
    const startedAt = performance.now();
    try {
      const outcome = await usage.runMetered(
        deps,
        actor,
        {
          operation: OPERATION,
          idempotencyKey: `chat.reply:${messageId}`,
          request: { conversationId: p.conversation.id, messageId },
          topic: p.conversation.title,
          provider: deps.ai.name,
        },
        async () => {
          started();
          let done: { model: string; usage: { inputTokens: number; outputTokens: number } } | null = null;
          let stopped = false;
          let messages = context;
          let summaryTokens = 0;
          if (p.dropped.length) {
            // Part of this reply's cost: the gist of what no longer fits, as a system note after the prompt.
            // Recomputed per reply (not stored); a failed summary just means less memory, not a failed reply.
            const summary = await summarizeForContext(deps.ai, p.dropped, {
              signal: gen.controller.signal,
              onResult: (r) => {
                summaryTokens = r.usage.inputTokens + r.usage.outputTokens;
              },
            }).catch((err) => {
              if (!gen.controller.signal.aborted) deps.log.warn({ err, messageId }, "could not summarise older messages");
              return null;
            });
            if (summary) messages = [...context.slice(0, 1), summary, ...context.slice(1)];
          }
          if (p.conversation.assistant === "tutor") {
            const grounding = await groundingFor(
              deps,
              actor.userId,
              p.conversation.id,
              p.userMessage.content,
              gen.controller.signal,
            );
            if (grounding) {
              messages = [...messages.slice(0, 1), grounding.message, ...messages.slice(1)];
              summaryTokens += grounding.tokens;
            }
          }
          // The tool loop. Every model call of this reply (each round, the tools' own calls) is inside this
          // one metered call, so a reply is one `chat.reply` charge whatever tools it used: the price
          // covers the extra round(s), and the generation records all their tokens.
          const tools = chatTools.toolsFor(p.conversation.assistant);
          const toolsCalled: string[] = [];
          let inputTokens = summaryTokens;
          let outputTokens = 0;
          let model = "unknown";
          for (let round = 0; ; round++) {
            // The last round may not call tools, so the loop always ends in a text answer.
            const offer = tools.length > 0 && round < MAX_TOOL_ROUNDS;
            const calls: ToolCall[] = [];
            let roundText = "";
            let separated = false;
            done = null;
            try {
              for await (const event of deps.ai.chatStream(
                {
                  messages,
                  maxTokens: REPLY_MAX_TOKENS,
                  ...(tools.length ? { tools, toolChoice: offer ? ("auto" as const) : ("none" as const) } : {}),
                },
                { signal: gen.controller.signal },
              )) {
                if (event.type === "delta") {
                  if (!event.text) continue;
                  // Text after a tool step continues the same reply: keep it apart from what came before.
                  const text = !separated && gen.text && !roundText && !/\s$/.test(gen.text) ? `\n\n${event.text}` : event.text;
                  separated = true;
                  roundText += event.text;
                  live.emitDelta(gen, text);
                  appends.add(text);
                } else if (event.type === "tool_call") {
                  calls.push({ id: event.id, name: event.name, arguments: event.arguments });
                } else if (event.type === "done") {
                  done = event;
                }
              }
            } catch (error) {
              if (!gen.controller.signal.aborted) throw error;
              stopped = true;
            }
            if (gen.controller.signal.aborted) stopped = true;
            inputTokens += done?.usage.inputTokens ?? estimateTokens(messages.map((m) => m.content).join("\n"));
            outputTokens += done?.usage.outputTokens ?? (roundText ? estimateTokens(roundText) : 0);
            if (done?.model) model = done.model;
            if (stopped || !offer || !calls.length) break;

            const step = calls.slice(0, MAX_TOOL_CALLS_PER_ROUND);
            await appends.drain();
            const seq = await recordToolCalls(deps, actor.userId, p.conversation.id, messageId, step);
            const results: ChatMessage[] = [];
            for (const [i, call] of step.entries()) {
              let outcome: chatTools.ToolOutcome;
              try {
                outcome = await chatTools.runTool(p.conversation.assistant, call, {
                  db: deps.db,
                  ai: deps.ai,
                  log: deps.log,
                  userId: actor.userId,
                  conversationId: p.conversation.id,
                  signal: gen.controller.signal,
                });
              } catch (error) {
                if (!gen.controller.signal.aborted) throw error;
                stopped = true;
                break;
              }
              inputTokens += outcome.usage.inputTokens;
              outputTokens += outcome.usage.outputTokens;
              if (!toolsCalled.includes(call.name)) toolsCalled.push(call.name);
              const content = JSON.stringify(outcome.result).slice(0, MAX_TOOL_RESULT_CHARS);
              await asUser(deps.db, actor.userId, (tx) =>
                repo.insertMessage(tx, {
                  conversationId: p.conversation.id,
                  userId: actor.userId,
                  seq: seq + 1 + i,
                  role: "tool",
                  content,
                  status: "complete",
                  toolCallId: call.id,
                  toolName: call.name,
                  metadata: outcome.error ? { toolError: true } : {},
                }),
              );
              results.push({ role: "tool", toolCallId: call.id, content });
            }
            if (stopped || gen.controller.signal.aborted) {
              stopped = true;
              break;
            }
            messages = [...messages, { role: "assistant", content: roundText, toolCalls: step }, ...results];
          }
          return {
            result: { stopped, model, inputTokens, outputTokens, toolsCalled },
            model,
            inputTokens,
            outputTokens,
            latencyMs: performance.now() - startedAt,
            ...(stopped ? { credits: gen.text ? partialCredits(outputTokens) : 0 } : {}),
          };
        },
      );
      const r = outcome.result;
      await settle(
        r.stopped ? "stopped" : "complete",
        {
          model: r.model,
          inputTokens: r.inputTokens,
          outputTokens: r.outputTokens,
          latencyMs: Math.round(performance.now() - startedAt),
          toolsCalled: r.toolsCalled,
          credits: outcome.credits,
          generationId: outcome.generationId,
        },
        null,
      );
    } catch (error) {
      if (!gen.started) throw error;
      if (!(error instanceof DomainError)) deps.log.error({ err: error, messageId }, "chat reply failed");
      // Nothing is charged (runMetered released the hold); what streamed stays visible, marked failed.
      await settle("failed", { latencyMs: Math.round(performance.now() - startedAt), credits: 0 }, errorText(error));
    }
  };
  return engine.launch(gen, work, deps.log);
}

/**
 * Stores a tool step of the reply being written into `messageId`: an assistant message carrying the
 * calls goes where the placeholder is, and the placeholder (same id, text so far) moves after the
 * slots of the calls' results, so the conversation reads user → calls → results → reply and the client
 * keeps following the one message it was given. The user role may not change `seq`, so the move is a
 * delete and re-insert of the row, in one transaction under the conversation's lock. Returns the seq of
 * the calls message; result i goes at seq + 1 + i.
 */
async function recordToolCalls(deps: ChatDeps, userId: string, conversationId: string, messageId: string, calls: ToolCall[]) {
  return asUser(deps.db, userId, async (tx) => {
    await repo.findConversation(tx, conversationId, { lock: true });
    const placeholder = await repo.findMessage(tx, messageId);
    if (placeholder?.status !== "streaming") throw new DomainError("PRECONDITION_FAILED", "This reply was stopped or removed.");
    const seq = placeholder.seq;
    await repo.deleteMessages(tx, [messageId]);
    await repo.insertMessage(tx, {
      id: messageId,
      createdAt: placeholder.createdAt,
      conversationId,
      userId,
      seq: seq + 1 + calls.length,
      role: "assistant",
      content: placeholder.content,
      status: "streaming",
      metadata: placeholder.metadata,
    });
    await repo.insertMessage(tx, {
      conversationId,
      userId,
      seq,
      role: "assistant",
      content: "",
      status: "complete",
      toolCalls: calls.map((c) => ({ id: c.id, name: c.name, arguments: c.arguments })),
    });
    return seq;
  });
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
      await engineOf(deps).bus.notify(tx, live.channelOf(messageId), REFETCH);
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
  return follow<StreamEvent>({
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
      const event = raw as live.LiveEvent | typeof REFETCH;
      if (event.type === "refetch") return "refetch";
      if (event.type === "final") return event.length > pos ? "refetch" : { events: [event], done: true };
      return event.offset > pos ? "refetch" : { events: upTo(event.offset, event.text), done: false };
    },
    // A reply generating here, or announced by notices, needs no polling: a slow re-read is a safety net.
    pollMs: () => (engine.bus.listening || engine.get(messageId) ? 5000 : 250),
  });
}

// ---- workspace documents (the tutor's grounding) ----

export const GROUNDING_TOKENS = 1500;
const CHUNK_CHARS = 1200;
const CHUNK_OVERLAP = 200;
const GROUNDING_PASSAGES = 4;

/** Overlapping windows of about 1,200 characters, cut at whitespace, so a passage rarely loses its context. */
export function chunkText(text: string, size = CHUNK_CHARS, overlap = CHUNK_OVERLAP): string[] {
  const clean = text.replace(/\r\n?/g, "\n").trim();
  const chunks: string[] = [];
  let start = 0;
  while (start < clean.length) {
    let end = Math.min(clean.length, start + size);
    if (end < clean.length) {
      const cut = clean.lastIndexOf(" ", end);
      if (cut > start + size / 2) end = cut;
    }
    const piece = clean.slice(start, end).trim();
    if (piece) chunks.push(piece);
    if (end >= clean.length) break;
    start = Math.max(end - overlap, start + 1);
  }
  return chunks;
}

/**
 * Stores a document with its chunks' embeddings. The embedding call runs before the transaction (no
 * transaction across a provider call); it is rate-limited but not charged.
 */
export async function addDocument(deps: ChatDeps, actor: Actor, input: AddDocumentInput): Promise<WorkspaceDocument> {
  if (input.conversationId) {
    const id = input.conversationId;
    const c = await asUser(deps.db, actor.userId, (tx) => repo.findConversation(tx, id));
    if (!c) throw notFound("Conversation");
  }
  await usage.takeRateLimit(deps, actor, "chat.embed-document");
  const content = input.pdfBase64 !== undefined ? await pdfToText(input.pdfBase64) : (input.content ?? "");
  const pieces = chunkText(content);
  const vectors = pieces.length ? (await deps.ai.embed(pieces)).vectors : [];
  return asUser(deps.db, actor.userId, (tx) =>
    repo.insertDocument(
      tx,
      actor.userId,
      { title: input.title, kind: input.kind, conversationId: input.conversationId, content },
      pieces.map((text, i) => ({ content: text, embedding: vectors[i] as number[] })),
    ),
  );
}

export function listDocuments(tx: Tx, conversationId?: string) {
  return repo.listDocuments(tx, conversationId);
}

export async function deleteDocument(tx: Tx, documentId: string) {
  if (!(await repo.deleteDocument(tx, documentId))) throw notFound("Document");
}

/** The workspace passages nearest to the question, as a system note (null when there are none). */
async function groundingFor(deps: ChatDeps, userId: string, conversationId: string, question: string, signal: AbortSignal) {
  const has = await asUser(deps.db, userId, (tx) => repo.listDocuments(tx, conversationId));
  if (!has.some((d) => d.chunks > 0)) return null;
  try {
    const embedded = await deps.ai.embed([question], { signal });
    const passages = await asUser(deps.db, userId, (tx) =>
      repo.nearestChunks(tx, conversationId, embedded.vectors[0] as number[], GROUNDING_PASSAGES),
    );
    if (!passages.length) return null;
    const content =
      "Passages from the student's own notes, most relevant first. Use them when they help and name the note you use; " +
      "if they do not cover the question, say so and answer from general knowledge.\n\n" +
      passages.map((p) => `[${p.title}]\n${p.content}`).join("\n\n");
    return { message: { role: "system" as const, content }, tokens: embedded.usage.inputTokens };
  } catch (err) {
    // A stop lands in the stream that follows (charged nothing); other failures just mean no grounding.
    if (signal.aborted) return null;
    // Grounding is a help, not a requirement: answer without it rather than fail the reply.
    deps.log.warn({ err, conversationId }, "could not ground a tutor reply");
    return null;
  }
}

// ---- background work ----

const TITLE_PROMPT =
  "Write a short title (at most 6 words) for a conversation that starts with the message below. " +
  "Reply with the title only: no quotes, no trailing punctuation.";

export const cleanTitle = (raw: string, fallbackFrom: string) => cleanGeneratedTitle(raw, fallbackFrom, "New conversation");

/** The worker names a conversation after its first exchange (only while the user has not named it). */
export async function titleConversation(deps: { db: Database; ai: AiProvider }, userId: string, conversationId: string) {
  const found = await asUser(deps.db, userId, async (tx) => {
    const c = await repo.findConversation(tx, conversationId);
    return c && c.titleSource === "auto" ? { c, messages: await repo.listMessages(tx, conversationId) } : null;
  });
  if (!found) return null;
  const first = found.messages.find((m) => m.role === "user" && !m.safety);
  if (!first) return null;
  const result = await deps.ai.chat(titleRequest(TITLE_PROMPT, first.content));
  const title = cleanTitle(result.text, first.content);
  await asUser(deps.db, userId, (tx) => repo.setAutoTitle(tx, conversationId, title));
  return title;
}

/** Replies left 'streaming' by a process that died are marked failed (their holds expire and are released). */
export function failStaleReplies(db: Database, olderThanSeconds = 300, engine = defaultEngine) {
  return sweepStale(db, engine.bus, async (tx) =>
    (await repo.failStale(tx, olderThanSeconds)).map((id) => ({ channel: live.channelOf(id), event: REFETCH })),
  );
}

/** Resolves when every reply running in this process is settled (graceful shutdown, tests). */
export const settled = () => defaultEngine.allDone();
