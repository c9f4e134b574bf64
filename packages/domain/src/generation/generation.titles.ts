/**
 * Automatic titles, cut between graphemes (never inside a character a person sees as one).
 * Shared by every generated thing that gets a title (conversations, writer sessions, and later study
 * materials, story follow-ups, prompt variations).
 */

import { cutToGraphemes, truncateGraphemes } from "../platform/text.ts";

// The cuts live in the browser-safe platform/text.ts (the web uses them too); re-exported for the modules.
export { cutToGraphemes, truncateGraphemes };

/**
 * At most this many characters in an automatic title, "…" included: counted in UTF-16 units, which
 * are never fewer than the code points, so the title fits either way it is measured.
 */
export const MAX_TITLE_CHARS = 80;

/**
 * A model's title answer made presentable: its first line without a "Title:" label, quotes or end
 * punctuation, cut between graphemes; the first six words of `fallbackFrom` when the model said nothing.
 */
export function cleanTitle(raw: string, fallbackFrom: string, fallbackTitle: string): string {
  const line = raw
    .split("\n")
    .map((l) => l.trim())
    .find(Boolean);
  const cleaned = (line ?? "")
    .replace(/^(title\s*:\s*)/i, "")
    .replace(/^["'“”‘’*#\s]+|["'“”‘’*.!?\s]+$/g, "")
    .trim();
  const source = cleaned || fallbackFrom.trim().split(/\s+/).slice(0, 6).join(" ");
  return truncateGraphemes(source, MAX_TITLE_CHARS, (t) => t.length) || fallbackTitle;
}

/** A title for `subject` from the model, cleaned (the model call is the worker's, outside any transaction). */
export async function generateTitle(
  ai: { chat(request: ReturnType<typeof titleRequest>): Promise<{ text: string }> },
  prompt: string,
  subject: string,
  fallbackTitle: string,
): Promise<string> {
  const result = await ai.chat(titleRequest(prompt, subject));
  return cleanTitle(result.text, subject, fallbackTitle);
}

/** The request for a short title of `subject` (what the thing is about, cut between graphemes). */
export function titleRequest(prompt: string, subject: string) {
  return {
    messages: [
      { role: "system" as const, content: prompt },
      { role: "user" as const, content: cutToGraphemes(subject, 2000) },
    ],
    maxTokens: 20,
    temperature: 0.2,
  };
}
