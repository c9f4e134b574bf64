import { z } from "zod";
import { defineJob } from "../platform/queue.ts";

export const pruneRateLimitsJob = defineJob({
  name: "usage.prune-rate-limits",
  schema: z.object({}).passthrough(),
  schedule: "*/10 * * * *",
  queue: { retryLimit: 1, expireInSeconds: 300 },
});

/** A generation whose reservation expired (its job died) is marked failed, so nothing looks stuck. */
export const failOrphanedJob = defineJob({
  name: "usage.fail-orphaned",
  schema: z.object({}).passthrough(),
  schedule: "* * * * *",
  queue: { retryLimit: 1, expireInSeconds: 120 },
});

export const usageJobs = [pruneRateLimitsJob, failOrphanedJob];
