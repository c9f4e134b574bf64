/**
 * Voice profiles: inputs, outputs, the nine tuning axes and the fingerprint's shape (browser-safe: zod
 * only). The web builds its sliders and the fingerprint's human wording from these.
 */
import { z } from "zod";

/**
 * The nine axes. Each is an integer 0–10; 5 means "as the samples are" (or a neutral middle when the
 * profile has no fingerprint yet), lower and higher push the writing one way or the other. Every axis
 * is tied to a feature the fingerprint measures, so its effect on a text can be checked by measuring it.
 */
export const VOICE_AXES = [
  {
    id: "formality",
    label: "Formality",
    low: "Relaxed",
    high: "Formal",
    description: "Full forms and careful wording at the top; contractions and everyday phrasing at the bottom.",
    measure: "Contractions per 1,000 words (fewer = more formal)",
  },
  {
    id: "energy",
    label: "Energy",
    low: "Calm",
    high: "Excited",
    description: "How much the writing raises its voice: exclamation marks and strong verbs, or an even tone.",
    measure: "Exclamation marks per 1,000 words",
  },
  {
    id: "warmth",
    label: "Warmth",
    low: "Detached",
    high: "Warm",
    description: "How directly and kindly it speaks to the reader (you, your) instead of about the subject.",
    measure: "Second-person words (you, your) per 1,000 words",
  },
  {
    id: "confidence",
    label: "Confidence",
    low: "Tentative",
    high: "Assertive",
    description: "Plain claims at the top; hedges such as “maybe”, “I think” and “perhaps” at the bottom.",
    measure: "Hedging words per 1,000 words (fewer = more confident)",
  },
  {
    id: "curiosity",
    label: "Curiosity",
    low: "Statements",
    high: "Questions",
    description: "How often it asks the reader or itself questions.",
    measure: "Question marks per 1,000 words",
  },
  {
    id: "complexity",
    label: "Complexity",
    low: "Plain words",
    high: "Rich vocabulary",
    description: "Short everyday words at the bottom; longer, more varied vocabulary at the top.",
    measure: "Share of words with 7+ letters and vocabulary richness (type/token)",
  },
  {
    id: "sentenceLength",
    label: "Sentence length",
    low: "Short",
    high: "Long",
    description: "Average sentence length: clipped one-liners at the bottom, flowing multi-clause sentences at the top.",
    measure: "Average words per sentence",
  },
  {
    id: "emoji",
    label: "Emoji",
    low: "None",
    high: "Plenty",
    description: "0 never uses emoji; 10 uses one in most sentences.",
    measure: "Emoji per 1,000 words",
  },
  {
    id: "storytelling",
    label: "Storytelling",
    low: "Impersonal",
    high: "Personal stories",
    description: "How much it speaks from experience in the first person (I, my) with small anecdotes.",
    measure: "First-person singular words (I, me, my) per 1,000 words",
  },
] as const;

export type VoiceAxis = (typeof VOICE_AXES)[number]["id"];
export const VOICE_AXIS_IDS = VOICE_AXES.map((a) => a.id) as [VoiceAxis, ...VoiceAxis[]];
export const AXIS_MIN = 0;
export const AXIS_MAX = 10;
export const AXIS_DEFAULT = 5;

export type VoiceTuning = Record<VoiceAxis, number>;

export const DEFAULT_TUNING: VoiceTuning = Object.fromEntries(VOICE_AXIS_IDS.map((id) => [id, AXIS_DEFAULT])) as VoiceTuning;

const axisValue = z.number().int("Use whole numbers").min(AXIS_MIN, `At least ${AXIS_MIN}`).max(AXIS_MAX, `At most ${AXIS_MAX}`);

/** A complete tuning; unknown axes are refused. */
export const voiceTuningSchema = z.strictObject(
  Object.fromEntries(VOICE_AXIS_IDS.map((id) => [id, axisValue])) as Record<VoiceAxis, typeof axisValue>,
);

/** Some axes (the rest stay as they are). */
export const tuningPatchSchema = voiceTuningSchema.partial();

export const MAX_BANNED_PHRASES = 200;
export const MAX_BANNED_PHRASE_CHARS = 100;
export const MAX_PROFILE_NAME = 80;
export const MAX_PROFILES = 20;
export const MAX_SAMPLES = 20;
export const MAX_SAMPLE_CHARS = 20_000;
export const MIN_SAMPLE_CHARS = 20;
/** Below this many words across the samples the fingerprint is shown as a rough one. */
export const RECOMMENDED_WORDS = 300;
export const SAMPLE_EXTENSIONS = [".txt", ".md"] as const;

