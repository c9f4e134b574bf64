/**
 * Text that is safe to store and show. Postgres refuses NUL in text (and the driver answers with an
 * error, not a 400), control characters are invisible in the web yet change what a value means (a
 * "\u001b[2J" in a name, a "\u0008" hiding part of a title), and a lone surrogate half is not a
 * character at all (the driver silently turns it into U+FFFD, so what is stored is not what was sent).
 *
 * Two rules, one character test:
 * - `text({ max })`: the zod type for a text field, refusing those characters with a clear message.
 * - `findDisallowedText(value)`: the edge rule. The API walks every request's raw input with it
 *   before any schema runs, so fields not yet declared with `text()` are covered too.
 *
 * And cuts that never break a character a person sees as one (`cutToGraphemes`, `truncateGraphemes`):
 * a plain slice can split a surrogate pair (stored as U+FFFD) or a family, flag or skin-tone emoji
 * (shown as its parts). The server cuts titles and previews with them, the web its display names.
 *
 * Browser-safe (zod and the platform's Intl only; the web imports it as `@inkwell/domain/platform/text`),
 * so forms show the same message before sending.
 */
import { z } from "zod";

export const DISALLOWED_TEXT_MESSAGE = "Contains characters that aren't allowed";

/**
 * Lone surrogates, and C0 controls except tab, line feed and carriage return, and DEL. Refused everywhere: no field, not
 * even a document body, has a use for them. Tab and line breaks are ordinary in posts and documents.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const REFUSED_AT_EDGE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]|\p{Cs}/u;
/** Single-line fields refuse line breaks and tabs too, and the C1 controls (U+0080–U+009F). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const SINGLE_LINE = /[\u0000-\u001f\u007f-\u009f]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const MULTILINE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

/** A string with a lone surrogate half (an unpaired U+D800–U+DFFF) is not well-formed Unicode. */
const LONE_SURROGATE = /\p{Cs}/u;

/** True when `value` has no character the edge refuses (see REFUSED_AT_EDGE) and is well-formed Unicode. */
export function isAllowedText(value: string): boolean {
  return !REFUSED_AT_EDGE.test(value);
}

export interface TextOptions {
  max: number;
  min?: number;
  /** Allows line feeds, carriage returns and tabs (posts, documents, messages). */
  multiline?: boolean;
  /** Trims surrounding white space before the length checks (default true). */
  trim?: boolean;
}

/** A text field: trimmed, length-checked, no control characters or lone surrogates. */
export function text({ max, min = 0, multiline = false, trim = true }: TextOptions) {
  const refused = multiline ? MULTILINE : SINGLE_LINE;
  const base = trim ? z.string().trim() : z.string();
  const bounded = base.max(max, `Use at most ${max} characters`);
  return (min > 0 ? bounded.min(min, min === 1 ? "Cannot be empty" : `Use at least ${min} characters`) : bounded).refine(
    (value) => !refused.test(value) && !LONE_SURROGATE.test(value),
    DISALLOWED_TEXT_MESSAGE,
  );
}

export interface DisallowedText {
  /** Where the string is, as field names and indexes ("channels.0.parts.1"); "" for the input itself. */
  path: string;
}

/**
 * The first string (value or object key) in `input` that `isAllowedText` refuses, or null. Walks
 * iteratively, so a deeply nested input cannot exhaust the stack; the work is linear in the input,
 * which the HTTP body limit bounds.
 */
export function findDisallowedText(input: unknown): DisallowedText | null {
  // Containers wait on a stack holding their parent instead of a copied path, so deep nesting costs
  // linear time; strings are checked where they are met, and a path is built only for a refused one.
  type Entry = { value: object; key: string | number | null; parent: Entry | null };
  const pathOf = (parent: Entry | null, key: string | number | null) => {
    const parts: string[] = key === null ? [] : [printable(String(key))];
    for (let e = parent; e && e.key !== null; e = e.parent) parts.push(printable(String(e.key)));
    return { path: parts.reverse().join(".") };
  };
  if (typeof input === "string") return isAllowedText(input) ? null : { path: "" };
  if (input === null || typeof input !== "object") return null;
  const stack: Entry[] = [{ value: input, key: null, parent: null }];
  while (stack.length > 0) {
    const entry = stack.pop() as Entry;
    const value = entry.value;
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const item: unknown = value[i];
        if (typeof item === "string") {
          if (!isAllowedText(item)) return pathOf(entry, i);
        } else if (item !== null && typeof item === "object") stack.push({ value: item, key: i, parent: entry });
      }
      continue;
    }
    // Plain data only (JSON or tRPC's decoded input); Dates, Blobs and the like hold no user strings to check.
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) continue;
    for (const key of Object.keys(value)) {
      if (!isAllowedText(key)) return pathOf(entry, key);
      const item: unknown = (value as Record<string, unknown>)[key];
      if (typeof item === "string") {
        if (!isAllowedText(item)) return pathOf(entry, key);
      } else if (item !== null && typeof item === "object") stack.push({ value: item, key, parent: entry });
    }
  }
  return null;
}

/** A path segment fit for an error message: the refused characters themselves shown as U+FFFD. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const printable = (segment: string) => segment.replace(/[\u0000-\u001f\u007f-\u009f]|\p{Cs}/gu, "\ufffd");

const graphemes = new Intl.Segmenter(undefined, { granularity: "grapheme" });

/** Code points, as a person counts characters (and as the title limits are stated). */
export const codePointLength = (text: string) => [...text].length;

/** User-perceived characters: a family or flag emoji is one. */
export const graphemeLength = (text: string) => [...graphemes.segment(text)].length;

/** The longest start of `text` of at most `max` UTF-16 units that ends between two graphemes. */
export function cutToGraphemes(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = 0;
  for (const { segment } of graphemes.segment(text)) {
    if (end + segment.length > max) break;
    end += segment.length;
  }
  return text.slice(0, end);
}

/**
 * `text` cut to at most `max` characters, "…" included, between graphemes. Characters are code points
 * unless `measure` counts otherwise (UTF-16 units: `(s) => s.length`; graphemes: `graphemeLength`).
 */
export function truncateGraphemes(text: string, max: number, measure: (s: string) => number = codePointLength): string {
  if (measure(text) <= max) return text;
  let out = "";
  let count = 0;
  for (const { segment } of graphemes.segment(text)) {
    const n = measure(segment);
    if (count + n > max - 1) break;
    out += segment;
    count += n;
  }
  return `${out.trimEnd()}…`;
}
