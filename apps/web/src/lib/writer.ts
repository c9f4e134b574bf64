/**
 * The writer's pure parts in the web: what an output's length is against its platform's limit (counted
 * the way the platform counts, with the domain's own functions, so the editor agrees with the server
 * and the publishing composer), a thread's posts, and how a version reads in the history.
 */
import {
  lengthIn,
  WRITER_FORMAT_BY_ID,
  WRITER_FORMATS,
  WRITER_STYLES,
  type WriterFormat,
  type WriterStyle,
} from "@inkwell/domain/writer/schemas";

export { WRITER_FORMATS, WRITER_STYLES, type WriterFormat, type WriterStyle };

export const STYLE_LABELS: Record<WriterStyle, string> = { polished: "Polished", natural: "Natural", punchy: "Punchy" };
export const STYLE_HINTS: Record<WriterStyle, string> = {
  polished: "Precise and professional",
  natural: "Warm and conversational",
  punchy: "Short, bold, no filler",
};

export const formatLabel = (format: string) => WRITER_FORMAT_BY_ID[format as WriterFormat]?.label ?? format;

/** Formats picked when a user opens the writer for the first time. */
export const DEFAULT_FORMATS: WriterFormat[] = ["linkedin_post", "x_thread"];

/** "1/5 " (or "(1/5)", "1/5:") at the start of a line: the number a thread post carries. */
const POST_NUMBER = /^[ \t]*\(?(\d{1,3})[ \t]*\/[ \t]*(\d{1,3})\)?[.:)]?(?=\s|$)[ \t]*/;

/**
 * A thread's posts as a user sees them while reading or editing: split where a line starts with its
 * "i/n" number when at least two posts are numbered (a post may hold blank lines), otherwise at blank lines.
 */
export function splitThread(text: string): string[] {
  const normalized = text.replace(/\r\n?/g, "\n").trim();
  if (!normalized) return [];
  const lines = normalized.split("\n");
  const numbered = lines.filter((l) => POST_NUMBER.test(l)).length >= 2;
  if (!numbered) {
    return normalized
      .split(/\n[ \t]*\n/)
      .map((p) => p.trim())
      .filter(Boolean);
  }
  const posts: string[][] = [];
  for (const line of lines) {
    if (POST_NUMBER.test(line) || posts.length === 0) posts.push([line]);
    else posts.at(-1)?.push(line);
  }
  return posts.map((p) => p.join("\n").trim()).filter(Boolean);
}

/** A post's number and its text without it (for rendering the number apart from the text). */
export function splitPostNumber(post: string, index: number, total: number): { number: string; text: string } {
  const m = POST_NUMBER.exec(post);
  if (m) return { number: `${m[1]}/${m[2]}`, text: post.slice(m[0].length) };
  return { number: `${index + 1}/${total}`, text: post };
}

export interface PartLength {
  text: string;
  count: number;
  over: boolean;
}

export interface LengthReport {
  /** Whole text (single formats) or the longest post (threads). */
  count: number;
  max: number | null;
  over: boolean;
  /** Per post, for threads. */
  parts: PartLength[] | null;
  /** "1,234 / 3,000 characters", "4 posts · longest 243 / 280". */
  label: string;
}

const n = (value: number) => value.toLocaleString("en-US");

/** How long `content` is for `format`'s platform; a thread is measured per post (`parts`, or split from the text). */
export function measure(format: WriterFormat, content: string, parts?: readonly string[] | null): LengthReport {
  const spec = WRITER_FORMAT_BY_ID[format];
  const max = spec.maxChars;
  if (spec.thread) {
    const posts = parts?.length ? [...parts] : splitThread(content);
    const measured = posts.map((text) => {
      const count = lengthIn(format, text);
      return { text, count, over: max !== null && count > max };
    });
    const longest = Math.max(0, ...measured.map((p) => p.count));
    const over = measured.some((p) => p.over) || (spec.maxParts !== null && measured.length > spec.maxParts);
    const postsWord = measured.length === 1 ? "post" : "posts";
    return {
      count: longest,
      max,
      over,
      parts: measured,
      label: `${measured.length} ${postsWord} · longest ${n(longest)}${max !== null ? ` / ${n(max)}` : ""}`,
    };
  }
  const count = lengthIn(format, content);
  return {
    count,
    max,
    over: max !== null && count > max,
    parts: null,
    label: max !== null ? `${n(count)} / ${n(max)} characters` : `${n(count)} characters`,
  };
}

export type VersionSource = "generated" | "iteration" | "edit" | "restore";

export interface VersionLike {
  number: number;
  source: VersionSource;
  instruction: string | null;
}

/** How a version reads in the history: "v3 · Revised: “shorter”". */
export function describeVersion(v: VersionLike): { title: string; detail: string } {
  const title = `Version ${v.number}`;
  switch (v.source) {
    case "generated":
      return { title, detail: "Generated" };
    case "iteration":
      return { title, detail: v.instruction ? `Revised: “${v.instruction}”` : "Revised" };
    case "edit":
      return { title, detail: "Edited by you" };
    case "restore":
      // The server words it ("Restored version 2").
      return { title, detail: v.instruction ?? "Restored an earlier version" };
    default:
      return { title, detail: "" };
  }
}

/** Quick instructions offered above the iterate box. */
export const ITERATE_SUGGESTIONS = ["Shorter", "More personal", "Punchier opening", "Add a call to action", "Less formal"];

/** The tags typed as "launch, b2b saas, Launch" → ["launch", "b2b saas"]: trimmed, deduplicated case-insensitively. */
export function parseTags(text: string, max = 10): string[] {
  const seen = new Set<string>();
  const tags: string[] = [];
  for (const raw of text.split(",")) {
    const tag = raw.trim().replace(/\s+/g, " ").slice(0, 40);
    if (!tag || seen.has(tag.toLowerCase())) continue;
    seen.add(tag.toLowerCase());
    tags.push(tag);
    if (tags.length === max) break;
  }
  return tags;
}
