/**
 * Generating one chat reply on the generation engine (../generation): the model call (with the tool
 * loop, the summary of what no longer fits and the tutor's grounding) runs detached from the request,
 * inside one metered call; its text goes to this process's subscribers at once and to the row (with
 * a notice to other instances) in batches, and the row is settled with the whole text at the end.
 */
import { asUser } from "@inkwell/db";
import { type ChatMessage, estimateTokens, summarizeForContext, type ToolCall } from "../ai/index.ts";
import { priceOf } from "../credits/index.ts";
import { defaultEngine, type GenerationEngine, type Launched, writeBehind } from "../generation/index.ts";
import { DomainError } from "../platform/errors.ts";
import { type Actor, usage } from "../usage/index.ts";
import type { ChatDeps } from "./chat.deps.ts";
import { groundingFor } from "./chat.documents.ts";
import { titleConversationJob } from "./chat.jobs.ts";
import * as live from "./chat.live.ts";
import * as repo from "./chat.repository.ts";
import type { ChatMessageView, Conversation, MessageMetadata } from "./chat.schemas.ts";
import * as chatTools from "./chat.tools.ts";

export const engineOf = (deps: { engine?: GenerationEngine }) => deps.engine ?? defaultEngine;

export const REPLY_MAX_TOKENS = 1024;
/** Tool rounds per reply (then the model must answer in text), and calls run per round. */
export const MAX_TOOL_ROUNDS = 3;
export const MAX_TOOL_CALLS_PER_ROUND = 4;
const MAX_TOOL_RESULT_CHARS = 50_000;
export const OPERATION = "chat.reply";

export interface Prepared {
  conversation: Conversation;
  userMessage: ChatMessageView;
  assistantMessage: ChatMessageView;
  /** Null when no model call is needed (a replay, or a crisis message answered with the fixed reply). */
  context: ChatMessage[] | null;
  /** Older messages left out to fit the window; summarised into the request. */
  dropped: ChatMessage[];
  firstExchange: boolean;
}

export function errorText(error: unknown): string {
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
export function startReply(deps: ChatDeps, actor: Actor, p: Prepared): Promise<void> {
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
        if (!(await repo.appendContent(tx, messageId, text))) {
          // The row stopped streaming under us: stopped through another API instance (which settles the
          // row as it stands), or its conversation deleted there. Stop generating, so only what was
          // written is charged, as when it is stopped here.
          gen.controller.abort(new DomainError("PRECONDITION_FAILED", "Stopped"));
          return;
        }
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

  const work = async ({ started, startedAt }: Launched) => {
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

export type { ChatDeps } from "./chat.deps.ts";
