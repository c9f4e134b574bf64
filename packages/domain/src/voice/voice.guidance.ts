/**
 * Turns a profile (fingerprint, description, tuning, banned phrases) into instructions for a system
 * prompt. Pure, so it is tested without a database and the offline provider's reading of it is pinned.
 *
 * The guide is wrapped in `<voice> … </voice>` and carries one line "Voice tuning (0–10 …): formality
 * 7/10, …" that the offline provider reads (ai/providers/offline-voice.ts). Numbers are never written
 * directly before the words "words" or "characters": a length limit in a prompt is read that way.
 */
import { AXIS_DEFAULT, VOICE_AXES, type VoiceAxis, type VoiceFingerprint, type VoiceTuning } from "./voice.schemas.ts";

/** Typical values for a profile without samples (middle-of-the-road web writing). */
const TYPICAL = { sentenceLength: 16, contraction: 15, exclamation: 2, question: 4, emoji: 0 };

const AXIS_NAME: Record<VoiceAxis, string> = {
  formality: "formality",
  energy: "energy",
  warmth: "warmth",
  confidence: "confidence",
  curiosity: "curiosity",
  complexity: "complexity",
  sentenceLength: "sentence length",
  emoji: "emoji",
  storytelling: "storytelling",
};

const fmt = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1));
const band = (v: number) => (v <= 3 ? "low" : v >= 7 ? "high" : "mid");

/** The average sentence length the tuning asks for: the measured (or typical) one scaled ×½ … ×2. */
export function targetSentenceLength(fp: VoiceFingerprint | null, level: number): number {
  const base = fp?.sentenceCount ? fp.sentenceLength.mean : TYPICAL.sentenceLength;
  return Math.round(Math.max(4, Math.min(40, base * 2 ** ((level - AXIS_DEFAULT) / 5))));
}

function axisInstruction(axis: VoiceAxis, level: number, fp: VoiceFingerprint | null): string {
  const rate = fp?.per1000Words;
  const b = band(level);
  switch (axis) {
    case "formality":
      return b === "high"
        ? "Write every contraction out in full (do not, it is, you are); precise wording, no slang."
        : b === "low"
          ? "Relaxed register: use contractions freely (it's, don't, you're) and everyday phrasing."
          : `Match the samples' register: about ${fmt(rate?.contraction ?? TYPICAL.contraction)} contractions per thousand.`;
    case "energy":
      return b === "high"
        ? `Bring energy: strong verbs, short bursts${level >= 9 ? ", exclamation marks on many sentences" : ", a few exclamation marks"}.`
        : b === "low"
          ? "Keep an even, calm tone: no exclamation marks, no hype."
          : `Energy as in the samples: about ${fmt(rate?.exclamation ?? TYPICAL.exclamation)} exclamation marks per thousand.`;
    case "warmth":
      return b === "high"
        ? "Speak to the reader directly and kindly (you, your); encourage them."
        : b === "low"
          ? "Keep some distance: write about the subject and rarely address the reader as you."
          : "Address the reader about as often as the samples do.";
    case "confidence":
      return b === "high"
        ? "State things plainly and with conviction; no hedges such as maybe, perhaps or I think."
        : b === "low"
          ? "Be tentative: qualify claims (perhaps, it seems, I think)."
          : "Qualify claims about as often as the samples do.";
    case "curiosity":
      return b === "high"
        ? "Ask the reader questions, including one near the end."
        : b === "low"
          ? "Make statements; avoid questions."
          : `Questions as in the samples: about ${fmt(rate?.question ?? TYPICAL.question)} per thousand.`;
    case "complexity":
      return b === "high"
        ? "Use a richer, more precise vocabulary with varied word choice."
        : b === "low"
          ? "Use plain, short, everyday words."
          : "Keep the vocabulary at the samples' level.";
    case "sentenceLength": {
      const target = targetSentenceLength(fp, level);
      return b === "high"
        ? `Write longer, flowing sentences that join clauses; average sentence length about ${target} (in words).`
        : b === "low"
          ? `Keep sentences short and clipped; average sentence length about ${target} (in words).`
          : `Average sentence length about ${target} (in words)${fp?.sentenceCount ? `, varying by about ${fmt(fp.sentenceLength.stdDev)}` : ""}.`;
    }
    case "emoji":
      if (level === 0) return "Never use emoji.";
      if (b === "low") return "Use emoji rarely: at most one in the whole piece.";
      if (b === "high") return level >= 9 ? "Use emoji generously: one in most sentences." : "Use several emoji where they fit.";
      return (rate?.emoji ?? TYPICAL.emoji) > 0
        ? `Emoji as in the samples: about ${fmt(rate?.emoji ?? 0)} per thousand.`
        : "The samples use no emoji; avoid them.";
    case "storytelling":
      return b === "high"
        ? "Speak from experience in the first person (I, my) with a brief anecdote."
        : b === "low"
          ? "Keep it impersonal: no first-person anecdotes."
          : "Use first-person experience about as much as the samples do.";
  }
}

