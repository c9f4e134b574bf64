/**
 * The writer's output formats and the rules each one must meet, enforced on whatever the model wrote:
 * models miscount characters, forget headings and number threads loosely, so the rules are applied
 * after generation instead of trusted to the prompt. Pure functions (browser-safe): the web uses the
 * same counts in its editor.
 *
 * X is counted the way X counts (twitter-text, through platform/x-length.ts, the function publishing's
 * validator uses too, so a thread the writer accepts is one the composer accepts); the other limits are
 * characters (code points).
 */

import { xLength } from "../platform/x-length.ts";
import { markdownToText } from "../platforms/platforms.schemas.ts";

export const WRITER_FORMAT_IDS = ["linkedin_post", "x_thread", "threads_post", "blog_article", "newsletter"] as const;
export type WriterFormat = (typeof WRITER_FORMAT_IDS)[number];

export const WRITER_STYLES = ["polished", "natural", "punchy"] as const;
export type WriterStyle = (typeof WRITER_STYLES)[number];

export interface WriterFormatSpec {
  id: WriterFormat;
  label: string;
  /** The publishing platform it goes to; null for a newsletter (sent by e-mail, not published from here). */
  platform: "linkedin" | "x" | "threads" | "wordpress" | null;
  /** The platform's limit: per post for a thread, for the whole text otherwise; null when none applies. */
  maxChars: number | null;
  /** How `maxChars` is counted: X's weighting (CJK and emoji 2, URLs 23) or characters. */
  counting: "x_weighted" | "characters";
  /** Split into numbered posts ("1/n "), each within `maxChars` including its number. */
  thread: boolean;
  /** The most posts the platform takes in one thread. */
  maxParts: number | null;
  /** What the model is told. Worded per format so one request never names another format. */
  rules: string;
}

export const WRITER_FORMATS: readonly WriterFormatSpec[] = [
  {
    id: "linkedin_post",
    label: "LinkedIn post",
    platform: "linkedin",
    maxChars: 3000,
    counting: "characters",
    thread: false,
    maxParts: 1,
    rules:
      "Write a LinkedIn post of at most 2,800 characters in total. Plain text only: LinkedIn shows Markdown literally, " +
      "so no '#' headings and no asterisks for emphasis. Open with a first line that earns the click on 'see more', " +
      "use short paragraphs separated by blank lines, end with a question or a call to action, and put at most three " +
      "hashtags on the last line.",
  },
  {
    id: "x_thread",
    label: "X thread",
    platform: "x",
    maxChars: 280,
    counting: "x_weighted",
    thread: true,
    maxParts: 25,
    rules:
      "Write an X thread of 3 to 8 posts. Each post is at most 260 characters including its number. Start each post " +
      "with its number and the total, like '1/5 ', and separate posts with one blank line. The first post is the hook, " +
      "the last one wraps up. No Markdown; at most two hashtags, only in the last post.",
  },
  {
    id: "threads_post",
    label: "Threads post",
    platform: "threads",
    maxChars: 500,
    counting: "characters",
    thread: false,
    maxParts: 1,
    rules:
      "Write a single post for Threads (Meta's text app) of at most 460 characters. Plain text without Markdown, one " +
      "to three short paragraphs, at most one hashtag.",
  },
  {
    id: "blog_article",
    label: "Blog article (WordPress)",
    platform: "wordpress",
    maxChars: null,
    counting: "characters",
    thread: false,
    maxParts: 1,
    rules:
      "Write a blog article in Markdown for WordPress. The first line is the title as a level-1 heading ('# Title'); " +
      "then an introduction; then 3 to 5 sections, each under a level-2 heading ('## Section'); then a short " +
      "conclusion. Use lists where they help. No HTML.",
  },
  {
    id: "newsletter",
    label: "Newsletter",
    platform: null,
    maxChars: null,
    counting: "characters",
    thread: false,
    maxParts: null,
    rules:
      "Write an email newsletter. The first line is 'Subject: ' followed by the subject line (under ten words); " +
      "then a blank line and the body: a greeting, three to five short paragraphs or sections, and a sign-off. " +
      "Markdown is allowed for emphasis and lists.",
  },
];

