/**
 * Reads a chat request the way a writer reads a brief: which format, how long, what style, what it is
 * about, and which grounding snippets to use. The offline provider's text and structured output are
 * both made from this; the conventions it understands are listed in offline.ts.
 */
import type { ChatMessage } from "../ai.types.ts";
import { fnv1a } from "./fnv1a.ts";
import { STOP_WORDS, words } from "./offline-embeddings.ts";
import { readVoice, type VoiceDirectives } from "./offline-voice.ts";

export type Format =
  | "title"
  | "thread"
  | "tweet"
  | "linkedin"
  | "caption"
  | "email"
  | "article"
  | "bullets"
  | "numbered"
  | "paragraph";
export type Style = "polished" | "natural" | "punchy";

export interface Snippet {
  id: number;
  text: string;
}

export interface Brief {
  format: Format;
  style: Style;
  /** "bullet points" inside another format: the points become a list there. */
  bullets: boolean;
  maxChars?: number;
  /** A limit that applies to each post of a thread ("280 characters per post"). */
  maxCharsPerPart?: number;
  maxWords?: number;
  snippets: Snippet[];
  topic: string;
  keywords: string[];
  /** "5 quiz questions" → quiz: 5, questions: 5; sizes arrays in structured output. */
  counts: Map<string, number>;
  /** Varies template choices with the request, deterministically. */
  seed: number;
  /** The tuning of a `<voice>` block (offline-voice.ts); null without one. */
  voice: VoiceDirectives | null;
  /** Phrases the request says never to use ("Never use these phrases: "a", "b"."): no sentence with one is written. */
  avoid: string[];
  /** False when the request says not to cite (its notes are not sources): snippets are used without "[n]". */
  cite: boolean;
}

// Checked in order: a "LinkedIn post with bullet points" is a LinkedIn post first; a request for a title
// (a chat's or a writer session's) is a title whatever the text it names is.
const FORMATS: [Format, RegExp][] = [
  ["title", /\b(?:write|give me|suggest)\s+an?\s+(?:short\s+)?title\b|\breply with the title only\b/],
  ["thread", /\b(?:x|twitter)\s+thread\b|\bthread\b/],
  ["tweet", /\btweet\b|\bx post\b|\bpost (?:for|on) x\b/],
  ["linkedin", /\blinked ?in\b/],
  ["caption", /\binstagram\b|\bcaption\b/],
  ["email", /\be-?mail\b|\bnewsletter\b/],
  ["article", /\bblog\b|\barticle\b/],
  ["bullets", /\bbullet/],
  ["numbered", /\bnumbered list\b|\bstep[- ]by[- ]step\b/],
];

const STYLES: [Style, RegExp][] = [
  ["punchy", /\b(?:punchy|bold|snappy|energetic)\b/],
  ["polished", /\b(?:polished|professional|formal)\b/],
  ["natural", /\b(?:natural|conversational|casual|friendly)\b/],
];

/** Instruction vocabulary that says how to write, not what about. */
const INSTRUCTION_WORDS = new Set(
  "write create draft make generate compose give post posts thread tweet linkedin instagram caption email newsletter blog article bullet bullets list numbered polished natural punchy professional casual style tone characters character chars words word max maximum under limit notes below following based using please short long about reply answer hi hello hey thanks today".split(
    " ",
  ),
);

const SNIPPET_HEADER = /^\s*(?:context|sources?|snippets?|references?|grounding|notes)\s*:\s*(.*)$/i;
const NUMBERED = /^\s*\[(\d{1,3})\]\s*(.+)$/;

