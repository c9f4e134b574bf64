/**
 * The one seam between writer sessions and the brand and voice modules: what a generation must know
 * about the writer's brand and voice, loaded in a short transaction before the model is called, and
 * the banned-phrase checks applied to every text before it is stored.
 */
import type { Tx } from "@inkwell/db";
import { brand } from "../brand/index.ts";
import { findBannedPhrases, scrubBannedPhrases, voice } from "../voice/index.ts";

export interface WriterGuidance {
  /** The brand kit rendered for a prompt, or null when the user has none. */
  brand: string | null;
  voice: { profileId: string; name: string; prompt: string; bannedPhrases: string[] } | null;
}

/**
 * The brand kit and the voice to write in: `voiceProfileId`, or the user's default profile when null.
 * A profile id that is not the caller's is NOT_FOUND (voice.guidanceFor).
 */
export async function loadGuidance(tx: Tx, userId: string, voiceProfileId: string | null): Promise<WriterGuidance> {
  const [brandBlock, guidance] = [await brand.promptBlock(tx, userId), await voice.guidanceFor(tx, userId, voiceProfileId)];
  return {
    brand: brandBlock,
    voice: guidance
      ? { profileId: guidance.profileId, name: guidance.name, prompt: guidance.prompt, bannedPhrases: guidance.bannedPhrases }
      : null,
  };
}

/** The banned phrases that occur in `text` (whole words, case-insensitive, punctuation tolerant). */
export function findBanned(text: string, phrases: readonly string[]): string[] {
  return findBannedPhrases(text, phrases);
}

/** `text` with every banned phrase removed (the last resort after a regeneration). */
export function scrubBanned(text: string, phrases: readonly string[]): string {
  return scrubBannedPhrases(text, phrases);
}

/**
 * The words a reader reads: a thread's posts without their "i/n" numbers, so a phrase that runs from
 * the end of one post into the next ("…a game" / "2/3 changer…") is still found (and scrubbed).
 */
export function readableText(text: { content: string; parts: string[] | null }): string {
  if (!text.parts) return text.content;
  return text.parts.map((p) => p.replace(/^\d+\/\d+ /, "")).join("\n\n");
}
