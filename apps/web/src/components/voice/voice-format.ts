/**
 * The fingerprint in human terms: each measured feature as a sentence a writer recognises ("Sentences
 * average 12 words, usually 7 to 17"), with a plain word for how often a habit shows up.
 */
import type { VoiceFingerprint } from "@inkwell/domain/voice/schemas";
import { RECOMMENDED_WORDS } from "@inkwell/domain/voice/schemas";

const n0 = (n: number) => Math.round(n).toLocaleString("en");

/** How often something occurs per 1,000 words, in words. */
export function frequency(per1000: number): string {
  if (per1000 <= 0) return "never";
  if (per1000 < 2) return "rarely";
  if (per1000 < 8) return "sometimes";
  if (per1000 < 20) return "often";
  return "very often";
}

export function sentenceSummary(fp: VoiceFingerprint): string {
  if (!fp.sentenceCount) return "No full sentences to measure yet.";
  const { mean, stdDev } = fp.sentenceLength;
  const low = Math.max(1, Math.round(mean - stdDev));
  const high = Math.round(mean + stdDev);
  const feel = mean < 10 ? "short and punchy" : mean < 18 ? "medium length" : mean < 26 ? "long" : "very long";
  return `Sentences average ${n0(mean)} words (${feel}), usually ${low} to ${high}.`;
}

export function vocabularySummary(fp: VoiceFingerprint): string {
  const ttr = fp.vocabulary.typeTokenRatio;
  const variety = ttr >= 0.75 ? "very varied" : ttr >= 0.6 ? "varied" : ttr >= 0.45 ? "fairly repetitive" : "repetitive";
  const longShare = Math.round(fp.vocabulary.longWordShare * 100);
  const plain =
    longShare < 15 ? "mostly plain, short words" : longShare < 25 ? "a mix of plain and longer words" : "many long words";
  return `Vocabulary is ${variety} (type/token ${ttr.toFixed(2)}), with ${plain} (${longShare}% have 7+ letters).`;
}

export interface Habit {
  label: string;
  per1000: number;
  words: string;
}

/** Punctuation and wording habits, most frequent first. */
export function habits(fp: VoiceFingerprint): Habit[] {
  const r = fp.per1000Words;
  const list: [string, number][] = [
    ["Exclamation marks", r.exclamation],
    ["Questions", r.question],
    ["Em dashes", r.emDash],
    ["Semicolons", r.semicolon],
    ["Ellipses", r.ellipsis],
    ["Emoji", r.emoji],
    ["Contractions (it's, don't)", r.contraction],
    ["Speaking as “I”", r.firstPerson],
    ["Addressing the reader as “you”", r.secondPerson],
    ["Hedges (maybe, I think)", r.hedge],
  ];
  return list
    .map(([label, per1000]) => ({ label, per1000, words: frequency(per1000) }))
    .sort((a, b) => b.per1000 - a.per1000 || a.label.localeCompare(b.label));
}

export function confidenceNote(fp: VoiceFingerprint): string | null {
  if (fp.wordCount >= RECOMMENDED_WORDS) return null;
  return `Based on only ${n0(fp.wordCount)} words: add more samples (${RECOMMENDED_WORDS}+ words) for a steadier fingerprint.`;
}

export const STATUS_TEXT = {
  empty: "No samples yet",
  pending: "Analysing…",
  ready: "Analysed",
  failed: "Analysis failed",
} as const;
