/**
 * Banned phrases: finding them in generated text and, as a last resort, removing them.
 *
 * Matching works on words, not characters: text and phrase are split into words (letters, digits and
 * marks, with inner apostrophes; "don't" and "dont" are the same word), compared case-insensitively,
 * and a phrase matches a run of consecutive words whatever separates them (spaces, line breaks,
 * hyphens, dashes, punctuation). So "game changer" matches "Game-changer" and "game — changer", but
 * "cat" never matches inside "concatenate". A phrase with no words at all (say "🚀" or "!!!") is
 * matched as literal characters, spaces tolerated.
 *
 * Scrubbing removes the whole sentence around a phrase of words (cutting just the words leaves broken
 * grammar: "You don't need to get it perfect on day one." minus "day one" is no sentence), and a list
 * item or heading line that is left with nothing but its marker; a phrase without words (an emoji) goes
 * alone. What is left is tidied (doubled spaces, orphaned commas, a lowercase sentence start) and checked
 * again, because a removal can bring two halves of a phrase together. Every round makes the text strictly
 * shorter, so it ends, and it ends only when nothing matches.
 */

const WORD = /[\p{L}\p{N}\p{M}]+(?:['’][\p{L}\p{N}\p{M}]+)*/gu;

interface Token {
  start: number;
  end: number;
  key: string;
}

const wordKey = (w: string) => w.toLowerCase().replace(/['’]/g, "");

function tokenize(text: string): Token[] {
  return [...text.matchAll(WORD)].map((m) => ({ start: m.index, end: m.index + m[0].length, key: wordKey(m[0]) }));
}

interface Compiled {
  phrase: string;
  words: string[] | null;
  literal: RegExp | null;
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

function compile(phrases: readonly string[]): Compiled[] {
  const out: Compiled[] = [];
  for (const phrase of phrases) {
    const trimmed = phrase.trim();
    if (!trimmed) continue;
    const words = [...trimmed.matchAll(WORD)].map((m) => wordKey(m[0]));
    if (words.length) out.push({ phrase, words, literal: null });
    else {
      const pattern = trimmed.split(/\s+/).map(escapeRegex).join("\\s*");
      out.push({ phrase, words: null, literal: new RegExp(pattern, "giu") });
    }
  }
  return out;
}

interface Span {
  start: number;
  end: number;
  phrase: string;
  /** A phrase of words (its sentence goes with it), not a literal one (only its characters go). */
  words: boolean;
}

function matches(text: string, compiled: Compiled[]): Span[] {
  const spans: Span[] = [];
  const tokens = tokenize(text);
  const byFirst = new Map<string, Compiled[]>();
  for (const c of compiled) {
    if (!c.words) continue;
    const first = c.words[0] as string;
    byFirst.set(first, [...(byFirst.get(first) ?? []), c]);
  }
  for (let i = 0; i < tokens.length; i++) {
    const candidates = byFirst.get((tokens[i] as Token).key);
    if (!candidates) continue;
    for (const c of candidates) {
      const words = c.words as string[];
      if (i + words.length > tokens.length) continue;
      if (words.every((w, j) => (tokens[i + j] as Token).key === w)) {
        spans.push({
          start: (tokens[i] as Token).start,
          end: (tokens[i + words.length - 1] as Token).end,
          phrase: c.phrase,
          words: true,
        });
      }
    }
  }
  for (const c of compiled) {
    if (!c.literal) continue;
    for (const m of text.matchAll(c.literal)) {
      if (m[0].length) spans.push({ start: m.index, end: m.index + m[0].length, phrase: c.phrase, words: false });
    }
  }
  return spans;
}

/** The phrases (as given) that occur in `text`, in the order of `phrases`, each once. */
export function findBannedPhrases(text: string, phrases: readonly string[]): string[] {
  if (!text || !phrases.length) return [];
  const found = new Set(matches(text, compile(phrases)).map((s) => s.phrase));
  return phrases.filter((p, i) => found.has(p) && phrases.indexOf(p) === i);
}

const SENTENCE_START = /(?:^|[.!?…]|\n)[\s"'“‘(]*$/u;

/** Upper-cases the first letter of `text` (after spaces and stray commas) when that keeps its length. */
function capitaliseStart(text: string): string {
  const m = /^([\s,;:]*)(\p{Ll})/u.exec(text);
  if (!m) return text;
  const [all, lead, ch] = m as unknown as [string, string, string];
  const upper = ch.toUpperCase();
  return upper.length === ch.length ? lead + upper + text.slice(all.length) : text;
}

/**
 * Removes the spans (merged where they overlap); a gap of two or more characters leaves one space, so
 * the neighbours stay apart ("foo🚀bar" → "foo bar") while the text still shrinks. A removal at the start
 * of a sentence gives what follows a capital letter.
 */
function removeSpans(text: string, spans: Span[]): string {
  const sorted = [...spans].sort((a, b) => a.start - b.start || b.end - a.end);
  const merged: { start: number; end: number }[] = [];
  for (const s of sorted) {
    const last = merged.at(-1);
    if (last && s.start <= last.end) last.end = Math.max(last.end, s.end);
    else merged.push({ start: s.start, end: s.end });
  }
  let out = "";
  let at = 0;
  let capitaliseNext = false;
  for (const m of merged) {
    const before = text.slice(at, m.start);
    out += capitaliseNext ? capitaliseStart(before) : before;
    capitaliseNext = SENTENCE_START.test(out);
    out += m.end - m.start >= 2 ? " " : "";
    at = m.end;
  }
  const rest = text.slice(at);
  return out + (capitaliseNext ? capitaliseStart(rest) : rest);
}

/** Cosmetic repairs after removals. Never lengthens the text and never joins two words. */
function tidy(text: string): string {
  return (
    text
      .replace(/[ \t]{2,}/g, " ")
      .replace(/[ \t]+([,.;:!?…])/g, "$1")
      // ", ," or ",." left where a phrase sat between punctuation: keep the stronger mark.
      .replace(/[,;:][ \t]*([,.;:!?])/g, "$1")
      .replace(/^[ \t]*[,;:][ \t]*/gm, "")
      .replace(/([.!?])[ \t]*[,;:][ \t]*/g, "$1 ")
      .replace(/^[ \t]+|[ \t]+$/gm, "")
      // A removed line or paragraph leaves no run of blank lines behind.
      .replace(/\n{3,}/g, "\n\n")
      .trim()
  );
}

/** Sentence ends: closing punctuation (and quotes or brackets after it) before a space or the end. */
const SENTENCE_END = /[.!?…]+["'”’)\]]*(?=\s|$)/gu;
/** What may precede a sentence on its line and means nothing alone: list markers, heading hashes, quotes. */
const LINE_MARKUP = /^[ \t]*(?:[-*+•>#]+[ \t]*|\d{1,3}[.)][ \t]*)*$/u;

/**
 * The sentence around [start, end): from after the previous sentence end or line break to the next
 * sentence end or line break, with the spaces after it. A line left with only its markup (a list marker,
 * a heading's hashes) goes whole, line break included.
 */
function sentenceAround(text: string, start: number, end: number): { start: number; end: number } {
  const lineStart = text.lastIndexOf("\n", start - 1) + 1;
  const nextBreak = text.indexOf("\n", end);
  const lineEnd = nextBreak < 0 ? text.length : nextBreak;
  let from = lineStart;
  for (const m of text.slice(lineStart, start).matchAll(SENTENCE_END)) from = lineStart + m.index + m[0].length;
  const after = new RegExp(SENTENCE_END.source, "u").exec(text.slice(end, lineEnd));
  let to = after ? end + after.index + after[0].length : lineEnd;
  while (to < lineEnd && /[ \t]/.test(text[to] as string)) to++;
  while (from > lineStart && /[ \t]/.test(text[from - 1] as string)) from--;
  if (LINE_MARKUP.test(text.slice(lineStart, from)) && !text.slice(to, lineEnd).trim()) {
    return { start: lineStart, end: nextBreak < 0 ? lineEnd : lineEnd + 1 };
  }
  return { start: from, end: to };
}

/**
 * Removes every banned phrase (see the file comment). Deterministic; the result contains none of them.
 * A last resort after regenerating has failed: it keeps the rest of the text as written.
 */
export function scrubBannedPhrases(text: string, phrases: readonly string[]): string {
  const compiled = compile(phrases);
  if (!compiled.length) return text;
  let current = text;
  for (;;) {
    const found = matches(current, compiled);
    if (!found.length) return current;
    const spans = found.map((s) => (s.words ? { ...s, ...sentenceAround(current, s.start, s.end) } : s));
    // Strictly shorter every round (removeSpans shrinks, tidy never grows), so this ends.
    current = tidy(removeSpans(current, spans));
  }
}

/**
 * The check a generation runs: if the text uses a banned phrase, regenerate once (told which phrases
 * slipped through), then scrub whatever is still there. Returns the clean text and what happened.
 */
export async function enforceBannedPhrases(
  text: string,
  phrases: readonly string[],
  regenerate?: (found: string[]) => Promise<string>,
): Promise<{ text: string; found: string[]; regenerated: boolean; scrubbed: boolean }> {
  const found = findBannedPhrases(text, phrases);
  if (!found.length) return { text, found, regenerated: false, scrubbed: false };
  let current = text;
  let regenerated = false;
  if (regenerate) {
    current = await regenerate(found);
    regenerated = true;
    if (!findBannedPhrases(current, phrases).length) return { text: current, found, regenerated, scrubbed: false };
  }
  return { text: scrubBannedPhrases(current, phrases), found, regenerated, scrubbed: true };
}