export const WRITER_FORMAT_BY_ID = Object.fromEntries(WRITER_FORMATS.map((f) => [f.id, f])) as Record<
  WriterFormat,
  WriterFormatSpec
>;

export const WRITER_STYLE_GUIDANCE: Record<WriterStyle, string> = {
  polished: "Style: polished. Precise, well structured and professional; complete sentences, no slang.",
  natural: "Style: natural. Warm and conversational, like talking to a colleague; contractions are fine.",
  punchy: "Style: punchy. Short sentences, strong verbs, confident claims, no filler.",
};

/** A subject line longer than this is cut at a word. */
export const MAX_SUBJECT_CHARS = 120;

export type FormatViolationCode =
  | "empty"
  | "truncated"
  | "split_post"
  | "too_many_posts"
  | "stripped_markdown"
  | "added_title"
  | "added_headings"
  | "added_subject"
  | "trimmed_subject";

export interface FormatViolation {
  code: FormatViolationCode;
  message: string;
}

export interface EnforcedOutput {
  /** The text to store and show (a thread's posts joined by blank lines). */
  content: string;
  /** A thread's posts, each starting with its "i/n " number; null for single texts. */
  parts: string[] | null;
  /** What the model got wrong and was fixed (logged; the stored text always meets the rules). */
  violations: FormatViolation[];
}

export interface EnforceOptions {
  /** Used when the model gave an article no title or a newsletter no subject. */
  title?: string;
}

// ---- counting ----

/** Characters as a person counts them (code points, so an emoji is one). */
export const charLength = (text: string) => [...text].length;

/** X's weighted length (twitter-text, X's own rules): the one shared with publishing's validator. */
export const xWeightedLength = xLength;

/** The length of `text` as `format`'s platform counts it. */
export function lengthIn(format: WriterFormat, text: string): number {
  // X gets the Markdown rendered as plain text (as publishing sends and counts it): the editor's count is the composer's.
  return WRITER_FORMAT_BY_ID[format].counting === "x_weighted" ? xWeightedLength(markdownToText(text)) : charLength(text);
}

// ---- shared clean-up ----

/** Line endings, trailing spaces, runs of blank lines, a wrapping code fence and a "Here's your post:" preamble. */
export function normalizeModelText(text: string): string {
  let t = text
    .replace(/\r\n?/g, "\n")
    .replace(/[ \t]+$/gm, "")
    .trim();
  const fenced = /^```[\w-]*\n([\s\S]*?)\n```$/.exec(t);
  if (fenced) t = (fenced[1] as string).trim();
  const preamble = /^(?:sure[,!.]?\s*)?(?:here(?:'s| is| are)|below is)\b[^\n]{0,80}:\n+/i.exec(t);
  if (preamble && t.length > preamble[0].length) t = t.slice(preamble[0].length).trim();
  return t.replace(/\n{3,}/g, "\n\n");
}

/** LinkedIn and Threads show Markdown literally: heading hashes, emphasis markers and link syntax go. */
function toPlainText(text: string): { text: string; changed: boolean } {
  const plain = text
    .replace(/^#{1,6}[ \t]+/gm, "")
    .replace(/\*\*([^*\n]+)\*\*/g, "$1")
    .replace(/__([^_\n]+)__/g, "$1")
    .replace(/\[([^\]\n]+)\]\((https?:\/\/[^)\s]+)\)/g, "$1 ($2)");
  return { text: plain, changed: plain !== text };
}

const SENTENCE_END = /[.!?…]["'”’)\]]*(?=\s|$)/g;

/** Cuts to `max` characters: at the last sentence end if one is in the second half, else at a word, with "…". */
export function truncateText(text: string, max: number): string {
  const cps = [...text];
  if (cps.length <= max) return text;
  const head = cps.slice(0, max).join("");
  let sentenceEnd = -1;
  for (const m of head.matchAll(SENTENCE_END)) sentenceEnd = m.index + m[0].length;
  if (sentenceEnd > 0 && charLength(head.slice(0, sentenceEnd)) >= max / 2) return head.slice(0, sentenceEnd).trimEnd();
  const room = cps.slice(0, max - 1).join("");
  const lastSpace = room.search(/\s\S*$/);
  const cut = (lastSpace > room.length / 2 ? room.slice(0, lastSpace) : room).replace(/[\s,;:.!?-]+$/, "");
  return `${cut}…`;
}

// ---- X threads ----

/** A line that starts a numbered post: "1/5 ", "(2/5)", "3/ ", "Post 4:", "Tweet 5 -". */
const POST_MARKER = /^[ \t]*(?:\(?\d{1,3}[ \t]*\/[ \t]*\d{0,3}\)?[.:)]?|(?:post|tweet)[ \t]+\d{1,3}[ \t]*[:.)-])(?=\s|$)[ \t]*/i;
/** A separator line between posts. */
const SEPARATOR_LINE = /^[ \t]*(?:-{3,}|\*{3,}|_{3,})[ \t]*$/;

