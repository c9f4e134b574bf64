/**
 * Template writing from a Brief: a hook, points (grounding snippets first, each cited as "[n]" unless
 * the request says not to cite, then points about the topic), a closing line and hashtags, laid out in
 * the asked-for format. A template, snippet or hashtag with a phrase the request says never to use is
 * not written at all (so nothing has to be cut out of a sentence afterwards). To meet a length limit
 * whole parts are dropped first (topic points, closing, hashtags, then cited points), and only then is
 * the text cut at a word boundary with "…". A request for a title gets the topic as one.
 */
import type { FinishReason } from "../ai.types.ts";
import { fnv1a } from "./fnv1a.ts";
import type { Brief, Style } from "./offline-brief.ts";
import { applyVoice } from "./offline-voice.ts";

interface Point {
  text: string;
  cited: boolean;
}

interface Draft {
  title: string;
  hook: string;
  points: Point[];
  closing: string;
  hashtags: string[];
}

const TEMPLATES: Record<Style, { hooks: string[]; points: string[]; closings: string[] }> = {
  polished: {
    hooks: ["{Topic} deserves a closer look.", "A clear view of {topic}.", "What matters most about {topic}."],
    points: [
      "The core idea is simple: focus on {k1} before anything else.",
      "Done well, {k2} turns into a lasting advantage.",
      "Measure the effect of {k3} and adjust deliberately.",
      "Consistency with {k1} compounds over time.",
    ],
    closings: ["The next step is to apply this to {k1}.", "How are you approaching {k1}?"],
  },
  natural: {
    hooks: ["Let's talk about {topic}.", "I've been thinking about {topic}.", "Here's my take on {topic}."],
    points: [
      "Honestly, {k1} matters more than most people think.",
      "If you're working on {k2}, start small and keep going.",
      "The trick with {k3} is to keep it simple.",
      "You don't need to get {k1} perfect on day one.",
    ],
    closings: ["What's your experience with {k1}?", "That's been my experience, anyway."],
  },
  punchy: {
    hooks: ["{Topic}. Let's go.", "{Topic} changes everything.", "Stop scrolling: {topic}."],
    points: ["{K1} wins.", "Stop overthinking {k2}.", "Ship it. Learn. Repeat.", "{K3} beats perfect."],
    closings: ["Start today.", "Your move."],
  },
};

