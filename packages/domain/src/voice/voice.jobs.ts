import { z } from "zod";
import { defineJob } from "../platform/queue.ts";

/**
 * Analyses a profile's samples: the measured fingerprint plus a metered, model-written description.
 * Enqueued with every sample change (and by "analyze"); a failed description is retried with backoff,
 * then the profile is marked failed (the fingerprint is kept).
 */
export const analyzeProfileJob = defineJob({
  name: "voice.analyze-profile",
  // The requester's IP goes along so the metered call counts against the same rate-limit buckets.
  schema: z.object({ userId: z.uuid(), profileId: z.uuid(), ip: z.string().min(1).max(64).default("worker") }),
  queue: { retryLimit: 4, retryDelay: 10, retryBackoff: true, expireInSeconds: 300 },
  needs: ["ai"],
});

export const voiceJobs = [analyzeProfileJob];