/** Pulls grounding snippets out of the text; returns them and the text without them. */
function extractSnippets(text: string): { snippets: Snippet[]; rest: string } {
  const found: { id?: number; text: string }[] = [];
  const rest: string[] = [];
  let inBlock = false;
  const take = (line: string) => {
    const numbered = NUMBERED.exec(line);
    if (numbered) found.push({ id: Number(numbered[1]), text: (numbered[2] as string).trim() });
    else found.push({ text: line.replace(/^\s*[-*•]\s*/, "").trim() });
  };
  for (const line of text.split(/\r?\n/)) {
    const header = SNIPPET_HEADER.exec(line);
    if (header) {
      inBlock = true;
      if ((header[1] as string).trim()) take(header[1] as string);
    } else if (NUMBERED.test(line) || (inBlock && line.trim())) {
      take(line);
    } else {
      inBlock = false;
      rest.push(line);
    }
  }
  // Unnumbered snippets are numbered after the highest explicit number, in order of appearance.
  let next = Math.max(0, ...found.map((s) => s.id ?? 0)) + 1;
  const snippets = new Map<number, Snippet>();
  for (const s of found) {
    const id = s.id ?? next++;
    if (!snippets.has(id) && s.text) snippets.set(id, { id, text: s.text });
  }
  return { snippets: [...snippets.values()].slice(0, 20), rest: rest.join("\n") };
}

interface Limits {
  maxChars?: number;
  maxCharsPerPart?: number;
  maxWords?: number;
}

// A count is a limit only with a cue: "a story with 3 characters" is not a length.
const CUE_BEFORE =
  /\b(?:max(?:imum)?|under|at most|up to|no more than|within|less than|fewer than|limit(?:ed)? to|to|in)\s*(?:of\s*)?$/;
const CUE_AFTER = /^\s*(?:max(?:imum)?|or (?:less|fewer)|limit|long|total|per|each|for each)\b/;

function readLimits(text: string): Limits {
  const limits: Limits = {};
  const min = (a: number | undefined, b: number) => (a === undefined ? b : Math.min(a, b));
  for (const m of text.matchAll(/(\d[\d,]*)(\s*-\s*|\s*)(characters?|chars?|words?)\b/gi)) {
    const n = Number((m[1] as string).replaceAll(",", ""));
    const before = text.slice(Math.max(0, m.index - 30), m.index).toLowerCase();
    const after = text.slice(m.index + m[0].length, m.index + m[0].length + 20).toLowerCase();
    const hyphenated = (m[2] as string).includes("-");
    const minimum = /\b(?:at least|minimum|min\.?)\s*$/.test(before);
    if (n <= 0 || minimum || !(hyphenated || CUE_BEFORE.test(before) || CUE_AFTER.test(after))) continue;
    if (/^w/i.test(m[3] as string)) limits.maxWords = min(limits.maxWords, n);
    else if (/^\s*(?:per|each|for each)\b/.test(after) || /\b(?:per|each)\b[^.]*$/.test(before)) {
      limits.maxCharsPerPart = min(limits.maxCharsPerPart, n);
    } else limits.maxChars = min(limits.maxChars, n);
  }
  return limits;
}

function readTopic(prompt: string): string {
  // The first sentence with some substance ("Hi!" is not a topic).
  const firstSentence = (s: string) => s.split(/(?<=[.!?\n])/).find((part) => part.trim().split(/\s+/).length >= 3) ?? s;
  const about = /\b(?:about|regarding|explaining|covering|describing|on the topic of)\s+([^.!?\n]+)/i.exec(prompt);
  let topic = about
    ? (about[1] as string)
    : firstSentence(prompt.trim())
        .replace(
          /^\s*(?:please\s+)?(?:write|create|draft|make|generate|compose|give me|summari[sz]e|explain|describe|tell me)\b\s*/i,
          "",
        )
        .replace(
          /^(?:an?|the|some|\d+)\s+(?:[\w-]+\s+){0,3}?(?:post|thread|tweet|caption|e-?mail|article|list|summary|paragraph)s?\s*(?:about|on|for|of)?\s*/i,
          "",
        );
  // "…, max 300 characters" belongs to the limits, not the topic.
  topic = topic.replace(
    /\s*[,;(]?\s*(?:(?:in|max(?:imum)?|under|at most|no more than|up to|within|less than)\s+)?\d[\d,]*\s*-?\s*(?:characters?|chars?|words?)\b.*$/i,
    "",
  );
  const cut = topic
    .replace(/[\s?!.:;,]+$/, "")
    .trim()
    .split(/\s+/)
    .slice(0, 12);
  // The topic sits mid-sentence in the templates ("Let's talk about why…"): a leading function word is
  // lower-cased ("Why" → "why"); a name or acronym ("Leeds", "AI") is left as written.
  const first = cut[0] ?? "";
  if (first !== "I" && STOP_WORDS.has(first.toLowerCase())) cut[0] = first.toLowerCase();
  return cut.join(" ");
}

/** Words that say nothing on their own ("The trick with every is…"). */
const FILLER_WORDS = new Set("every each always never really thing things something way ways lot lots".split(" "));

function readKeywords(topic: string, snippets: Snippet[]): string[] {
  const keep = (w: string) =>
    w.length >= 3 && !STOP_WORDS.has(w) && !INSTRUCTION_WORDS.has(w) && !FILLER_WORDS.has(w) && !/^\d+$/.test(w);
  const fromTopic = words(topic).filter(keep);
  // Snippet words by frequency (ties by first appearance) add substance the topic does not name.
  const counts = new Map<string, number>();
  for (const w of snippets.flatMap((s) => words(s.text)).filter(keep)) counts.set(w, (counts.get(w) ?? 0) + 1);
  const fromSnippets = [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([w]) => w);
  return [...new Set([...fromTopic, ...fromSnippets])].slice(0, 8);
}

function readCounts(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const m of text.matchAll(/\b(\d{1,2})\s+((?:[a-z-]+\s+){0,2}[a-z-]+)/gi)) {
    for (const noun of (m[2] as string).toLowerCase().split(/\s+/)) if (!counts.has(noun)) counts.set(noun, Number(m[1]));
  }
  return counts;
}

