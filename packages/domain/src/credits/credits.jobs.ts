import { z } from "zod";
import { defineJob } from "../platform/queue.ts";

/**
 * Settling a long job's reservation happens here, in one transaction per job: if the worker dies
 * mid-way the transaction rolls back and pg-boss runs the job again; the second run finds the hold
 * already captured (or captures it), so nothing is charged twice or lost.
 */
export const settleHoldJob = defineJob({
  name: "credits.settle-hold",
  schema: z.object({ userId: z.uuid(), holdId: z.uuid(), used: z.number().int().min(0) }),
  queue: { retryLimit: 10, retryDelay: 2, retryBackoff: true, expireInSeconds: 60, heartbeatSeconds: 10 },
});

export const releaseHoldJob = defineJob({
  name: "credits.release-hold",
  schema: z.object({ userId: z.uuid(), holdId: z.uuid(), note: z.string().max(500).optional() }),
  queue: { retryLimit: 10, retryDelay: 2, retryBackoff: true, expireInSeconds: 60, heartbeatSeconds: 10 },
});

export const releaseStaleHoldsJob = defineJob({
  name: "credits.release-stale-holds",
  schema: z.object({}).passthrough(),
  schedule: "* * * * *",
  queue: { retryLimit: 1, expireInSeconds: 120 },
});

export const expireGrantsJob = defineJob({
  name: "credits.expire-grants",
  schema: z.object({}).passthrough(),
  schedule: "*/10 * * * *",
  queue: { retryLimit: 2, expireInSeconds: 600 },
});

/** Daily, so a worker that was down on the 1st still grants the month (the key makes it once). */
export const monthlyGrantsJob = defineJob({
  name: "credits.grant-monthly",
  schema: z.object({}).passthrough(),
  schedule: "5 0 * * *",
  queue: { retryLimit: 3, expireInSeconds: 3600 },
});

export const reconcileJob = defineJob({
  name: "credits.reconcile",
  schema: z.object({}).passthrough(),
  schedule: "17 * * * *",
  queue: { retryLimit: 1, expireInSeconds: 900 },
});

export const creditsJobs = [settleHoldJob, releaseHoldJob, releaseStaleHoldsJob, expireGrantsJob, monthlyGrantsJob, reconcileJob];
