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