/** The fingerprint in one paragraph of plain statements (also what the model is asked to describe). */
export function measuredSummary(fp: VoiceFingerprint): string {
  const r = fp.per1000Words;
  const parts = [
    `average sentence length ${fmt(fp.sentenceLength.mean)} (spread ${fmt(fp.sentenceLength.stdDev)})`,
    `vocabulary richness ${fp.vocabulary.typeTokenRatio.toFixed(2)} (type/token)`,
    `long-word share ${Math.round(fp.vocabulary.longWordShare * 100)}%`,
    `per thousand: ${fmt(r.contraction)} contractions, ${fmt(r.exclamation)} exclamation marks, ${fmt(r.question)} questions, ${fmt(r.emDash)} em dashes, ${fmt(r.semicolon)} semicolons, ${fmt(r.emoji)} emoji, ${fmt(r.firstPerson)} first-person and ${fmt(r.secondPerson)} second-person pronouns, ${fmt(r.hedge)} hedges`,
  ];
  if (fp.openings.length) parts.push(`sentences often open with ${fp.openings.map((o) => `"${o.text}"`).join(", ")}`);
  if (fp.distinctive.length) parts.push(`favourite terms: ${fp.distinctive.map((d) => `"${d.term}"`).join(", ")}`);
  return `${parts.join("; ")}.`;
}

/** One line, without anything a brief parser would read as a citation or a header. */
const oneLine = (s: string) =>
  s
    .replace(/\[\d{1,3}\]/g, "")
    .replace(/\s+/g, " ")
    .trim();

export function guidancePrompt(profile: {
  name: string;
  fingerprint: VoiceFingerprint | null;
  description: string | null;
  tuning: VoiceTuning;
  bannedPhrases: string[];
}): string {
  const { fingerprint: fp, tuning } = profile;
  const lines = [`<voice name="${oneLine(profile.name).replace(/"/g, "'")}">`, `Write in this writer's voice.`];
  if (profile.description) lines.push(`How they sound: ${oneLine(profile.description).slice(0, 1200)}`);
  if (fp?.wordCount) lines.push(`Measured in their samples: ${measuredSummary(fp)}`);
  lines.push(
    `Voice tuning (0–10, 5 = as in the samples): ${VOICE_AXES.map((a) => `${AXIS_NAME[a.id]} ${tuning[a.id]}/10`).join(", ")}.`,
  );
  for (const a of VOICE_AXES) lines.push(`- ${a.label}: ${axisInstruction(a.id, tuning[a.id], fp)}`);
  if (profile.bannedPhrases.length) {
    lines.push(
      `Never use these phrases, in any capitalisation or spelling variant: ${profile.bannedPhrases.map((p) => `"${oneLine(p)}"`).join("; ")}.`,
    );
  }
  lines.push("</voice>");
  return lines.join("\n");
}
