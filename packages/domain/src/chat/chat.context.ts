/**
 * What the model sees: the system prompt for the assistant kind, then the conversation's usable
 * messages (complete user/assistant turns; never safety-flagged ones, never failed or empty replies),
 * trimmed to the model's window.
 *
 * The crisis classifier and the context fitter belong to the ai module (`ai/safety.ts` classifyCrisis
 * + CRISIS_RESPONSE, `ai/context.ts` fitToContext/estimateTokens), being written in parallel. Until they
 * land, the fallbacks below keep the same shapes; the service takes them through `ChatDeps` so the
 * swap is one import here.
 */
import type { ChatMessage } from "../ai/index.ts";
import type { Assistant, ChatMessageView } from "./chat.schemas.ts";

export const SYSTEM_PROMPTS: Record<Assistant, string> = {
  companion:
    "You are Inkwell's companion: warm, curious and honest. Keep replies conversational and concise. " +
    "You are not a therapist; if someone may be in danger, encourage them to reach out to local emergency services.",
  tutor:
    "You are Inkwell's study tutor. Explain step by step, check understanding with a short question, " +
    "and prefer guiding the student to the answer over giving it away.",
};

/** Rough token count (~4 characters per token), as used for budgeting only. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

export const CRISIS_RESPONSE =
  "I'm really sorry you're going through this. You don't have to face it alone. If you are in immediate danger, " +
  "please call your local emergency number now. You can also reach a crisis line: in the US, call or text 988 " +
  "(Suicide & Crisis Lifeline); in the UK and Ireland, call Samaritans at 116 123; elsewhere, findahelpline.com " +
  "lists free, confidential lines. If you can, reach out to someone you trust and let them know how you're feeling.";

const CRISIS_PATTERNS = [
  /\b(kill|hurt|harm)\s+(myself|me)\b/i,
  /\bsuicid(e|al)\b/i,
  /\bend\s+(my|it\s+all|my\s+life)\b/i,
  /\b(don'?t|do\s+not)\s+want\s+to\s+(live|be\s+alive)\b/i,
  /\bself[-\s]?harm\b/i,
];

/** A conservative keyword screen; the ai module's classifier replaces it. */
export function classifyCrisis(text: string): { crisis: boolean } {
  return { crisis: CRISIS_PATTERNS.some((p) => p.test(text)) };
}

/** Keeps the system message and as many of the newest messages as fit in `maxTokens`. */
export function fitToContext(messages: ChatMessage[], options: { maxTokens: number }): ChatMessage[] {
  const [system, ...rest] = messages[0]?.role === "system" ? messages : [undefined, ...messages];
  let budget = options.maxTokens - (system ? estimateTokens(system.content) : 0);
  const kept: ChatMessage[] = [];
  for (let i = rest.length - 1; i >= 0; i--) {
    const m = rest[i] as ChatMessage;
    budget -= estimateTokens(m.content) + 4;
    if (budget < 0 && kept.length > 0) break;
    kept.unshift(m);
  }
  return system ? [system, ...kept] : kept;
}

/** The messages usable as model context, oldest first, before `beforeSeq`. */
export function contextMessages(assistant: Assistant, history: ChatMessageView[], beforeSeq: number): ChatMessage[] {
  const usable = history.filter(
    (m) =>
      m.seq < beforeSeq &&
      !m.safety &&
      (m.role === "user" || m.role === "assistant") &&
      // A stopped reply is what the user saw, so it stays; failed and empty ones never reached them.
      (m.status === "complete" || m.status === "stopped") &&
      m.content.length > 0,
  );
  return [
    { role: "system", content: SYSTEM_PROMPTS[assistant] },
    ...usable.map((m): ChatMessage => ({ role: m.role as "user" | "assistant", content: m.content })),
  ];
}