/**
 * The posts the model meant: split at its own numbering when it numbered at least two posts (markers
 * removed), otherwise at blank lines; "---" separator lines are dropped. Everything else is kept.
 */
export function threadPostsFrom(text: string): string[] {
  const lines = normalizeModelText(text)
    .split("\n")
    .map((l) => (SEPARATOR_LINE.test(l) ? "" : l));
  // Two numbered posts make a numbering; so does a lone "1/1" (a one-post thread read back).
  const firstLine = lines.find((l) => l.trim()) ?? "";
  const marked = lines.filter((l) => POST_MARKER.test(l)).length >= 2 || /^[ \t]*\(?1[ \t]*\/[ \t]*1\)?(?=\s|$)/.test(firstLine);
  const posts: string[] = [];
  if (marked) {
    let current: string[] = [];
    for (const line of lines) {
      if (POST_MARKER.test(line)) {
        posts.push(current.join("\n"));
        current = [line.replace(POST_MARKER, "")];
      } else current.push(line);
    }
    posts.push(current.join("\n"));
  } else {
    posts.push(...lines.join("\n").split(/\n[ \t]*\n/));
  }
  return posts.map((p) => p.replace(/\n{3,}/g, "\n\n").trim()).filter(Boolean);
}

interface Atom {
  text: string;
  /** What joins it to the atom before when both land in one post. */
  sep: string;
}

