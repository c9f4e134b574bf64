/** Image generations (issue 14.4): inputs and what the procedures answer. Browser-safe (zod only). */
import { z } from "zod";

/** The metered operation a generation holds and captures credits under. */
export const GENERATION_OPERATION = "image.generate";

export const GENERATION_STATUSES = [
  "pending",
  "submitting",
  "queued",
  "in_progress",
  "completed",
  "failed",
  "nsfw",
  "cancelled",
] as const;
export type GenerationStatus = (typeof GENERATION_STATUSES)[number];

/** Statuses a generation leaves only by settling; the worker and cancel act on these alone. */
export const IN_FLIGHT_STATUSES = [
  "pending",
  "submitting",
  "queued",
  "in_progress",
] as const satisfies readonly GenerationStatus[];
export const TERMINAL_STATUSES = ["completed", "failed", "nsfw", "cancelled"] as const satisfies readonly GenerationStatus[];
export const isTerminal = (status: GenerationStatus) => (TERMINAL_STATUSES as readonly string[]).includes(status);

/** Size presets the form offers (any multiple of 8 from 256 to 2048 per side is accepted). */
export const SIZE_PRESETS = [
  { label: "Square", width: 1024, height: 1024 },
  { label: "Portrait 4:5", width: 832, height: 1040 },
  { label: "Story 9:16", width: 768, height: 1360 },
  { label: "Landscape 16:9", width: 1360, height: 768 },
] as const;

const side = z
  .number()
  .int()
  .min(256, "At least 256 pixels per side")
  .max(2048, "At most 2048 pixels per side")
  .refine((n) => n % 8 === 0, "A multiple of 8 pixels");

export const generationSettings = z
  .object({
    width: side,
    height: side,
    model: z
      .string()
      .trim()
      .min(1)
      .max(100)
      .regex(/^[\w.:/-]+$/, "Letters, digits and . _ : / - only")
      .optional(),
  })
  .refine((s) => s.width * s.height <= 2048 * 1536, "At most about 3 megapixels");
export type GenerationSettings = z.infer<typeof generationSettings>;

export const createGenerationInput = z
  .object({
    promptId: z.uuid().optional(),
    promptText: z.string().trim().min(3, "Describe the image in a few words").max(4000).optional(),
    personaId: z.uuid().optional(),
    settings: generationSettings,
  })
  .refine((i) => (i.promptId ? 1 : 0) + (i.promptText ? 1 : 0) === 1, {
    message: "Give either a saved prompt or a prompt text",
    path: ["promptText"],
  });
export type CreateGenerationInput = z.infer<typeof createGenerationInput>;

export const listGenerationsInput = z
  .object({
    status: z.array(z.enum(GENERATION_STATUSES)).max(8).optional(),
    cursor: z.object({ at: z.coerce.date(), id: z.uuid() }).optional(),
    limit: z.number().int().min(1).max(100).default(30),
  })
  // Called with no input at all: the first page of everything.
  .default({ limit: 30 });
export type ListGenerationsInput = z.input<typeof listGenerationsInput>;

export const generationIdInput = z.object({ generationId: z.uuid() });
export const generationResultInput = z.object({ generationId: z.uuid(), index: z.number().int().min(0).max(7) });
export type GenerationResultInput = z.infer<typeof generationResultInput>;

export const toPostInput = generationResultInput.extend({
  /** The account the draft is for; the first active one when omitted. */
  connectionId: z.uuid().optional(),
});
export type ToPostInput = z.infer<typeof toPostInput>;

export const watchGenerationsInput = z.object({
  /** Only changes after this instant (the last event's `updatedAt`); resumes a reconnected stream. */
  since: z.coerce.date().optional(),
  lastEventId: z.string().max(100).optional(),
});

export interface GenerationResult {
  index: number;
  fileId: string;
  /** A signed, expiring path served by the API. */
  url: string;
  /** The asset it was saved as, if it was. */
  assetId: string | null;
}

export interface Generation {
  id: string;
  promptId: string | null;
  personaId: string | null;
  promptText: string;
  status: GenerationStatus;
  /** "offline": the placeholder renderer made it (the page labels it); "own-key": the user's image key. */
  provider: string;
  offline: boolean;
  model: string | null;
  settings: { width: number; height: number; model?: string };
  results: GenerationResult[];
  errorMessage: string | null;
  pollAttempts: number;
  startedAt: Date | null;
  completedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface GenerationPage {
  items: Generation[];
  nextCursor: { at: Date; id: string } | null;
}

/** What the watch subscription yields: a generation whose status (or results) changed. */
export interface GenerationChange {
  id: string;
  status: GenerationStatus;
  errorMessage: string | null;
  resultCount: number;
  updatedAt: Date;
}
