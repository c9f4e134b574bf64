/** A story's photos and recordings: inputs and outputs (browser-safe: zod and the text rule only). */
import { z } from "zod";
import { text } from "../platform/text.ts";
import { answerLinkInput } from "./stories.schemas.ts";

export const TRANSCRIPT_STATUSES = ["pending", "done", "failed", "needs_model"] as const;
export type TranscriptStatus = (typeof TRANSCRIPT_STATUSES)[number];

/** Per story: enough for a life story's chapter, and a bound on what one page loads. */
export const MAX_PHOTOS_PER_STORY = 30;
export const MAX_RECORDINGS_PER_STORY = 5;

const caption = text({ max: 500 });

export const attachPhotoInput = z.object({ storyId: z.uuid(), fileId: z.uuid(), caption: caption.default("") });
export const attachAudioInput = z.object({ storyId: z.uuid(), fileId: z.uuid() });
export const captionInput = z.object({ photoId: z.uuid(), caption });
export const reorderPhotosInput = z.object({
  storyId: z.uuid(),
  photoIds: z.array(z.uuid()).min(1).max(MAX_PHOTOS_PER_STORY),
});
export const photoIdInput = z.object({ photoId: z.uuid() });
export const audioIdInput = z.object({ audioId: z.uuid() });
export const transcriptInput = z.object({ audioId: z.uuid(), transcript: text({ max: 100_000, multiline: true }) });

/** The storyteller's media, attached through the answer link to the story the answer made. */
export const answerMediaInput = answerLinkInput.extend({
  photos: z
    .array(z.object({ fileId: z.uuid(), caption: caption.default("") }))
    .max(MAX_PHOTOS_PER_STORY)
    .default([]),
  audioFileIds: z.array(z.uuid()).max(MAX_RECORDINGS_PER_STORY).default([]),
});
export type AnswerMediaInput = z.infer<typeof answerMediaInput>;

export interface StoryPhoto {
  id: string;
  fileId: string;
  /** Signed, expiring paths (`/files/:id?exp&sig`). */
  url: string;
  thumbnailUrl: string;
  caption: string;
  position: number;
  width: number;
  height: number;
  /** Added by the storyteller through an answer link (no account). */
  byStoryteller: boolean;
  /** Caption and order (photos), transcript (recordings): owners and contributors. */
  canEdit: boolean;
  /** An owner removes any; a contributor what they added. */
  canRemove: boolean;
}

export interface StoryAudio {
  id: string;
  url: string;
  durationMs: number | null;
  transcript: string;
  transcriptStatus: TranscriptStatus;
  transcriptEdited: boolean;
  /** Why there is no transcript (needs_model, failed), in words for the page. */
  transcriptNote: string | null;
  byStoryteller: boolean;
  /** Caption and order (photos), transcript (recordings): owners and contributors. */
  canEdit: boolean;
  /** An owner removes any; a contributor what they added. */
  canRemove: boolean;
}

export interface StoryMedia {
  photos: StoryPhoto[];
  audio: StoryAudio[];
  /** The caller may add, caption, reorder (owners and contributors). */
  canAdd: boolean;
}

/** What the page says when the server has no transcription model (the offline provider). */
export const NEEDS_MODEL_NOTE =
  "Not transcribed: this server has no transcription model configured (it runs the offline AI). The recording is kept; type the words in yourself, or transcribe it once a model is set up.";
