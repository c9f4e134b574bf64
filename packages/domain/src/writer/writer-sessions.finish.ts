/**
 * What a generated text goes through before it is stored as a version (pure apart from the one
 * rewrite call it may make, so every format can be property-tested without a database):
 * - citation markers ("[1]") go: the knowledge in the prompt is the writer's private notes, which no
 *   reader can look up, and a social post with "[2]" in it reads as a glitch;
 * - a sentence that repeats our own instructions ("…without these phrases, which the writer never
 *   uses…") goes: a model that echoes the prompt must not publish it;
 * - the format's rules are applied (writer-formats.ts);
 * - a banned phrase asks for one rewrite, told which phrases; what is still there is scrubbed, whole
 *   sentences at a time (voice.banned.ts), and a text that is left empty is refused, never stored.
 */
import { DomainError } from "../platform/errors.ts";
import { type EnforcedOutput, enforceFormat, type WriterFormat } from "./writer-formats.ts";
import { findBanned, readableText, scrubBanned } from "./writer-sessions.guidance.ts";

/** What the model is told when its text used a banned phrase (the rewrite's last message). */
export function rewriteInstruction(found: readonly string[]): string {
  return (
    `Rewrite it without these phrases, which the writer never uses: ${found.map((p) => `"${p}"`).join(", ")}. ` +
    "Keep everything else as it is, and reply with the whole text only."
  );
}

/**
 * Word runs from the writer's own prompts (buildPrompt and rewriteInstruction) that no post says: a
 * sentence with one is the model repeating its instructions. Matched as banned phrases are (whole words,
 * any case or punctuation), and removed the same way, a whole sentence at a time.
 */
export const PROMPT_ECHOES = [
  "without these phrases",
  "which the writer never uses",
  "never use these phrases",
  "reply with the whole text only",
  "you are inkwell's writer",
  "no preamble, no notes",
  "what the writer has told us",
];

/**
 * Citation markers: "[1]", "[2, 3]", "[1-3]", "[1][2]" with the space before them. Not a Markdown link
 * ("[text](url)"), a reference link ("[text][1]", after a "]") or its definition ("[1]: url").
 */
const CITATION = /[ \t]*(?<!\])(?:\[\d{1,3}(?:\s*[,–-]\s*\d{1,3})*\])+(?![(:])/g;

/** Code (fenced blocks, inline spans) is kept as written: `matrix[0][1]` is code, not a citation. */
const CODE = /(```[\s\S]*?(?:```|$)|~~~[\s\S]*?(?:~~~|$)|`[^`\n]+`)/;

/**
 * Only the markers go, with the spaces before them ("sells [1]." → "sells."): spaces before punctuation
 * elsewhere are the writer's (French puts one before "!", "?", ":" and ";").
 */
export function stripCitationMarkers(text: string): string {
  return text
    .split(CODE)
    .map((piece, i) => (i % 2 ? piece : piece.replace(CITATION, "")))
    .join("");
}

/** A model's text without citation markers or echoed instructions. */
export function cleanModelText(text: string): string {
  return scrubBanned(stripCitationMarkers(text), PROMPT_ECHOES);
}

const isEmpty = (e: EnforcedOutput) => e.violations.some((v) => v.code === "empty");

export interface FinishOptions {
  /** The voice profile's banned phrases. */
  banned: readonly string[];
  /** An article's title or a newsletter's subject when the model gave none. */
  title: string;
  /** Asks the model once more, with `rewriteInstruction(found)`; its text. */
  rewrite?: (found: string[]) => Promise<string>;
}

export interface Finished {
  enforced: EnforcedOutput;
  /** The phrases the first text used (empty when none). */
  found: string[];
  rewritten: boolean;
  scrubbed: boolean;
}

/** The text to store for a generation (see the file comment); UPSTREAM_FAILED when nothing usable is left. */
export async function finishOutput(format: WriterFormat, raw: string, options: FinishOptions): Promise<Finished> {
  const enforce = (text: string) => enforceFormat(format, cleanModelText(text), { title: options.title });
  let enforced = enforce(raw);
  if (isEmpty(enforced)) throw new DomainError("UPSTREAM_FAILED", "The model returned no text. Try again.");
  const found = findBanned(readableText(enforced), options.banned);
  if (!found.length) return { enforced, found, rewritten: false, scrubbed: false };

  let rewritten = false;
  if (options.rewrite) {
    const again = enforce(await options.rewrite(found));
    rewritten = true;
    if (!isEmpty(again)) enforced = again;
  }
  let scrubbed = false;
  if (findBanned(readableText(enforced), options.banned).length) {
    enforced = enforceFormat(format, scrubBanned(readableText(enforced), options.banned), { title: options.title });
    scrubbed = true;
  }
  if (isEmpty(enforced) || findBanned(readableText(enforced), options.banned).length) {
    throw new DomainError("UPSTREAM_FAILED", "The text kept using a phrase your voice profile bans. Try again.");
  }
  return { enforced, found, rewritten, scrubbed };
}