export const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** Words compared case-insensitively, apostrophes ignored ("Don't" is "dont"). */
const wordsOf = (text: string) =>
  (text
    .toLowerCase()
    .replace(/['’]/g, "")
    .match(/[\p{L}\p{N}]+/gu) ?? []) as string[];

/** Whether `text` has any of `phrases` as a run of whole words. */
export function mentionsAny(text: string, phrases: readonly string[]): boolean {
  if (!phrases.length) return false;
  const have = wordsOf(text);
  return phrases.some((phrase) => {
    const want = wordsOf(phrase);
    if (!want.length) return text.includes(phrase.trim());
    for (let i = 0; i + want.length <= have.length; i++) if (want.every((w, j) => have[i + j] === w)) return true;
    return false;
  });
}

/**
 * A snippet's key phrase: its first sentence, at most 20 words, without closing punctuation. A short
 * label before a colon ("My bakery (About me): I run…") names the note and is not part of it.
 */
function keyPhrase(text: string): string {
  const unlabelled = text.replace(/^[^:.!?\n]{1,60}:\s+(?=\S+(?:\s+\S+){2})/u, "");
  const sentence = unlabelled.split(/(?<=[.!?])\s+/)[0] ?? unlabelled;
  return sentence
    .split(/\s+/)
    .slice(0, 20)
    .join(" ")
    .replace(/[\s.!?;:,]+$/, "");
}

function draft(brief: Brief): Draft {
  const allowed = (text: string) => !mentionsAny(text, brief.avoid);
  // Without keywords (a greeting, say) "this" reads better than repeating the whole topic.
  const keyword = (i: number) => brief.keywords[i % Math.max(1, brief.keywords.length)] ?? "this";
  const fill = (template: string) =>
    template
      .replace(/\{topic\}/g, brief.topic)
      .replace(/\{Topic\}/g, capitalise(brief.topic))
      .replace(/\{(k|K)(\d)\}/g, (_, k: string, n: string) => (k === "K" ? capitalise : String)(keyword(Number(n) - 1)));
  // Templates are filled first and those with an avoided phrase left out, so one is never written.
  const usable = (list: string[]) => list.map(fill).filter(allowed);
  const pick = (list: string[], salt: string) => (list.length ? (list[fnv1a(salt, brief.seed) % list.length] as string) : "");
  const templates = TEMPLATES[brief.style];
  const lead = brief.style === "natural" ? ["", "Worth knowing: ", "One thing stands out: "] : [""];
  const cited = brief.snippets
    .slice(0, 6)
    .map((s) => ({
      text: `${pick(lead, `lead${s.id}`)}${capitalise(keyPhrase(s.text))}${brief.cite ? ` [${s.id}]` : ""}.`,
      cited: true,
    }))
    .filter((p) => allowed(p.text));
  // Rotate the point templates by the seed so different requests read differently.
  const points = usable(templates.points);
  const offset = points.length ? brief.seed % points.length : 0;
  const topical = points.slice(0, 3).map((_, i) => ({ text: points[(offset + i) % points.length] as string, cited: false }));
  const voiced = applyVoice(
    {
      hook: pick(usable(templates.hooks), "hook"),
      points: [...cited, ...topical],
      closing: pick(usable(templates.closings), "closing"),
    },
    brief.voice,
    keyword(0),
  );
  // The voice's rewording (contractions, emoji) may bring one back: what has one goes.
  return {
    title: capitalise(brief.topic),
    hook: allowed(voiced.hook) ? voiced.hook : "",
    points: voiced.points.filter((p) => allowed(p.text)),
    closing: allowed(voiced.closing) ? voiced.closing : "",
    hashtags: brief.keywords
      .filter(allowed)
      .slice(0, 3)
      .map((k) => `#${capitalise(k)}`),
  };
}

/** The i-th point of the brief (cited snippets first, then the topic), for text fields of structured output. */
export function sentence(brief: Brief, i: number): string {
  const d = draft(brief);
  // Every point may have been left out for an avoided phrase: the hook, or the topic, still says something.
  return d.points.length ? (d.points[i % d.points.length] as Point).text : d.hook || `${capitalise(brief.topic)}.`;
}

const join = (parts: string[], separator: string) => parts.filter(Boolean).join(separator);

function cut(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  if (maxChars < 2) return text.slice(0, maxChars);
  let head = text.slice(0, maxChars - 1);
  const lastSpace = head.search(/\s\S*$/);
  if (lastSpace > maxChars / 2) head = head.slice(0, lastSpace);
  head = head.replace(/[\s,;:.!?-]+$/, "").replace(/[\uD800-\uDBFF]$/, "");
  return `${head}…`;
}

function cutWords(text: string, maxWords: number): string {
  const tokens = text.split(/(?<=\s)(?=\S)/);
  return tokens.length <= maxWords ? text : tokens.slice(0, maxWords).join("").trimEnd();
}

function render(d: Draft, brief: Brief): string {
  const list = (marker: (i: number) => string) => d.points.map((p, i) => `${marker(i)}${p.text}`).join("\n");
  const body = (separator: string) =>
    brief.bullets
      ? list(() => "- ")
      : join(
          d.points.map((p) => p.text),
          separator,
        );
  const tags = d.hashtags.join(" ");
  switch (brief.format) {
    case "title":
      return d.title;
    case "thread": {
      const posts = [d.hook, ...d.points.map((p) => p.text), join([d.closing, tags], " ")].filter(Boolean);
      const perPost = Math.min(280, brief.maxCharsPerPart ?? 280);
      return posts.map((post, i) => cut(`${i + 1}/${posts.length} ${post}`, perPost)).join("\n\n");
    }
    case "tweet":
      return cut(join([d.hook, d.points[0]?.text ?? "", d.hashtags.slice(0, 2).join(" ")], " "), 280);
    case "linkedin":
      return join([d.hook, body("\n\n"), d.closing, tags], "\n\n");
    case "caption":
      return join([d.hook, body("\n"), tags], "\n\n");
    case "email":
      return join([`Subject: ${d.title}`, "Hi there,", d.hook, body("\n\n"), d.closing, "Best regards"], "\n\n");
    case "article":
      return join([`# ${d.title}`, d.hook, d.points.length ? "## Key points" : "", body("\n\n"), d.closing], "\n\n");
    case "bullets":
      return list(() => "- ") || `- ${d.hook}`;
    case "numbered":
      return list((i) => `${i + 1}. `) || `1. ${d.hook}`;
    default:
      return join([d.hook, body(" "), d.closing], brief.bullets ? "\n\n" : " ");
  }
}

/** The next smaller draft, or null when nothing more can go. */
function shrink(d: Draft): Draft | null {
  const uncited = d.points.findLastIndex((p) => !p.cited);
  if (uncited >= 0) return { ...d, points: d.points.filter((_, i) => i !== uncited) };
  if (d.closing) return { ...d, closing: "" };
  if (d.hashtags.length) return { ...d, hashtags: d.hashtags.slice(0, -1) };
  if (d.points.length) return { ...d, points: d.points.slice(0, -1) };
  return null;
}

function fit(brief: Brief, maxChars: number | undefined): string {
  const fits = (text: string) =>
    (maxChars === undefined || text.length <= maxChars) &&
    (brief.maxWords === undefined || text.split(/\s+/).filter(Boolean).length <= brief.maxWords);
  let d = draft(brief);
  let text = render(d, brief);
  // Each shrink removes a part, so this ends.
  for (let smaller = shrink(d); smaller && !fits(text); smaller = shrink(d)) {
    d = smaller;
    text = render(d, brief);
  }
  if (brief.maxWords !== undefined) text = cutWords(text, brief.maxWords);
  return maxChars === undefined ? text : cut(text, maxChars);
}

/** maxTokens caps the text at about four characters a token; hitting that cap is finishReason "length". */
export function writeOffline(brief: Brief, maxTokens?: number): { text: string; finishReason: FinishReason } {
  const text = fit(brief, brief.maxChars);
  if (maxTokens === undefined || text.length <= maxTokens * 4) return { text, finishReason: "stop" };
  return { text: fit(brief, Math.min(brief.maxChars ?? Number.POSITIVE_INFINITY, maxTokens * 4)), finishReason: "length" };
}
