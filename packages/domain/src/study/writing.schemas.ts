/**
 * Writing prompts scored against their rubrics (issue 15.4), browser-safe (zod only). A stored result
 * keeps each prompt and rubric as they were when scored, so it reads right after the item changes.
 */
import { z } from "zod";
import { attemptKeySchema } from "./quiz.schemas.ts";

/** Longest response scored (about 3,000 words). */
export const WRITING_RESPONSE_MAX = 20_000;

export const submitWritingInput = z.object({
  itemId: z.uuid(),
  /** Chosen by the client per attempt: a retried submit returns the stored result, scored and charged once. */
  attemptKey: attemptKeySchema,
  responses: z
    .array(z.object({ promptId: z.string().min(1).max(40), text: z.string().max(WRITING_RESPONSE_MAX) }))
    .min(1)
    .max(10),
});
export type SubmitWritingInput = z.input<typeof submitWritingInput>;

export const criterionScoreSchema = z.object({
  criterion: z.string(),
  points: z.number(),
  maxPoints: z.number(),
  comment: z.string().default(""),
});
export type CriterionScore = z.infer<typeof criterionScoreSchema>;

export const scoredResponseSchema = z.object({
  promptId: z.string(),
  prompt: z.string(),
  text: z.string(),
  wordCount: z.number(),
  minWords: z.number(),
  criteria: z.array(criterionScoreSchema),
  points: z.number(),
  maxPoints: z.number(),
  feedback: z.string(),
  placeholder: z.boolean().default(false),
});
export type ScoredResponse = z.infer<typeof scoredResponseSchema>;

export interface WritingResult {
  id: string;
  itemId: string | null;
  itemTitle: string;
  /** Percent of the rubric points earned over every prompt (0..100). */
  overallScore: number;
  totalPrompts: number;
  responses: ScoredResponse[];
  overallFeedback: string;
  placeholder: boolean;
  credits: number;
  createdAt: Date;
}