/** Trimmed, non-empty, ≤ 100 characters each, ≤ 200 of them; duplicates (ignoring case and spacing) dropped. */
export const bannedPhrasesSchema = z
  .array(
    z
      .string()
      .trim()
      .min(1, "A banned phrase cannot be empty")
      .max(MAX_BANNED_PHRASE_CHARS, `Banned phrases can be at most ${MAX_BANNED_PHRASE_CHARS} characters`)
      .refine((s) => !/\p{Cc}/u.test(s), "Banned phrases are one line of text"),
  )
  .max(MAX_BANNED_PHRASES, `At most ${MAX_BANNED_PHRASES} banned phrases`)
  .transform((list) => {
    const seen = new Set<string>();
    return list.filter((p) => {
      const key = p.toLowerCase().replace(/\s+/g, " ");
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  });

const profileName = z.string().trim().min(1, "Name the voice").max(MAX_PROFILE_NAME);

export const profileIdInput = z.object({ profileId: z.uuid() });
export const sampleIdInput = z.object({ sampleId: z.uuid() });

export const createProfileInput = z.object({
  name: profileName,
  tuning: tuningPatchSchema.optional(),
  bannedPhrases: bannedPhrasesSchema.optional(),
});

export const updateProfileInput = z
  .object({
    profileId: z.uuid(),
    name: profileName.optional(),
    tuning: tuningPatchSchema.optional(),
    bannedPhrases: bannedPhrasesSchema.optional(),
  })
  .refine((v) => v.name !== undefined || v.tuning !== undefined || v.bannedPhrases !== undefined, "Change something");

export const SAMPLE_SOURCES = ["paste", "upload"] as const;

export const addSampleInput = z
  .object({
    profileId: z.uuid(),
    source: z.enum(SAMPLE_SOURCES),
    /** For uploads: the file's name (.txt or .md); the text itself is read in the browser. */
    filename: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .refine((f) => SAMPLE_EXTENSIONS.some((ext) => f.toLowerCase().endsWith(ext)), "Upload a .txt or .md file")
      .optional(),
    content: z
      .string()
      .trim()
      .min(MIN_SAMPLE_CHARS, `A sample needs at least ${MIN_SAMPLE_CHARS} characters`)
      .max(MAX_SAMPLE_CHARS, `A sample can be at most ${MAX_SAMPLE_CHARS.toLocaleString("en")} characters`)
      .refine((s) => !s.includes("\u0000"), "The sample contains binary data"),
  })
  .refine((v) => (v.source === "upload") === (v.filename !== undefined), {
    message: "Uploads carry their file name; pasted samples do not",
    path: ["filename"],
  });

export type CreateProfileInput = z.infer<typeof createProfileInput>;
export type UpdateProfileInput = z.infer<typeof updateProfileInput>;
export type AddSampleInput = z.infer<typeof addSampleInput>;

export const ANALYSIS_STATUSES = ["empty", "pending", "ready", "failed"] as const;
export type AnalysisStatus = (typeof ANALYSIS_STATUSES)[number];

/** Measured from the samples (see voice.fingerprint.ts for how). Rates are per 1,000 words. */
export interface VoiceFingerprint {
  version: 1;
  sampleCount: number;
  wordCount: number;
  sentenceCount: number;
  sentenceLength: { mean: number; stdDev: number };
  vocabulary: {
    /** Moving-average type/token ratio over 100-word windows (plain ratio for shorter texts): 0–1. */
    typeTokenRatio: number;
    averageWordLength: number;
    /** Share of words with 7 or more letters: 0–1. */
    longWordShare: number;
  };
  per1000Words: {
    exclamation: number;
    question: number;
    emDash: number;
    semicolon: number;
    ellipsis: number;
    emoji: number;
    contraction: number;
    firstPerson: number;
    secondPerson: number;
    hedge: number;
  };
  /** How sentences most often start (first one or two words), with how many do. */
  openings: { text: string; count: number }[];
  /** Words and two-word phrases this writer leans on (frequent, not everyday filler). */
  distinctive: { term: string; count: number }[];
}

export interface VoiceSample {
  id: string;
  source: (typeof SAMPLE_SOURCES)[number];
  filename: string | null;
  content: string;
  wordCount: number;
  createdAt: Date;
}

export interface VoiceProfileSummary {
  id: string;
  name: string;
  isDefault: boolean;
  status: AnalysisStatus;
  sampleCount: number;
  wordCount: number;
  analyzedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface VoiceProfile extends VoiceProfileSummary {
  tuning: VoiceTuning;
  bannedPhrases: string[];
  fingerprint: VoiceFingerprint | null;
  /** The model-written description of the voice (null until analysed). */
  description: string | null;
  error: string | null;
  samples: VoiceSample[];
}

/** What a generation needs from a voice (see `voice.guidanceFor`). */
export interface VoiceGuidance {
  profileId: string;
  name: string;
  /** The fingerprint and tuning as instructions for a system prompt. */
  prompt: string;
  tuning: VoiceTuning;
  bannedPhrases: string[];
}
