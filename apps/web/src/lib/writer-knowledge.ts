/**
 * The knowledge base in the web: labels, the embedding state as the user reads it, and why a search
 * result matched (the API's fused ranks: full-text rank and vector similarity).
 */
import type { EmbeddingStatus, KnowledgeCategory, KnowledgeMatch } from "@inkwell/domain/writer/schemas";

export const CATEGORY_LABELS: Record<KnowledgeCategory, string> = {
  about_me: "About me",
  audience: "Audience",
  writing_style: "Writing style",
};

export const CATEGORY_HINTS: Record<KnowledgeCategory, string> = {
  about_me: "Who you are, what you do, your story and opinions.",
  audience: "Who you write for and what they care about.",
  writing_style: "How you like to sound: words you use, rules you follow.",
};

export const STATUS_LABELS: Record<EmbeddingStatus, string> = {
  pending: "Indexing…",
  ready: "Searchable",
  failed: "Indexing failed",
};

/** While any entry waits for the worker, the list refreshes this often (ms); otherwise not at all. */
export const PENDING_POLL_MS = 1500;

export function pollWhilePending(entries: readonly { embedding: { status: EmbeddingStatus } }[] | undefined): number | false {
  return entries?.some((e) => e.embedding.status === "pending") ? PENDING_POLL_MS : false;
}

/** "Matches your words" / "Close in meaning (82% similar)", strongest signal first. */
export function matchReasons(matched: KnowledgeMatch["matched"]): string[] {
  const reasons: string[] = [];
  if (matched.keyword) reasons.push(matched.keyword.rank === 1 ? "Best match for your words" : "Matches your words");
  if (matched.vector) {
    const percent = Math.round(Math.max(0, Math.min(1, matched.vector.similarity)) * 100);
    reasons.push(`Close in meaning (${percent}% similar)`);
  }
  return reasons;
}

/** The first `max` characters of `text` on one line, cut at a word where possible. */
export function excerpt(text: string, max = 180): string {
  const flat = text.replace(/\s+/g, " ").trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max);
  const space = cut.lastIndexOf(" ");
  return `${(space > max * 0.6 ? cut.slice(0, space) : cut).replace(/[\s,.;:!?-]+$/, "")}…`;
}

/** Search terms worth highlighting in a result (words of 3+ letters, deduplicated, case-insensitive). */
export function highlightTerms(query: string): string[] {
  const words = query.toLowerCase().match(/[\p{L}\p{N}]{3,}/gu) ?? [];
  return [...new Set(words)];
}

/** Splits `text` into plain and highlighted pieces for `terms` (whole-string order kept). */
export function highlight(text: string, terms: readonly string[]): { text: string; hit: boolean }[] {
  if (!terms.length || !text) return [{ text, hit: false }];
  const escaped = terms.map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  const pattern = new RegExp(`(${escaped.join("|")})`, "giu");
  return text
    .split(pattern)
    .filter((piece) => piece !== "")
    .map((piece) => ({ text: piece, hit: terms.includes(piece.toLowerCase()) }));
}
