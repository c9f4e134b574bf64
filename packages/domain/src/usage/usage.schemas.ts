/** Generation history and rate limits: inputs and outputs (browser-safe). */
import { z } from "zod";

export const GENERATION_STATUSES = ["running", "succeeded", "failed"] as const;

export const generationsInput = z.object({
  operation: z.string().max(64).optional(),
  status: z.enum(GENERATION_STATUSES).optional(),
  limit: z.number().int().min(1).max(100).default(50),
  cursor: z.object({ createdAt: z.coerce.date(), id: z.uuid() }).optional(),
});

export const adminUsageInput = z.object({
  from: z.coerce.date().optional(),
  to: z.coerce.date().optional(),
});

export type GenerationsInput = z.infer<typeof generationsInput>;

export interface Generation {
  id: string;
  operation: string;
  topic: string | null;
  provider: string;
  model: string | null;
  status: (typeof GENERATION_STATUSES)[number];
  inputTokens: number | null;
  outputTokens: number | null;
  latencyMs: number | null;
  credits: number;
  error: string | null;
  createdAt: Date;
  completedAt: Date | null;
}

export interface RateLimitRule {
  limit: number;
  windowSeconds: number;
}

/** Generation starts allowed per sliding window, per operation; "*" applies to any operation. */
export const DEFAULT_RATE_LIMITS: Record<string, { perUser: RateLimitRule; perIp: RateLimitRule }> = {
  "*": { perUser: { limit: 30, windowSeconds: 60 }, perIp: { limit: 60, windowSeconds: 60 } },
  "image.generate": { perUser: { limit: 10, windowSeconds: 60 }, perIp: { limit: 20, windowSeconds: 60 } },
};