/** A cue that introduces phrases not to use, then the quoted phrases after it on the same line. */
const AVOID_CUE =
  /\b(?:never use|do not use|don't use|without|avoid)\s+(?:these|the following)\s+(?:phrases|words)\b[^:\n]*:([^\n]*)/gi;

function readAvoid(text: string): string[] {
  const phrases: string[] = [];
  for (const m of text.matchAll(AVOID_CUE)) {
    for (const q of (m[1] as string).matchAll(/"([^"\n]+)"|“([^”\n]+)”/g)) {
      const phrase = (q[1] ?? q[2] ?? "").trim();
      if (phrase && !phrases.includes(phrase)) phrases.push(phrase);
    }
  }
  return phrases;
}

const NO_CITATIONS = /\b(?:never|do not|don't|no)\s+(?:cite|citations?|reference markers?|citation markers?)\b/i;

/**
 * A follow-up that works on the previous reply ("Rewrite it without…", "Revise it: shorter", "Also: …")
 * names no topic of its own: the topic is the one of the request that reply answered.
 */
const FOLLOW_UP =
  /^\s*(?:please\s+)?(?:(?:re-?write|revise|rephrase|redo|edit|shorten|tighten|improve|make)\s+(?:it|this|that|the (?:text|post|draft|thread|article))\b|also\s*:)/i;

function topicPrompt(messages: ChatMessage[]): string {
  const users = messages.filter((m) => m.role === "user");
  let i = users.length - 1;
  while (i > 0 && FOLLOW_UP.test(users[i]?.content ?? "")) i--;
  return users[i]?.content ?? "";
}

export function readBrief(messages: ChatMessage[]): Brief {
  // A voice guide is read on its own: the writer's words quoted in it must not set format or style.
  const { voice, rest: instructions } = readVoice(
    messages
      .filter((m) => m.role === "system" || m.role === "user")
      .map((m) => m.content)
      .join("\n"),
  );
  const { snippets, rest } = extractSnippets(instructions);
  const prompt = extractSnippets(readVoice(topicPrompt(messages)).rest).rest;
  const lower = rest.toLowerCase();
  const format = FORMATS.find(([, pattern]) => pattern.test(lower))?.[0] ?? "paragraph";
  const style = STYLES.find(([, pattern]) => pattern.test(lower))?.[0] ?? "natural";
  const topic = readTopic(prompt) || readTopic(rest) || "this topic";
  return {
    format,
    style,
    bullets: format !== "bullets" && /\bbullet/.test(lower),
    ...readLimits(rest),
    snippets,
    topic,
    keywords: readKeywords(topic, snippets),
    counts: readCounts(rest),
    seed: fnv1a(messages.map((m) => `${m.role}:${m.content}`).join("\n")),
    voice,
    avoid: readAvoid(rest),
    cite: !NO_CITATIONS.test(rest),
  };
}
