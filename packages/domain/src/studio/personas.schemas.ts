/** Model personas with voices (issue 14.2). Browser-safe: zod only. */
import { z } from "zod";

export const PERSONA_NAME_MAX = 80;
export const PERSONA_DESCRIPTION_MAX = 2000;
export const MAX_REFERENCE_IMAGES = 20;
/** ElevenLabs' per-request limit for most models; longer writer outputs are read up to here. */
export const SPEAK_MAX_CHARS = 5000;
export const PREVIEW_MAX_CHARS = 500;

/** The seed's ElevenLabs voice settings, each 0..1. */
export const voiceSettingsSchema = z.object({
  stability: z.number().min(0).max(1),
  similarityBoost: z.number().min(0).max(1),
  style: z.number().min(0).max(1),
});
export type VoiceSettings = z.infer<typeof voiceSettingsSchema>;
export const DEFAULT_VOICE_SETTINGS: VoiceSettings = { stability: 0.5, similarityBoost: 0.75, style: 0 };

const name = z
  .string()
  .trim()
  .min(1, "Give the persona a name.")
  .max(PERSONA_NAME_MAX, `Keep the name under ${PERSONA_NAME_MAX} characters.`);
const description = z
  .string()
  .trim()
  .max(PERSONA_DESCRIPTION_MAX, `Keep the description under ${PERSONA_DESCRIPTION_MAX} characters.`);
const voiceId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "Not a voice id.");
const referenceAssetIds = z
  .array(z.uuid())
  .max(MAX_REFERENCE_IMAGES, `Up to ${MAX_REFERENCE_IMAGES} reference images.`)
  .transform((ids) => [...new Set(ids)]);

export const personaIdInput = z.object({ personaId: z.uuid() });

export const createPersonaInput = z.object({
  name,
  description: description.optional(),
  voiceId: voiceId.nullish(),
  voiceSettings: voiceSettingsSchema.optional(),
  referenceAssetIds: referenceAssetIds.optional(),
  isActive: z.boolean().optional(),
});

export const updatePersonaInput = z.object({
  personaId: z.uuid(),
  name: name.optional(),
  description: description.optional(),
  /** Null clears the voice. */
  voiceId: voiceId.nullish(),
  voiceSettings: voiceSettingsSchema.optional(),
  referenceAssetIds: referenceAssetIds.optional(),
  isActive: z.boolean().optional(),
});

export const setActiveInput = z.object({ personaId: z.uuid(), isActive: z.boolean() });

export const previewVoiceInput = z.object({
  personaId: z.uuid(),
  text: z.string().trim().min(1).max(PREVIEW_MAX_CHARS, `Keep the preview under ${PREVIEW_MAX_CHARS} characters.`).optional(),
});

export const readAloudInput = z.object({ personaId: z.uuid(), writerOutputId: z.uuid() });

export type CreatePersonaInput = z.input<typeof createPersonaInput>;
export type UpdatePersonaInput = z.input<typeof updatePersonaInput>;
export type PreviewVoiceInput = z.input<typeof previewVoiceInput>;
export type ReadAloudInput = z.input<typeof readAloudInput>;

export interface PersonaReferenceImage {
  id: string;
  filename: string;
  width: number | null;
  height: number | null;
  thumbnailUrl: string | null;
  url: string;
}

export interface Persona {
  id: string;
  name: string;
  description: string;
  voiceId: string | null;
  voiceSettings: VoiceSettings;
  /** Only the images that still exist: a deleted asset drops out here, quietly. */
  referenceAssetIds: string[];
  referenceImages: PersonaReferenceImage[];
  isActive: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface Voice {
  voiceId: string;
  name: string;
  category: string | null;
  description: string | null;
}

export interface SpokenAsset {
  assetId: string;
  url: string;
  /** The local stand-in spoke (a placeholder hum, not a voice): the page labels it. */
  sandbox: boolean;
  /** Credits this call took (0 on the user's own ElevenLabs key). */
  credits: number;
  /** Characters read; a longer text is cut at SPEAK_MAX_CHARS. */
  characters: number;
  truncated: boolean;
}
