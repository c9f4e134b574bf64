/**
 * What the model sees: the system prompt for the assistant kind, then the conversation's usable
 * messages (complete user/assistant turns; never safety-flagged ones, never failed or empty replies),
 * trimmed to the model's window.
 *
 * Trimming to the window (and summarising what was dropped) and the crisis screen are the ai module's
 * (`fitToContext`, `summarizeForContext`, `classifyCrisis`); this file only decides what is eligible.
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

/**
 * The messages usable as model context, oldest first, before `beforeSeq`. Tool steps of earlier replies
 * are kept (the model can refer back to a quiz or an exercise): an assistant message's tool calls only
 * with the calls whose result is stored (a reply stopped mid-tools leaves calls without one, which a
 * model API refuses), and tool results only after their call.
 */
export function contextMessages(assistant: Assistant, history: ChatMessageView[], beforeSeq: number): ChatMessage[] {
  const before = history.filter((m) => m.seq < beforeSeq && !m.safety);
  const answered = new Set(before.flatMap((m) => (m.role === "tool" && m.toolCallId ? [m.toolCallId] : [])));
  const called = new Set<string>();
  const out: ChatMessage[] = [{ role: "system", content: SYSTEM_PROMPTS[assistant] }];
  for (const m of before) {
    if (m.role === "tool") {
      if (m.status === "complete" && m.toolCallId && called.has(m.toolCallId)) {
        out.push({ role: "tool", toolCallId: m.toolCallId, content: m.content });
      }
      continue;
    }
    if (m.role !== "user" && m.role !== "assistant") continue;
    // A stopped reply is what the user saw, so it stays; failed and empty ones never reached them.
    if (m.status !== "complete" && m.status !== "stopped") continue;
    const calls = m.role === "assistant" ? (m.toolCalls ?? []).filter((c) => answered.has(c.id)) : [];
    if (!m.content.length && !calls.length) continue;
    if (calls.length) {
      for (const c of calls) called.add(c.id);
      out.push({ role: "assistant", content: m.content, toolCalls: calls.map((c) => ({ ...c })) });
    } else {
      out.push({ role: m.role, content: m.content });
    }
  }
  return out;
}
