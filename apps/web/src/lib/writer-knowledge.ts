/**
 * The knowledge base in the web: labels, the embedding state as the user reads it, and why a search
 * result matched (the API's fused ranks: full-text rank and vector similarity).
 */
import type { EmbeddingStatus, KnowledgeCategory, KnowledgeMatch } from "@inkwell/domain/knowledge/schemas";

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

/**
 * Cosine similarity in words a person reads. A raw cosine is no percentage anyone understands (two
 * related notes can score 0.3, which read as "30% similar" sounds unrelated, and the unrelated ones
 * read "0% similar"); the search only returns entries above its relevance floor, so these bands grade
 * what is relevant.
 */
export function similarityLabel(similarity: number): string {
  if (similarity >= 0.5) return "Very close in meaning";
  if (similarity >= 0.3) return "Close in meaning";
  return "Related in meaning";
}

export interface MatchReason {
  label: string;
  /** The top keyword match: shown as a "best match" badge, not as a plain reason. */
  best: boolean;
}

/** Why an entry matched, strongest signal first: its words (the best keyword match marked), then its meaning. */
export function matchReasons(matched: KnowledgeMatch["matched"]): MatchReason[] {
  const reasons: MatchReason[] = [];
  if (matched.keyword) {
    reasons.push(
      matched.keyword.rank === 1 ? { label: "Best match for your words", best: true } : { label: "Has your words", best: false },
    );
  }
  if (matched.vector) reasons.push({ label: similarityLabel(matched.vector.similarity), best: false });
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