/** The longest prefix (in code points) of `word` that fits; at least one code point. */
function longestFit(cps: string[], fits: (s: string) => boolean): number {
  let lo = 1;
  let hi = cps.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (fits(cps.slice(0, mid).join(""))) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Sentences (or words, or pieces of a word longer than a post) of one post, each fitting on its own. */
function atomsOf(post: string, fits: (s: string) => boolean): Atom[] {
  const atoms: Atom[] = [];
  for (const [pi, paragraph] of post.split(/\n[ \t]*\n/).entries()) {
    const sentences = paragraph
      .split(/(?<=[.!?…]["'”’)\]]*)\s+|\n/)
      .map((s) => s.trim())
      .filter(Boolean);
    for (const [si, sentence] of sentences.entries()) {
      const sep = si > 0 ? " " : pi > 0 ? "\n\n" : "";
      if (fits(sentence)) {
        atoms.push({ text: sentence, sep });
        continue;
      }
      for (const [wi, word] of sentence.split(/\s+/).filter(Boolean).entries()) {
        const wordSep = wi === 0 ? sep : " ";
        if (fits(word)) {
          atoms.push({ text: word, sep: wordSep });
          continue;
        }
        // Only a word longer than a post is cut inside; its pieces join without a space.
        let cps = [...word];
        let first = true;
        while (cps.length) {
          const n = longestFit(cps, fits);
          atoms.push({ text: cps.slice(0, n).join(""), sep: first ? wordSep : "" });
          cps = cps.slice(n);
          first = false;
        }
      }
    }
  }
  return atoms;
}

/** Packs each post's atoms greedily into bodies that fit next to a marker as wide as `${n}/${n} `. */
function packThread(posts: string[], n: number, max: number): { bodies: string[]; split: boolean } {
  const widest = `${n}/${n} `;
  // Counted as X receives it (publishing sends the Markdown rendered as plain text, and its validator
  // counts that): a list's "•" weighs 2 where "- " weighed 1, and a list stands apart from the line before.
  const fits = (body: string) => xWeightedLength(markdownToText(widest + body)) <= max;
  const bodies: string[] = [];
  let split = false;
  for (const post of posts) {
    if (fits(post)) {
      bodies.push(post);
      continue;
    }
    split = true;
    let current = "";
    for (const atom of atomsOf(post, fits)) {
      const candidate = current ? current + atom.sep + atom.text : atom.text;
      if (fits(candidate)) current = candidate;
      else {
        if (current) bodies.push(current);
        current = atom.text;
      }
    }
    if (current) bodies.push(current);
  }
  return { bodies, split };
}

function enforceThread(text: string, spec: WriterFormatSpec): EnforcedOutput {
  const max = spec.maxChars ?? 280;
  const posts = threadPostsFrom(text);
  if (!posts.length) return { content: "", parts: [], violations: [{ code: "empty", message: "The model wrote nothing." }] };
  // The marker's width depends on the number of posts, which depends on the width: repeat until the
  // count has no more digits than the marker that was reserved for it.
  let n = posts.length;
  let packed = packThread(posts, n, max);
  while (String(packed.bodies.length).length > String(n).length) {
    n = packed.bodies.length;
    packed = packThread(posts, n, max);
  }
  const violations: FormatViolation[] = [];
  if (packed.split) violations.push({ code: "split_post", message: `A post was over ${max} characters and was split.` });
  let bodies = packed.bodies;
  if (spec.maxParts !== null && bodies.length > spec.maxParts) {
    // X refuses a longer thread: keep the first posts (each body fits beside the wider marker it was packed
    // for, so it fits beside the narrower one too). An edit with this violation is refused instead.
    violations.push({
      code: "too_many_posts",
      message: `This thread has ${bodies.length} posts; X takes at most ${spec.maxParts}.`,
    });
    bodies = bodies.slice(0, spec.maxParts);
  }
  const total = bodies.length;
  const parts = bodies.map((body, i) => `${i + 1}/${total} ${body}`);
  return { content: parts.join("\n\n"), parts, violations };
}

// ---- single posts ----

function enforceSinglePost(text: string, spec: WriterFormatSpec): EnforcedOutput {
  const violations: FormatViolation[] = [];
  const plain = toPlainText(normalizeModelText(text));
  if (plain.changed) violations.push({ code: "stripped_markdown", message: "Markdown was removed (shown literally there)." });
  let content = plain.text.replace(/\n{3,}/g, "\n\n").trim();
  if (!content) return { content: "", parts: null, violations: [{ code: "empty", message: "The model wrote nothing." }] };
  const max = spec.maxChars ?? Number.POSITIVE_INFINITY;
  if (charLength(content) > max) {
    violations.push({ code: "truncated", message: `The text was ${charLength(content)} characters and was cut to ${max}.` });
    content = truncateText(content, max);
  }
  return { content, parts: null, violations };
}

// ---- articles ----

/** A short line that reads like a heading (no closing sentence punctuation). */
const looksLikeHeading = (line: string) => charLength(line) <= 120 && !/[.,;:!?]$/.test(line) && /\p{L}/u.test(line);

function titleFrom(text: string, fallback: string | undefined): string {
  if (fallback?.trim()) return fallback.trim().split(/\s+/).slice(0, 12).join(" ");
  const sentence = text.replace(/^#+\s*/gm, "").split(/(?<=[.!?])\s+|\n/)[0] ?? "";
  const words = sentence
    .replace(/[.!?:;,]+$/, "")
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 10);
  return words.join(" ") || "Untitled";
}

function enforceArticle(text: string, options: EnforceOptions): EnforcedOutput {
  const violations: FormatViolation[] = [];
  const raw = normalizeModelText(text).split("\n");
  if (!raw.some((l) => l.trim())) {
    return { content: "", parts: null, violations: [{ code: "empty", message: "The model wrote nothing." }] };
  }
  // Setext headings, "Title:" lines and lines that are only bold text become ATX headings.
  const lines: string[] = [];
  for (const [i, line] of raw.entries()) {
    const next = raw[i + 1] ?? "";
    if (/^=+\s*$/.test(line) && lines.length && lines.at(-1)?.trim() && !lines.at(-1)?.startsWith("#")) {
      lines.push(`# ${(lines.pop() as string).trim()}`);
      continue;
    }
    if (/^-{2,}\s*$/.test(line) && lines.length && lines.at(-1)?.trim() && !lines.at(-1)?.startsWith("#")) {
      lines.push(`## ${(lines.pop() as string).trim()}`);
      continue;
    }
    const titled = /^\s*(?:\*\*)?title\s*:\s*(?:\*\*)?\s*(.+?)\s*(?:\*\*)?$/i.exec(line);
    if (titled && i < 3) {
      lines.push(`# ${titled[1]}`);
      continue;
    }
    const bold = /^\s*\*\*([^*]+)\*\*\s*$/.exec(line);
    if (bold && !next.trim() && looksLikeHeading((bold[1] as string).trim())) {
      lines.push(`## ${(bold[1] as string).trim()}`);
      continue;
    }
    lines.push(line);
  }

  // Exactly one H1, first.
  let titleLine: string | null = null;
  const body: string[] = [];
  for (const line of lines) {
    const h1 = /^#[ \t]+(.+)$/.exec(line);
    if (h1 && titleLine === null) titleLine = `# ${(h1[1] as string).trim()}`;
    else if (h1) body.push(`## ${(h1[1] as string).trim()}`);
    else body.push(line);
  }
  if (titleLine === null) {
    const firstIndex = body.findIndex((l) => l.trim());
    const first = (body[firstIndex] ?? "").trim();
    const rest = body.slice(firstIndex + 1).some((l) => l.trim());
    if (rest && looksLikeHeading(first) && !/^[-*+>|]|^\d+[.)]\s/.test(first)) {
      titleLine = `# ${first.replace(/^#+\s*/, "")}`;
      body.splice(firstIndex, 1);
    } else {
      titleLine = `# ${titleFrom(body.join("\n"), options.title)}`;
      violations.push({ code: "added_title", message: "The article had no title; one was added." });
    }
  }

  // At least one H2: promote the next level down, or open the body with one.
  let bodyText = body
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
  if (!/^##[ \t]+\S/m.test(bodyText)) {
    const levels = [...bodyText.matchAll(/^(#{3,6})[ \t]+\S/gm)].map((m) => (m[1] as string).length);
    if (levels.length) {
      const top = Math.min(...levels);
      bodyText = bodyText.replace(new RegExp(`^#{${top}}(?=[ \\t]+\\S)`, "gm"), "##");
    } else {
      const paragraphs = bodyText ? bodyText.split(/\n\n/) : [];
      // Keep the introduction above the first section when there is more than one paragraph.
      const intro = paragraphs.length > 1 ? paragraphs.slice(0, 1) : [];
      bodyText = [...intro, "## Overview", ...paragraphs.slice(intro.length)].join("\n\n");
      violations.push({ code: "added_headings", message: "The article had no section headings; one was added." });
    }
  }
  return { content: `${titleLine}\n\n${bodyText}`.trim(), parts: null, violations };
}

/** An article's title (its H1) and the Markdown under it: what WordPress needs. */
export function readArticle(content: string): { title: string; body: string } {
  const m = /^#[ \t]+(.+)\n*/.exec(content);
  return m ? { title: (m[1] as string).trim(), body: content.slice(m[0].length).trim() } : { title: "", body: content.trim() };
}

// ---- newsletters ----

const SUBJECT_LINE = /^\s*(?:\*\*)?\s*subject(?:[ \t]+line)?\s*:\s*(?:\*\*)?\s*(.*?)\s*(?:\*\*)?\s*$/i;

function enforceNewsletter(text: string, options: EnforceOptions): EnforcedOutput {
  const violations: FormatViolation[] = [];
  const lines = normalizeModelText(text).split("\n");
  if (!lines.some((l) => l.trim())) {
    return { content: "", parts: null, violations: [{ code: "empty", message: "The model wrote nothing." }] };
  }
  let subject = "";
  const at = lines.findIndex((l, i) => i < 5 && SUBJECT_LINE.test(l));
  if (at >= 0) {
    subject = (SUBJECT_LINE.exec(lines[at] as string)?.[1] ?? "").trim();
    lines.splice(at, 1);
  }
  let body = lines
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
  if (!subject) {
    const [first = "", ...rest] = body.split("\n");
    const candidate = first.replace(/^#+\s*/, "").trim();
    if (rest.join("").trim() && looksLikeHeading(candidate)) {
      subject = candidate;
      body = rest.join("\n").trim();
    } else {
      subject = titleFrom(body, options.title);
      violations.push({ code: "added_subject", message: "The newsletter had no subject line; one was added." });
    }
  }
  subject = subject.replace(/^["'“”]+|["'“”]+$/g, "").trim() || "Newsletter";
  if (charLength(subject) > MAX_SUBJECT_CHARS) {
    subject = truncateText(subject, MAX_SUBJECT_CHARS);
    violations.push({ code: "trimmed_subject", message: `The subject line was cut to ${MAX_SUBJECT_CHARS} characters.` });
  }
  return { content: body ? `Subject: ${subject}\n\n${body}` : `Subject: ${subject}`, parts: null, violations };
}

/** A newsletter's subject line and body. */
export function readNewsletter(content: string): { subject: string; body: string } {
  const m = /^Subject:[ \t]*(.*)\n*/.exec(content);
  return m
    ? { subject: (m[1] as string).trim(), body: content.slice(m[0].length).trim() }
    : { subject: "", body: content.trim() };
}

// ---- the one entry point ----

/** Applies `format`'s rules to model output (or a user's edit). The result always meets them, unless `empty`. */
export function enforceFormat(format: WriterFormat, text: string, options: EnforceOptions = {}): EnforcedOutput {
  const spec = WRITER_FORMAT_BY_ID[format];
  switch (format) {
    case "x_thread":
      return enforceThread(text, spec);
    case "linkedin_post":
    case "threads_post":
      return enforceSinglePost(text, spec);
    case "blog_article":
      return enforceArticle(text, options);
    case "newsletter":
      return enforceNewsletter(text, options);
  }
}

/** The parts a publishing composer should prefill: a thread's posts, or the one text. */
export function partsForPublishing(format: WriterFormat, content: string, parts: string[] | null): string[] {
  if (format === "x_thread" && parts) return parts;
  if (format === "blog_article") return [readArticle(content).body];
  if (format === "newsletter") return [readNewsletter(content).body];
  return [content];
}
