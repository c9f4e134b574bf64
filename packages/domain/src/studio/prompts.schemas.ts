/** Image prompts made from a photo (issue 14.3). Browser-safe: zod only. */
import { z } from "zod";

export const PROMPT_VARIATIONS = 5;
export const PROMPT_MAX_CHARS = 1500;
export const LABEL_MAX_CHARS = 40;

const promptText = z
  .string()
  .trim()
  .min(1, "Write a prompt.")
  .max(PROMPT_MAX_CHARS, `Keep the prompt under ${PROMPT_MAX_CHARS} characters.`);
const label = z.string().trim().max(LABEL_MAX_CHARS, `Keep the label under ${LABEL_MAX_CHARS} characters.`);

export const promptsFromImageInput = z.object({
  assetId: z.uuid(),
  personaId: z.uuid().nullish(),
  /** Chosen by the client per attempt: a retried request is never charged twice. */
  idempotencyKey: z.string().min(8).max(100),
});

export const listPromptsInput = z
  .object({
    personaId: z.uuid().optional(),
    sourceAssetId: z.uuid().optional(),
    cursor: z.object({ at: z.coerce.date(), index: z.number().int().min(0).max(4), id: z.uuid() }).optional(),
    limit: z.number().int().min(1).max(100).default(50),
  })
  .optional();

export const createPromptInput = z.object({
  promptText,
  variationLabel: label.optional(),
  personaId: z.uuid().nullish(),
  sourceAssetId: z.uuid().nullish(),
});

export const updatePromptInput = z.object({
  promptId: z.uuid(),
  promptText,
  variationLabel: label.optional(),
});

export const promptIdInput = z.object({ promptId: z.uuid() });

export type PromptsFromImageInput = z.input<typeof promptsFromImageInput>;
export type ListPromptsInput = z.input<typeof listPromptsInput>;
export type CreatePromptInput = z.input<typeof createPromptInput>;
export type UpdatePromptInput = z.input<typeof updatePromptInput>;

/**
 * What the model must return: exactly five labelled variations. A reply with four (or six) fails
 * validation, and the AI layer's one corrective retry tells the model so.
 */
export const promptVariationsReply = z.object({
  variations: z
    .array(
      z.object({
        label: z.string().trim().min(1).max(LABEL_MAX_CHARS),
        prompt: z.string().trim().min(20).max(PROMPT_MAX_CHARS),
      }),
    )
    .length(PROMPT_VARIATIONS),
});
export type PromptVariation = z.infer<typeof promptVariationsReply>["variations"][number];

export interface PromptMetadata {
  provider?: string;
  model?: string;
  /** True when the offline placeholder made it (no model): the web labels it. */
  offline?: boolean;
  /** What the vision model said about the source image (shortened). */
  description?: string;
}

export interface ImagePrompt {
  id: string;
  personaId: string | null;
  sourceAssetId: string | null;
  promptText: string;
  promptIndex: number;
  variationLabel: string;
  isEdited: boolean;
  /** True when the offline placeholder wrote it. */
  placeholder: boolean;
  provider: string | null;
  model: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface PromptsPage {
  items: ImagePrompt[];
  nextCursor: { at: string; index: number; id: string } | null;
}

export interface PromptsFromImage {
  prompts: ImagePrompt[];
  placeholder: boolean;
  credits: number;
}
