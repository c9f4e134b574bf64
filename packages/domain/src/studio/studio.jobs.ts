import { z } from "zod";
import { defineJob } from "../platform/queue.ts";
import { generationsJobs } from "./generations.jobs.ts";

/**
 * Fetches a saved reel's view count (and, the first time, its thumbnail) through the `reel-stats`
 * adapter and stores them. Enqueued in the transaction that saves the reel or asks for a refresh; the
 * HTTP calls run with no transaction open. Transient failures are retried with backoff; a reel the
 * platform no longer has is marked failed at once.
 */
export const fetchReelStatsJob = defineJob({
  name: "studio.fetch-reel-stats",
  schema: z.object({ userId: z.uuid(), reelId: z.uuid() }),
  queue: { retryLimit: 4, retryDelay: 5, retryBackoff: true, expireInSeconds: 120 },
  needs: ["storage", "reelStats"],
});

export const studioJobs = [fetchReelStatsJob, ...generationsJobs];
