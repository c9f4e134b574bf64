/** The AI follow-up question for a story (browser-safe: zod only). */
import { z } from "zod";

export const suggestFollowUpInput = z.object({
  storyId: z.uuid(),
  /** Chosen by the client per attempt: a retried request is never charged twice. */
  idempotencyKey: z.string().min(8).max(100),
});

export const askFollowUpInput = z.object({
  storyId: z.uuid(),
  question: z
    .string()
    .trim()
    .min(5, "The question needs at least 5 characters.")
    .max(300, "Keep the question under 300 characters."),
});

export interface FollowUpSuggestion {
  question: string;
  /** True when the offline placeholder model wrote it (the web labels it). */
  placeholder: boolean;
  credits: number;
}

/** What the model must return. */
export const followUpReply = z.object({ question: z.string().min(5).max(300) });
