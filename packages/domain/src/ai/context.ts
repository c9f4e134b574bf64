/**
 * Keeping a conversation inside a model's context window.
 *
 * - estimateTokens(text) ≈ ceil(characters / 4): OpenAI's rule of thumb for English. It over-counts
 *   code and under-counts some scripts (CJK, emoji), so leave headroom or pass a real tokenizer as
 *   countTokens.
 * - A message costs its tokens plus MESSAGE_OVERHEAD_TOKENS (4; the chat format's role and separators).
 *   An assistant message's tool calls count their name and arguments as well.
 * - fitToContext keeps every system message (in place) and the newest messages that fit in
 *   maxInputTokens − reserveForOutput, as one unbroken run back from the end: older messages are dropped
 *   first. An assistant message with tool calls and the tool results that answer it are kept or
 *   dropped together, and a tool result whose call is not in the conversation is always dropped (a
 *   model API refuses both kinds of orphan). The newest message is always kept: if it (with its tool
 *   group) and the system messages do not fit on their own (or the system messages alone do not),
 *   fitToContext throws INVALID_INPUT.
 * - summarizeForContext asks the provider (one chat call, bounded by maxTokens) for a short summary of
 *   what was dropped, as a system message "Earlier in this conversation: …", so long conversations keep
 *   the gist.
 */
import { DomainError } from "../platform/errors.ts";
import type { AiProvider, CallOptions, ChatMessage, ChatResult } from "./ai.types.ts";
import { approxTokens } from "./provider-utils.ts";

/** ceil(characters / 4): an approximation (see the module comment), never a tokenizer. */
export const estimateTokens = (text: string): number => approxTokens(text);

export const MESSAGE_OVERHEAD_TOKENS = 4;

export interface FitOptions {
  /** The model's context window (input side). */
  maxInputTokens: number;
  /** Tokens held back for the reply; the messages get maxInputTokens − reserveForOutput. */
  reserveForOutput: number;
  /** A real tokenizer, if there is one; estimateTokens otherwise. */
  countTokens?: (text: string) => number;
}

export interface FitResult {
  messages: ChatMessage[];
  /** How many messages were left out. */
  dropped: number;
  /** The messages left out, oldest first (for summarizeForContext). */
  droppedMessages: ChatMessage[];
}

/** What one message costs against the budget. */
export function messageTokens(message: ChatMessage, countTokens: (text: string) => number = estimateTokens): number {
  let tokens = MESSAGE_OVERHEAD_TOKENS + countTokens(message.content);
  if (message.role === "assistant") {
    for (const call of message.toolCalls ?? []) tokens += countTokens(call.name) + countTokens(call.arguments);
  }
  if (message.role === "tool") tokens += countTokens(message.toolCallId);
  return tokens;
}

/** Non-system messages in units that must stay together: an assistant's tool calls and their results. */
function units(messages: ChatMessage[]): { indexes: number[]; orphans: number[] }[] {
  const out: { indexes: number[]; orphans: number[] }[] = [];
  let open: { unit: { indexes: number[]; orphans: number[] }; ids: Set<string> } | null = null;
  for (const [i, m] of messages.entries()) {
    if (m.role === "system") continue;
    if (m.role === "tool") {
      if (open?.ids.has(m.toolCallId)) open.unit.indexes.push(i);
      else if (open) open.unit.orphans.push(i);
      else out.push({ indexes: [], orphans: [i] });
      continue;
    }
    const unit = { indexes: [i], orphans: [] as number[] };
    out.push(unit);
    open = m.role === "assistant" && m.toolCalls?.length ? { unit, ids: new Set(m.toolCalls.map((c) => c.id)) } : null;
  }
  return out;
}

export function fitToContext(messages: ChatMessage[], options: FitOptions): FitResult {
  const count = options.countTokens ?? estimateTokens;
  const budget = options.maxInputTokens - options.reserveForOutput;
  const cost = (indexes: number[]) => indexes.reduce((sum, i) => sum + messageTokens(messages[i] as ChatMessage, count), 0);
  const keep = new Set<number>();
  messages.forEach((m, i) => {
    if (m.role === "system") keep.add(i);
  });
  let used = cost([...keep]);
  const all = units(messages).filter((u) => u.indexes.length > 0);
  const tooLong = (needed: number) =>
    new DomainError(
      "INVALID_INPUT",
      `The system prompt and the newest message need about ${needed} tokens, more than the ${budget} this model allows; shorten them.`,
    );
  if (used > budget) throw tooLong(used);
  for (let u = all.length - 1; u >= 0; u--) {
    const unit = all[u] as { indexes: number[] };
    const needed = cost(unit.indexes);
    if (used + needed > budget) {
      if (u === all.length - 1) throw tooLong(used + needed);
      break;
    }
    used += needed;
    for (const i of unit.indexes) keep.add(i);
  }
  const kept: ChatMessage[] = [];
  const droppedMessages: ChatMessage[] = [];
  for (const [i, m] of messages.entries()) (keep.has(i) ? kept : droppedMessages).push(m);
  return { messages: kept, dropped: droppedMessages.length, droppedMessages };
}

export interface SummarizeOptions extends CallOptions {
  /** The summary's length limit (default 200). */
  maxTokens?: number;
  /** At most this much of the transcript goes into the request, newest kept (default 24,000 characters). */
  maxInputChars?: number;
  model?: string;
  /** Called with the chat result, for metering. */
  onResult?: (result: ChatResult) => void;
}

export const SUMMARY_PREFIX = "Earlier in this conversation:";

function transcript(messages: ChatMessage[], maxChars: number): string {
  const lines = messages.flatMap((m) => {
    const text = m.content.trim().slice(0, 2000);
    if (m.role === "assistant") {
      const calls = (m.toolCalls ?? []).map((c) => `[called ${c.name}(${c.arguments.slice(0, 300)})]`);
      return [`Assistant: ${[text, ...calls].filter(Boolean).join(" ")}`];
    }
    if (m.role === "tool") return [`Tool result: ${text}`];
    if (m.role === "user") return [`User: ${text}`];
    return text ? [`System note: ${text}`] : [];
  });
  const all = lines.join("\n");
  return all.length <= maxChars ? all : `…${all.slice(all.length - maxChars)}`;
}

/**
 * One bounded chat call that condenses dropped messages into a system message starting with
 * "Earlier in this conversation:". Null (and no call) when nothing was dropped.
 */
export async function summarizeForContext(
  provider: AiProvider,
  droppedMessages: ChatMessage[],
  options: SummarizeOptions = {},
): Promise<ChatMessage | null> {
  const relevant = droppedMessages.filter((m) => m.content.trim() || (m.role === "assistant" && m.toolCalls?.length));
  if (relevant.length === 0) return null;
  const maxTokens = options.maxTokens ?? 200;
  const result = await provider.chat(
    {
      messages: [
        {
          role: "system",
          content: `You condense the earlier part of a conversation so the assistant remembers it. In at most ${Math.max(1, Math.floor(maxTokens * 0.6))} words, keep the facts, names, decisions, preferences and open questions; plain text, no preamble, no advice.`,
        },
        { role: "user", content: `Summarize this conversation:\n\n${transcript(relevant, options.maxInputChars ?? 24_000)}` },
      ],
      maxTokens,
      temperature: 0,
      ...(options.model !== undefined && { model: options.model }),
    },
    options.signal ? { signal: options.signal } : {},
  );
  options.onResult?.(result);
  const text = result.text.trim().replace(/^earlier in this conversation:\s*/i, "");
  return { role: "system", content: `${SUMMARY_PREFIX} ${text}` };
}
